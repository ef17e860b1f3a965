"""Rotation of the keys that encrypt personal information at rest (core/crypto.py).

On a server (keys in the environment):
  1. manage.py rotate_keys --generate         prints a new key, e.g. k2:…
  2. put it first in UNIONWORK_DATA_KEYS, keep the old keys after it, restart
  3. manage.py rotate_keys                    rewrites every value under the new key (one transaction)
  4. manage.py rotate_keys --status           0 values left under the old keys: remove them, restart
On a developer's checkout (var/data_keys.json) --new-file-key does steps 1–2.
The lookup key (UNIONWORK_LOOKUP_KEY) changes with the service stopped: set the new one, run rotate_keys
(it recomputes every keyed hash from the decrypted values), then start the service.
"""

import re

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from unionwork.core import audit, crypto
from unionwork.core.models import AuditAction


class Command(BaseCommand):
    help = "轮换个人信息加密密钥：用当前（第一个）密钥重新加密所有身份证号、手机号、健康和银行信息"

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="只统计各密钥加密的数据条数，不改动")
        parser.add_argument("--generate", action="store_true",
                            help="生成一个新密钥并打印（写入环境变量 UNIONWORK_DATA_KEYS 的最前面）")
        parser.add_argument("--key-id", default="", help="与 --generate 一起用：新密钥的编号（默认 k+日期）")
        parser.add_argument("--new-file-key", action="store_true",
                            help="开发环境：在 var/data_keys.json 最前面加一个新密钥，再重新加密")

    def handle(self, *args, **options):
        try:
            if options["generate"]:
                return self._generate(options["key_id"])
            if options["new_file_key"]:
                if crypto.keys_from_environment():
                    raise CommandError("密钥来自环境变量 UNIONWORK_DATA_KEYS：请用 --generate 生成新密钥，写入环境变量后重启")
                self.stdout.write(f"已在 var/data_keys.json 加入新密钥 {crypto.rotate_file_key()}")
            crypto.reset_keys()
            current = crypto.current_key_id()
        except ImproperlyConfigured as exc:
            raise CommandError(f"密钥配置有误：{exc}") from exc
        if options["status"]:
            return self._status(current)
        self._rotate(current)

    def _generate(self, key_id):
        from django.utils import timezone

        key_id = key_id or f"k{timezone.localdate():%Y%m%d}"
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key_id):
            raise CommandError("密钥编号只能用字母、数字、下划线和短横线，最多 16 个字符")
        self.stdout.write(f"{key_id}:{crypto.new_key()}")
        self.stderr.write("把上面一行放在 UNIONWORK_DATA_KEYS 的最前面（用逗号与旧密钥隔开，旧密钥保留），重启服务后运行 "
                          "python manage.py rotate_keys")

    def _status(self, current):
        total: dict = {}
        for model, columns, _hashes in crypto.encrypted_columns():
            counts = crypto.count_by_key(connection, model._meta.db_table, columns)
            for kid, n in counts.items():
                total[kid] = total.get(kid, 0) + n
            shown = "，".join(f"{kid or '未加密'} {n} 条" for kid, n in sorted(counts.items())) or "无数据"
            self.stdout.write(f"{model._meta.verbose_name}：{shown}")
        old = {kid: n for kid, n in total.items() if kid != current}
        if old:
            self.stdout.write(f"当前密钥 {current}；仍有 {sum(old.values())} 条不是当前密钥加密的，请运行 rotate_keys")
        else:
            self.stdout.write(f"当前密钥 {current}；所有数据都由当前密钥加密，旧密钥可以从环境变量中去掉")

    def _rotate(self, current):
        changed = {}
        try:
            with transaction.atomic():  # all or nothing: a value is never left under a key that was dropped
                for model, columns, hashes in crypto.encrypted_columns():
                    label = model._meta.verbose_name

                    def progress(done, total, label=label):
                        self.stdout.write(f"\r{label}：{done}/{total}", ending="")
                        self.stdout.flush()

                    changed[label] = crypto.reencrypt_table(connection, model._meta.db_table, columns, hashes,
                                                                    progress)
                    self.stdout.write("")
                audit.log_event(AuditAction.KEY_ROTATION, user=None, username="manage.py rotate_keys",
                                detail=f"以密钥 {current} 重新加密 {sum(changed.values())} 个值",
                                data={"key": current, "changed": changed})
        except crypto.DecryptionError as exc:
            raise CommandError(f"有数据无法解密（{exc}）：旧密钥是否已从 UNIONWORK_DATA_KEYS 去掉？未做任何改动") from exc
        self.stdout.write(f"完成：以密钥 {current} 重新加密 {sum(changed.values())} 个值"
                          + "".join(f"\n  {label} {n}" for label, n in changed.items() if n))
