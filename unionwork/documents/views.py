import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.params import int_param, year_param
from unionwork.core.scope import ensure_perm, get_scoped, nodes_in_scope, scoped
from unionwork.plans.indicators import Period
from unionwork.plans.selectors import dashboard_node

from . import checks, docx, plan_doc, services
from . import personal as personal_module
from . import summary as summary_module
from .models import DocumentJob, DocumentTemplate
from .statistics import StatPeriod, workbook
from .tasks import write_document


def data_check(request):
    node = dashboard_node(request.user, request.GET.get("node"))
    results = checks.run(node) if node else []
    if node:
        log_data_check(request, node, results)
    return render(request, "documents/check.html", {
        "node": node, "results": results, "total": sum(len(items) for _, items in results)})


def log_data_check(request, node, results):
    total = sum(len(items) for _, items in results)
    audit.log_event("document", user=request.user, node=node, object_repr=f"{node.display_name}数据核查",
                    detail=f"数据核查：{node.display_name}，发现问题{total}条", data={"problems": total})


def _docx_response(doc, template=None):
    # The user and address come from the request (page or API) through the audit context.
    audit.log_event("document", node=getattr(doc, "node", None), object_repr=doc.title,
                    detail=f"生成 Word：{doc.title}" + ("（本单位模板）" if template else ""))
    response = HttpResponse(docx.write(doc, template), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title}.docx")
    return response


def document_node(request):
    """The organisation a document is written for (?node=, else the user's own); a user attached to
    none gets 403 with the reason instead of a document of nothing."""
    node = dashboard_node(request.user, request.GET.get("node"))
    if node is None:
        raise PermissionDenied("您的账号尚未分配所属组织，无法生成文书或核查数据，请联系管理员")
    return node


def _period_from(request):
    today = timezone.localdate()
    year = year_param(request, today.year)
    half = int_param(request, "half", 0, (0, 1, 2), "半年（half）应为 1（上半年）或 2（下半年）")
    quarter = int_param(request, "quarter", 0, (0, 1, 2, 3, 4), "季度（quarter）应为 1 至 4 之间的整数")
    if quarter:
        return Period.quarter(year, quarter)
    if half:
        return Period.half(year, half)
    return Period.year(year, until=today if year == today.year else None) if year <= today.year else \
        Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年")


def summary(request):
    node = document_node(request)
    period = _period_from(request)
    doc = summary_module.build(node, period)
    if request.GET.get("format") == "docx":
        return _docx_response(doc, services.template_for(request.user, node, "summary"))
    return render(request, "documents/summary.html", {"doc": doc, "node": node, "period": period})


def work_plan(request):
    node = document_node(request)
    year = year_param(request, timezone.localdate().year + 1)
    doc = plan_doc.build(node, year)
    if request.GET.get("format") == "docx":
        return _docx_response(doc, services.template_for(request.user, node, "plan"))
    return render(request, "documents/summary.html", {"doc": doc, "node": node, "period": doc.period, "is_plan": True})


def statistics(request):
    node = document_node(request)
    year = year_param(request, timezone.localdate().year)
    data, _ = workbook(node, StatPeriod.survey_year(year))
    audit.log_event("document", user=request.user, node=node, object_repr=f"{node.display_name}{year}年度统计",
                    detail=f"生成年度统计 Excel：{node.display_name}{year}年度")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"{node.display_name}{year}年度统计.xlsx")
    return response


def personal(request):
    year = year_param(request, timezone.localdate().year)
    doc = personal_module.build(request.user, year)
    if request.GET.get("format") == "docx":
        return _docx_response(doc, services.template_for(request.user, request.user.node, "personal"))
    return render(request, "documents/summary.html", {"doc": doc, "node": request.user.node, "period": doc.period,
                                                      "is_plan": True})


def templates(request):
    if request.method == "POST":
        ensure_perm(request.user, Perm.CREATE)
        node = get_scoped(request.user, nodes_in_scope(request.user), pk=request.POST.get("node") or 0)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            messages.error(request, "请选择 .docx 模板文件")
        else:
            try:
                services.upload(request.user, node, request.POST.get("kind", "summary"), request.POST.get("name", ""),
                                uploaded)
                messages.success(request, "模板已上传，下载 Word 时将使用它")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return redirect("documents:templates")
    return render(request, "documents/templates.html", {
        "templates": scoped(request.user, DocumentTemplate).filter(archived_at__isnull=True).select_related("node"),
        "nodes": nodes_in_scope(request.user).filter(kind__in=["district", "street", "community"]),
        "fields": docx.FIELDS})


def builtin_template(request):
    response = HttpResponse(docx.builtin_template(), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = content_disposition_header(True, "内置工作总结模板.docx")
    return response


def start_job(request):
    """Write a document in the background: for a street or a district it takes a while."""
    if request.method != "POST":
        return HttpResponse(status=405)
    node = dashboard_node(request.user, request.POST.get("node"))
    kind = request.POST.get("kind", "summary")
    if kind not in ("summary", "plan", "statistics"):
        return HttpResponse(status=400)
    params = {k: int(request.POST[k]) for k in ("year", "half", "quarter") if (request.POST.get(k) or "").isdigit()}
    params.setdefault("year", timezone.localdate().year)
    job = DocumentJob.objects.create(user=request.user, node=node, kind=kind, params=params)
    write_document.enqueue(job.pk, ip=audit.client_ip(request))
    return redirect("documents:job", job.pk)


def job(request, pk):
    job = get_scoped(request.user, scoped(request.user, DocumentJob).filter(user=request.user), pk=pk)
    if request.GET.get("download") and job.status == "done":
        return FileResponse(open(job.file_path, "rb"), as_attachment=True, filename=job.file_name)
    name = "documents/job.html#status" if request.htmx else "documents/job.html"
    return render(request, name, {"job": job})
