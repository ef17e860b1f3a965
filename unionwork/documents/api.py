"""Documents through the API: the same builders and scope as the pages."""

from django.utils import timezone
from ninja import Router

from unionwork.core.params import year_param

from . import checks, views

router = Router(tags=["文书与核查"])


@router.get("/documents/summary.docx", summary="工作总结（Word）：node、year，可选 half=1|2 或 quarter=1..4")
def summary_docx(request):
    return views._docx_response(views.summary_module.build(views.document_node(request), views._period_from(request)))


@router.get("/documents/plan.docx", summary="下一年工作计划（Word）：node、year")
def plan_docx(request):
    from . import plan_doc

    year = year_param(request, timezone.localdate().year + 1)
    return views._docx_response(plan_doc.build(views.document_node(request), year))


@router.get("/documents/statistics.xlsx", summary="年度统计（Excel，统计期为上年10月1日至当年9月30日）")
def statistics_xlsx(request):
    return views.statistics(request)


@router.get("/documents/check", summary="数据核查：每条规则发现的问题及对应记录的链接")
def data_check(request):
    node = views.document_node(request)
    results = checks.run(node)
    views.log_data_check(request, node, results)
    return [{"rule": rule.key, "title": rule.title, "severity": rule.severity,
             "items": [{"message": i.message, "url": i.url} for i in items]} for rule, items in results]
