from unionwork.core.scope import get_scoped, scoped

from .models import ImportJob


def jobs_for(user):
    return scoped(user, ImportJob).select_related("user", "node")


def get_job(user, pk) -> ImportJob:
    return get_scoped(user, jobs_for(user), pk=pk)
