from django.tasks import task

from . import services
from .models import ImportJob


@task()
def check_import(job_id: int):
    services.run_job(ImportJob.objects.select_related("user", "node").get(pk=job_id), commit=False)


@task()
def commit_import(job_id: int, ip: str | None = None):
    # ip: the address that confirmed the import, for its audit event (the worker has no request).
    services.run_job(ImportJob.objects.select_related("user", "node").get(pk=job_id), commit=True, ip=ip)
