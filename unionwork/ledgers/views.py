from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_perm

from . import blank_forms, progress, selectors, services, tasks
from .columns import columns_for, import_kinds
from .forms import ConfirmForm, UploadForm


def index(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        ensure_perm(request.user, Perm.CREATE)
        if form.is_valid():
            cd = form.cleaned_data
            job = services.create_job(request.user, node=cd["node"], kind=cd["kind"], source=cd["file"],
                                      file_name=cd["file"].name, mode=cd["mode"])
            tasks.check_import.enqueue(job.pk)
            return redirect("ledgers:job", job.pk)
    page = Paginator(selectors.jobs_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "ledgers/index.html", {"form": form, "page": page, "kinds": import_kinds()})


def job(request, pk):
    job = selectors.get_job(request.user, pk)
    context = {"job": job, "progress": progress.read(job.pk), "confirm_form": ConfirmForm(initial={"mode": job.mode}),
               "columns": columns_for(job.kind)}
    if request.htmx and request.htmx.target == "job-status":
        return render(request, "ledgers/job.html#status", context)
    return render(request, "ledgers/job.html", context)


@require_POST
def confirm(request, pk):
    job = selectors.get_job(request.user, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择导入方式")
        return redirect("ledgers:job", job.pk)
    job = services.confirm_job(request.user, job, form.cleaned_data["mode"])
    tasks.commit_import.enqueue(job.pk, ip=audit.client_ip(request))
    messages.info(request, "已开始导入")
    return redirect("ledgers:job", job.pk)


@require_POST
def cancel(request, pk):
    job = selectors.get_job(request.user, pk)
    if job.user_id != request.user.pk:
        raise PermissionDenied("只能取消自己发起的导入")
    services.cancel_job(request.user, job)
    messages.info(request, "已取消，本次没有写入任何数据")
    return redirect("ledgers:index")


def rejected_file(request, pk):
    job = selectors.get_job(request.user, pk)
    if not job.rejected_path or not Path(job.rejected_path).exists():
        raise Http404("没有退回行")
    audit.log_event("export", user=request.user, obj=job, node=job.node, object_repr=str(job),
                    detail=f"下载退回行：{job.rejected}行", data={"job": job.pk, "rows": job.rejected})
    return FileResponse(open(job.rejected_path, "rb"), as_attachment=True, filename=Path(job.rejected_path).name)


def template_file(request, kind):
    if kind not in import_kinds():
        raise Http404
    data = blank_forms.build(kind, request.user)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"{import_kinds()[kind]}台帐导入模板.xlsx")
    return response
