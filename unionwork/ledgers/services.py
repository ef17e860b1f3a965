"""Import jobs: create (store the file), check (dry run), commit (write), and the files they return."""

import hashlib
import math
import shutil
import uuid
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_node_in_scope, ensure_perm

from . import progress
from .choices import ImportMode, JobStatus
from .cleaning import CellError
from .columns import import_kinds
from .importers import importer_class
from .models import ImportJob
from .readers import UnreadableFile


def _store(source, name: str) -> tuple[Path, str]:
    folder = settings.MEDIA_ROOT / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    safe = Path(name).name.replace("/", "_") or "ledger.xlsx"
    target = folder / safe
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        if isinstance(source, str | Path):
            with open(source, "rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        else:
            for block in source.chunks():
                digest.update(block)
                out.write(block)
    return target, digest.hexdigest()


def create_job(user, *, node, kind, source, file_name, mode=ImportMode.ALL_OR_NOTHING, dry_run=False) -> ImportJob:
    if user is not None:
        ensure_perm(user, Perm.CREATE)
        ensure_node_in_scope(user, node)
    if kind not in import_kinds():
        raise ValueError(f"unknown kind {kind}")
    path, sha = _store(source, file_name)
    return ImportJob.objects.create(user=user, node=node, kind=kind, mode=mode, file_name=Path(file_name).name,
                                    file_sha256=sha, file_path=str(path), dry_run=dry_run)


def run_job(job: ImportJob, *, commit: bool, ip: str | None = None) -> ImportJob:
    """Check (commit=False) or import (commit=True) a job's file; the job records the outcome.

    An import (commit) writes one audit event with its counts, whatever its end; its rows write
    none of their own. ip: the address of the request that confirmed it (run by the task worker).
    """
    try:
        with audit.address(ip), audit.bulk():
            return _run_job(job, commit=commit)
    finally:
        if commit:  # also when the importer failed: the attempt is on record
            _log_import(job, ip)


def _log_import(job: ImportJob, ip: str | None):
    counts = {name: getattr(job, name) for name in ("rows_total", "created", "updated", "unchanged", "rejected",
                                                     "skipped")}
    text = (f"{job.kind_label}「{job.file_name}」{job.get_status_display()}：共{job.rows_total}行，新增{job.created}，"
            f"更新{job.updated}，无变化{job.unchanged}，退回{job.rejected}")
    if job.dry_run:
        text = "（仅检查）" + text
    audit.log_event("import", user=job.user, obj=job, node=job.node, ip=ip,
                    detail=text + (f"；{job.error}" if job.error else ""),
                    data={"job": job.pk, "status": job.status, "mode": job.mode, "file_sha256": job.file_sha256,
                          **counts})


def _storable(value):
    """value (problems, notes, a message: lists, dicts, str) without NUL characters, which PostgreSQL
    refuses in text and JSON: a problem quotes its cell as it is in the file."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    return value


def _run_job(job: ImportJob, *, commit: bool) -> ImportJob:
    job.status = JobStatus.IMPORTING if commit else JobStatus.CHECKING
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress.write(job.pk, 0, 0, "checking" if not commit else "importing")
    try:
        importer = importer_class(job.kind)(user=job.user, node=job.node, mode=job.mode, dry_run=not commit or job.dry_run,
                                  source=job.source, job_id=job.pk)
        outcome = importer.run(job.file_path)
    except (UnreadableFile, CellError, PermissionDenied) as exc:
        job.status, job.error = JobStatus.FAILED, _storable(str(exc))
        job.finished_at = timezone.now()
        job.save()
        progress.write(job.pk, 0, 0, "failed")
        return job
    except Exception as exc:
        job.status, job.error = JobStatus.FAILED, _storable(f"导入程序出错：{exc.__class__.__name__}: {exc}")
        job.finished_at = timezone.now()
        job.save()
        progress.write(job.pk, 0, 0, "failed")
        raise
    for name in ("rows_total", "created", "updated", "unchanged", "rejected", "skipped", "problem_count"):
        setattr(job, name, getattr(outcome, name))
    job.problems, job.notes = _storable(outcome.problems), _storable(outcome.notes)
    if outcome.rejected_rows:
        job.rejected_path = str(write_rejected(job, outcome))
    if commit and outcome.written:
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
    elif commit:
        job.status = JobStatus.REJECTED
        job.finished_at = timezone.now()
    else:
        job.status = JobStatus.CHECKED
    job.save()
    progress.write(job.pk, job.rows_total, job.rows_total, job.status)
    return job


@transaction.atomic
def confirm_job(user, job: ImportJob, mode: str) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.user_id != getattr(user, "pk", None) and not user.is_superuser:
        raise PermissionDenied("只能确认自己发起的导入")
    if job.status != JobStatus.CHECKED:
        raise PermissionDenied(f"该导入当前为“{job.get_status_display()}”，不能再确认")
    job.mode = mode
    job.status = JobStatus.QUEUED
    job.save(update_fields=["mode", "status"])
    return job


def cancel_job(user, job: ImportJob):
    if job.status in (JobStatus.CHECKED, JobStatus.QUEUED):
        job.status = JobStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        shutil.rmtree(Path(job.file_path).parent, ignore_errors=True) if job.file_path else None
    return job


def _plain_number(value) -> bool:
    """A number Excel shows as it was read: finite, and an integer short enough to keep every digit
    (anything else is written as text: inf, nan, a 身份证号 read as a number)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return abs(value) < 10**15


def write_rejected(job, outcome) -> Path:
    """The rejected rows, as they were, with their original row numbers and a 错误原因 column."""
    path = Path(job.file_path).parent / f"退回行-导入{job.pk}.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("退回行")
    bold = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    text = book.add_format({"num_format": "@"})
    first_sheet = outcome.rejected_rows[0][0]
    headers = list(outcome.header_cells.get(first_sheet, []))
    width = max([len(headers)] + [len(cells) for _, _, cells, _ in outcome.rejected_rows])
    headers += [""] * (width - len(headers))
    ws.write_row(0, 0, ["原工作表", "原行号", *headers, "错误原因"], bold)
    ws.set_column(0, 1, 10)
    ws.set_column(width + 2, width + 2, 60)
    for r, (sheet, number, cells, reasons) in enumerate(outcome.rejected_rows, start=1):
        ws.write_string(r, 0, sheet)
        ws.write_number(r, 1, number)
        for c, value in enumerate(cells, start=2):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float) and _plain_number(value):
                ws.write_number(r, c, value)
            elif hasattr(value, "isoformat"):
                ws.write_string(r, c, value.isoformat()[:10], text)
            else:
                ws.write_string(r, c, str(value), text)
        ws.write_string(r, width + 2, reasons)
    book.close()
    return path

