import datetime
import uuid

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .models import DocumentJob


def write(job: DocumentJob) -> tuple[bytes, str]:
    from unionwork.plans.indicators import Period

    from . import docx, plan_doc, services, statistics, summary

    p = job.params
    if job.kind == "summary":
        if p.get("quarter"):
            period = Period.quarter(p["year"], p["quarter"])
        elif p.get("half"):
            period = Period.half(p["year"], p["half"])
        else:
            period = Period.year(p["year"], until=timezone.localdate())
        doc = summary.build(job.node, period)
        return docx.write(doc, services.template_for(job.user, job.node, "summary")), f"{doc.title}.docx"
    if job.kind == "plan":
        doc = plan_doc.build(job.node, p["year"])
        return docx.write(doc, services.template_for(job.user, job.node, "plan")), f"{doc.title}.docx"
    data, _ = statistics.workbook(job.node, statistics.StatPeriod.survey_year(p["year"]))
    return data, f"{job.node.display_name}{p['year']}年度统计.xlsx"


@task()
def write_document(job_id: int, ip: str | None = None):
    # ip: the address of the request that asked for it, for the audit event (the worker has no request).
    from unionwork.core import audit

    job = DocumentJob.objects.select_related("user", "node").get(pk=job_id)
    job.status = "running"
    job.save(update_fields=["status"])
    try:
        data, name = write(job)
    except Exception as exc:
        job.status, job.error, job.finished_at = "failed", f"{exc.__class__.__name__}: {exc}", timezone.now()
        job.save()
        raise
    folder = settings.MEDIA_ROOT / "documents" / datetime.date.today().strftime("%Y%m")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{name}"
    path.write_bytes(data)
    job.status, job.file_path, job.file_name, job.finished_at = "done", str(path), name, timezone.now()
    job.save()
    audit.log_event("document", user=job.user, obj=job, node=job.node, ip=ip, object_repr=name,
                    detail=f"后台生成{job.get_kind_display()}：{name}", data={"job": job.pk, "params": job.params})
