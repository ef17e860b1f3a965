import sys
import threading
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from unionwork.accounts.models import User
from unionwork.core.uploads import check_upload
from unionwork.ledgers import progress, services
from unionwork.ledgers.choices import ImportMode, JobStatus
from unionwork.ledgers.columns import import_kinds
from unionwork.org.models import Node


class Command(BaseCommand):
    help = "导入台帐（.xlsx/.xls/.csv）：企业、基层工会或会员。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, help="members / enterprises / unions，或任一工作记录，如 contracts")
        parser.add_argument("--into", help="导入到的组织编码（默认：用户所属组织，或整个区）")
        parser.add_argument("--user", help="以该用户的身份与权限导入（默认：系统运维，不受范围限制）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--mode", default=ImportMode.ALL_OR_NOTHING, choices=ImportMode.values)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if o["kind"] not in import_kinds():
            raise CommandError(f"不认识的台帐类型：{o['kind']}（可选：{'、'.join(import_kinds())}）")
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            check_upload(path, "ledger")  # the same limits as an upload on the page
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        user = None
        if o["user"]:
            user = User.objects.filter(username=o["user"]).select_related("node").first()
            if user is None:
                raise CommandError(f"用户不存在：{o['user']}")
        if o["into"]:
            node = Node.objects.filter(code=o["into"]).first()
            if node is None:
                raise CommandError(f"组织编码不存在：{o['into']}")
        else:
            node = user.node if user and user.node_id else Node.objects.filter(parent__isnull=True).first()
            if node is None:
                raise CommandError("数据库中还没有组织，请先建立区、街道、社区")
        job = services.create_job(user, node=node, kind=o["kind"], source=path, file_name=path.name, mode=o["mode"],
                                  dry_run=o["dry_run"])
        stop = threading.Event()
        if not o["no_progress"] and sys.stderr.isatty():
            threading.Thread(target=self.show_progress, args=(job.pk, stop), daemon=True).start()
        elif not o["no_progress"]:
            self.stderr.write(f"导入任务#{job.pk}：{path.name}（{import_kinds()[o['kind']]}）…")
        try:
            job = services.run_job(job, commit=True)
        finally:
            stop.set()
            time.sleep(0.05)
        self.stdout.write(self.summary(job))
        if job.status in (JobStatus.FAILED, JobStatus.REJECTED):
            sys.exit(1)

    def show_progress(self, job_id, stop):
        while not stop.wait(0.3):
            p = progress.read(job_id)
            if p and p["total"]:
                pct = min(100, int(p["done"] * 100 / p["total"]))
                bar = "#" * (pct // 4)
                self.stderr.write(f"\r[{bar:<25}] {pct:3d}%  {p['done']}/{p['total']} 行", ending="")
        self.stderr.write("")

    def summary(self, job):
        lines = [f"导入任务#{job.pk} {job.get_status_display()}（{'仅检查，未写入' if job.dry_run else job.get_mode_display()}）",
                 f"  文件 {job.file_name}  SHA-256 {job.file_sha256}",
                 f"  数据行 {job.rows_total}：新增 {job.created}，更新 {job.updated}，无变化 unchanged {job.unchanged}，"
                 f"退回 {job.rejected}，跳过空行/合计行 {job.skipped}"]
        if job.error:
            lines.append(f"  错误：{job.error}")
        for note in job.notes:
            lines.append(f"  提示：{note}")
        for p in job.problems[:200]:
            lines.append(f"  [{p['sheet']} 第{p['row']}行 {p['column']}] “{p['value']}”：{p['reason']}")
        if job.problem_count > 200:
            lines.append(f"  …共 {job.problem_count} 个问题")
        if job.rejected_path:
            lines.append(f"  退回行已写入：{job.rejected_path}")
        if job.status == JobStatus.REJECTED:
            lines.append("  因存在错误，本次没有写入任何数据（全部正确才导入）。可改正后重新导入，或使用 --mode valid-rows。")
        return "\n".join(lines)
