from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from unionwork.core import audit
from unionwork.core.models import AuditEvent


class Command(BaseCommand):
    help = "删除超过保存期限（AUDIT_RETENTION_DAYS，至少 180 天）的安全审计日志：python manage.py purge_audit [--dry-run]"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除多少条，不删除")

    def handle(self, *args, **options):
        try:
            days = audit.retention_days()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEvent.objects.filter(created_at__lt=cutoff)
        stamp = timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")
        if options["dry_run"]:
            n = old.count()
            self.stdout.write(f"保存期限 {days} 天：{stamp} 之前的审计日志共 {n} 条，将被删除（本次为试运行，未删除）")
            return
        with transaction.atomic():
            n, _ = old._purge()
        self.stdout.write(f"保存期限 {days} 天：已删除 {stamp} 之前的审计日志 {n} 条")
