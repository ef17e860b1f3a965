import sys

from django.core.management.base import BaseCommand, CommandError

from unionwork.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "从 backup 命令生成的备份文件恢复数据库和上传的文件（覆盖当前全部数据）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件 unionwork-日期-时间.tar.gz")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, **o):
        try:
            manifest = read_manifest(o["file"])
            self.stdout.write(f"备份时间 {manifest['created_at']}，数据库 {manifest['vendor']}，"
                              f"上传文件 {manifest['media_files']} 个")
            if not o["yes"]:
                if not sys.stdin.isatty():
                    raise CommandError("恢复会覆盖当前全部数据：非交互运行时请加 --yes 确认")
                answer = input("恢复会用备份覆盖当前数据库和全部上传文件，备份之后的改动都将丢失。确认恢复请输入 yes：")
                if answer.strip().lower() != "yes":
                    raise CommandError("已取消，没有改动任何数据")
            restore_backup(o["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已从 {o['file']} 恢复数据库和上传文件。")
