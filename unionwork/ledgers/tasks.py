from django.tasks import task

from . import services
from .models import ImportJob


@task()
def check_import(job_id: int):
    services.run_job(ImportJob.objects.select_related("user", "node").get(pk=job_id), commit=False)


@task()
def commit_import(job_id: int):
    services.run_job(ImportJob.objects.select_related("user", "node").get(pk=job_id), commit=True)
