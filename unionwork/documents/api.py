"""Documents through the API: the same builders and scope as the pages."""

from django.utils import timezone
from ninja import Router

from unionwork.plans.selectors import dashboard_node

from . import checks, views

router = Router(tags=["文书与核查"])


@router.get("/documents/summary.docx", summary="工作总结（Word）：node、year，可选 half=1|2 或 quarter=1..4")
def summary_docx(request):
    return views._docx_response(views.summary_module.build(dashboard_node(request.user, request.GET.get("node")),
                                                           views._period_from(request)))


@router.get("/documents/plan.docx", summary="下一年工作计划（Word）：node、year")
def plan_docx(request):
    from . import plan_doc

    year = int(request.GET.get("year") or timezone.localdate().year + 1)
    return views._docx_response(plan_doc.build(dashboard_node(request.user, request.GET.get("node")), year))


@router.get("/documents/statistics.xlsx", summary="年度统计（Excel，统计期为上年10月1日至当年9月30日）")
def statistics_xlsx(request):
    return views.statistics(request)


@router.get("/documents/check", summary="数据核查：每条规则发现的问题及对应记录的链接")
def data_check(request):
    node = dashboard_node(request.user, request.GET.get("node"))
    results = checks.run(node)
    if node:
        views.log_data_check(request, node, results)
    return [{"rule": rule.key, "title": rule.title, "severity": rule.severity,
             "items": [{"message": i.message, "url": i.url} for i in items]} for rule, items in results]
