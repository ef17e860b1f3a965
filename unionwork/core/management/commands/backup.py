from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from unionwork.core.backup import BackupError, human_size, make_backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个带日期的 .tar.gz（默认 var/backups/），服务运行中也可备份。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="备份文件存放的目录（默认 var/backups）")

    def handle(self, *args, **o):
        try:
            path = make_backup(Path(o["output"]) if o["output"] else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已备份到 {path}（{human_size(path.stat().st_size)}）")
