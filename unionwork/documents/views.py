import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from unionwork.plans.indicators import Period
from unionwork.plans.selectors import dashboard_node

from . import checks, docx
from . import summary as summary_module


def data_check(request):
    node = dashboard_node(request.user, request.GET.get("node"))
    results = checks.run(node) if node else []
    return render(request, "documents/check.html", {
        "node": node, "results": results, "total": sum(len(items) for _, items in results)})


def _docx_response(doc):
    response = HttpResponse(docx.write(doc), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title}.docx")
    return response


def _period_from(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        half = int(request.GET.get("half") or 0)
        quarter = int(request.GET.get("quarter") or 0)
    except ValueError:
        year, half, quarter = today.year, 0, 0
    if quarter in (1, 2, 3, 4):
        return Period.quarter(year, quarter)
    if half in (1, 2):
        return Period.half(year, half)
    return Period.year(year, until=today if year == today.year else None) if year <= today.year else \
        Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年")


def summary(request):
    node = dashboard_node(request.user, request.GET.get("node"))
    period = _period_from(request)
    doc = summary_module.build(node, period)
    if request.GET.get("format") == "docx":
        return _docx_response(doc)
    return render(request, "documents/summary.html", {"doc": doc, "node": node, "period": period})


def work_plan(request):
    from . import plan_doc

    node = dashboard_node(request.user, request.GET.get("node"))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year + 1)
    except ValueError:
        year = timezone.localdate().year + 1
    doc = plan_doc.build(node, year)
    if request.GET.get("format") == "docx":
        return _docx_response(doc)
    return render(request, "documents/summary.html", {"doc": doc, "node": node, "period": doc.period, "is_plan": True})


def statistics(request):
    from .statistics import StatPeriod, workbook

    node = dashboard_node(request.user, request.GET.get("node"))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    data, _ = workbook(node, StatPeriod.survey_year(year))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"{node.display_name}{year}年度统计.xlsx")
    return response


def personal(request):
    from . import personal as personal_module

    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    doc = personal_module.build(request.user, year)
    if request.GET.get("format") == "docx":
        return _docx_response(doc)
    return render(request, "documents/summary.html", {"doc": doc, "node": request.user.node, "period": doc.period,
                                                      "is_plan": True})
