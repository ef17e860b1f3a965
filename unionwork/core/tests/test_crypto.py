"""Personal information at rest: 身份证号, phones, health and bank details are encrypted in the database
(AES-256-GCM, keys outside it), found and kept unique through a keyed hash, and the keys rotate by a
command. What a leaked database holds is read here with raw SQL, as an attacker with the file would."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from conftest import make_id
from unionwork.care import kinds as care_kinds
from unionwork.care.models import HardshipFile
from unionwork.core import crypto
from unionwork.core.fields import EncryptedTextField
from unionwork.core.models import AuditEvent
from unionwork.directory.models import Member
from unionwork.directory.selectors import member_by_id_number, with_id_number
from unionwork.ledgers import services as ledgers
from unionwork.ledgers.importers import MemberImporter
from unionwork.ledgers.tests.conftest import write_xlsx

pytestmark = pytest.mark.django_db

HEALTH = "尿毒症透析"
BANK_ACCOUNT = "6222020200112233445"


def everything_stored() -> str:
    """Every value of every table, as text: what a copy of the database file gives away."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def stored(model, pk, column) -> str:
    with connection.cursor() as cursor:
        q = connection.ops.quote_name
        cursor.execute(f"SELECT {q(column)} FROM {q(model._meta.db_table)} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def hardship_file(world, **over):
    def kind(slug):
        return next(k for k in care_kinds.KINDS if k.slug == slug)

    kind("standards").service.create(world.street_cadre, {"node": world.street1, "amount": Decimal("1000"),
                                                          "effective_from": datetime.date(2025, 1, 1)})
    data = {"person_name": "孙一", "family_size": 3, "annual_income": Decimal("36000"), "rigid_expenses": Decimal(0),
            "main_cause": "serious_illness", "filed_on": datetime.date(2026, 3, 1), "node": world.comm_a,
            "status": "draft", "id_number": "11010519491231002X", "phone": "13812345678", "health": HEALTH,
            "disability": "二级肢体残疾", "bank_account": BANK_ACCOUNT, "bank_name": "工商银行"}
    return kind("hardship").service.create(world.cadre_a, data | over)


@pytest.fixture
def other_keys(monkeypatch):
    """Switch this process to keys from the environment (as a server has them); undone after the test."""

    def use(data_keys: str, lookup: str | None = None):
        lookup = lookup or crypto.environment()["UNIONWORK_LOOKUP_KEY"]
        monkeypatch.setenv("UNIONWORK_DATA_KEYS", data_keys)
        monkeypatch.setenv("UNIONWORK_LOOKUP_KEY", lookup)
        crypto.reset_keys()

    yield use
    monkeypatch.undo()
    crypto.reset_keys()


# ---------------------------------------------------------------- what the database holds


def test_a_leaked_database_reveals_no_personal_information(world, login):
    f = hardship_file(world)
    client = login(world.district_admin)
    # Pages, history and an export were used: none of them may leave a value in full behind.
    assert client.get(f"/directory/members/{world.zhangsan.pk}/").status_code == 200
    assert client.get("/directory/members/?export=xlsx").status_code == 200
    dump = everything_stored()
    secrets = [world.zhangsan.id_number, world.wangfang.id_number, world.lisi.id_number, "13812345678",
               "13912345678", "13700001111", f.id_number, HEALTH, "二级肢体残疾", BANK_ACCOUNT]
    assert [s for s in secrets if s in dump] == []
    # The application reads them as they were typed.
    assert HardshipFile.objects.get(pk=f.pk).bank_account == BANK_ACCOUNT
    assert Member.objects.get(pk=world.zhangsan.pk).id_number == "110102199101010078"
    raw = stored(Member, world.zhangsan.pk, "id_number")
    assert raw.startswith(crypto.current_key_id() + "$") and len(raw) > 40


def test_the_same_number_is_stored_differently_each_time(world):
    a = stored(Member, world.zhangsan.pk, "phone")
    world.zhangsan.save()
    assert stored(Member, world.zhangsan.pk, "phone") != a  # a fresh nonce: equal values do not show as equal
    assert Member.objects.get(pk=world.zhangsan.pk).phone == "13812345678"


def test_members_are_found_and_kept_unique_by_the_keyed_hash(world, login):
    number = world.zhangsan.id_number
    assert member_by_id_number(number) == world.zhangsan
    assert list(with_id_number(Member.objects, number[:17] + "1")) == []  # one digit off: nobody
    assert stored(Member, world.zhangsan.pk, "id_number_hash") == crypto.lookup_hash(number)
    assert number not in stored(Member, world.zhangsan.pk, "id_number_hash")
    # The list's search by a full 身份证号 still finds the one member.
    page = login(world.cadre_a).get("/directory/members/", {"q": number}).content.decode()
    assert "张三" in page and "王芳" not in page
    # The database itself refuses a second row with the same number.
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=world.wangfang.pk).update(id_number_hash=crypto.lookup_hash(number))


def test_an_encrypted_field_refuses_a_filter_that_would_silently_match_nothing(world):
    with pytest.raises(TypeError, match="lookup hash"):
        list(Member.objects.filter(id_number=world.zhangsan.id_number))
    with pytest.raises(TypeError, match="lookup hash"):
        list(Member.objects.filter(phone__startswith="138"))
    assert Member.objects.filter(phone="").count() == 0  # emptiness may still be asked


def test_every_personal_field_of_every_model_is_encrypted():
    """Later record kinds inherit the rule: a field declared sensitive, or named like one, is encrypted."""
    personal = ("id_number", "phone", "health", "disability", "bank_name", "bank_account")
    plain = []
    for model in apps.get_models():
        declared = set(getattr(model, "SENSITIVE", {})) | set(getattr(model, "SENSITIVE_FIELDS", ()))
        for f in model._meta.concrete_fields:
            if (f.name in declared or f.name in personal) and not isinstance(f, EncryptedTextField):
                plain.append(f"{model._meta.label}.{f.name}")
    assert plain == []


def test_a_bulk_import_into_an_empty_directory_stores_numbers_encrypted(world, tmp_path, monkeypatch):
    """The fast path (a child process encrypts, as it works out pinyin) stores what the slow path stores."""
    # The bulk path needs an empty member table: this test's savepoint empties it.
    from unionwork.core.models import ChangeLog
    from unionwork.directory.models import Membership

    ChangeLog.objects.all().delete()
    Membership.objects.all().delete()
    Member.objects.all().delete()
    monkeypatch.setattr(MemberImporter, "BULK_ROWS", 20)
    ids = [make_id("19800101", seq) for seq in range(1, 41)]
    rows = [["姓名", "身份证号", "手机号", "所在工会"]] + [
        [f"职工{n}", number, f"1380000{n:04d}", world.union_a.name] for n, number in enumerate(ids)]
    path = write_xlsx(tmp_path / "会员.xlsx", rows)
    job = ledgers.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path, file_name=path.name)
    job = ledgers.run_job(job, commit=True)
    assert job.created == 40, job.problems
    dump = everything_stored()
    assert [n for n in ids if n in dump] == [] and "13800000007" not in dump
    m = member_by_id_number(ids[7])
    assert m.name == "职工7" and m.phone == "13800000007"
    # The same sheet again: found by the hash, nothing changes.
    again = ledgers.run_job(ledgers.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path,
                                               file_name=path.name), commit=True)
    assert again.unchanged == 40 and again.created == 0


def test_wrong_keys_fail_loudly_not_with_garbage(world, other_keys):
    other_keys(f"k1:{crypto.new_key()}")  # the id is right, the key is not
    with pytest.raises(crypto.DecryptionError):
        Member.objects.get(pk=world.zhangsan.pk)
    other_keys(f"zz:{crypto.new_key()}")
    with pytest.raises(crypto.DecryptionError, match="not among the configured"):
        Member.objects.get(pk=world.zhangsan.pk)


# ---------------------------------------------------------------- rotation


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_go(world, other_keys):
    f = hardship_file(world)
    old = crypto.environment()["UNIONWORK_DATA_KEYS"]
    new = f"k9:{crypto.new_key()}"
    other_keys(f"{new},{old}")  # the new key first, the old ones still there to read with
    out = StringIO()
    call_command("rotate_keys", "--status", stdout=out)
    assert "请运行 rotate_keys" in out.getvalue()
    assert stored(Member, world.zhangsan.pk, "id_number").split("$")[0] != "k9"

    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "以密钥 k9 重新加密" in out.getvalue()
    for model, columns, _ in crypto.encrypted_columns():
        counts = crypto.count_by_key(connection, model._meta.db_table, columns)
        assert set(counts) <= {"k9"}, (model, counts)
    event = AuditEvent.objects.filter(action="key_rotation").latest("id")
    assert event.data["key"] == "k9" and event.data["changed"]["会员"] >= 8

    other_keys(new)  # the old key removed: everything still reads
    assert Member.objects.get(pk=world.zhangsan.pk).id_number == "110102199101010078"
    assert HardshipFile.objects.get(pk=f.pk).health == HEALTH
    assert member_by_id_number(world.lisi.id_number) == world.lisi
    out = StringIO()
    call_command("rotate_keys", "--status", stdout=out)
    assert "旧密钥可以从环境变量中去掉" in out.getvalue()


def test_rotation_without_the_old_key_changes_nothing(world, other_keys):
    before = stored(Member, world.zhangsan.pk, "id_number")
    other_keys(f"k9:{crypto.new_key()}")  # the old key dropped too early
    with pytest.raises(CommandError, match="未做任何改动"):
        call_command("rotate_keys", stdout=StringIO())
    assert stored(Member, world.zhangsan.pk, "id_number") == before


def test_a_new_lookup_key_rehashes_every_member(world, other_keys):
    other_keys(crypto.environment()["UNIONWORK_DATA_KEYS"], lookup=crypto.new_key())
    assert member_by_id_number(world.zhangsan.id_number) is None  # the old hashes no longer match
    call_command("rotate_keys", stdout=StringIO())
    assert member_by_id_number(world.zhangsan.id_number) == world.zhangsan


def test_generate_prints_a_key_the_environment_accepts(other_keys):
    out = StringIO()
    call_command("rotate_keys", "--generate", "--key-id", "k2027", stdout=out, stderr=StringIO())
    line = out.getvalue().strip()
    assert line.startswith("k2027:")
    other_keys(line)
    assert crypto.decrypt(crypto.encrypt("13812345678")) == "13812345678"
    with pytest.raises(CommandError, match="密钥编号"):
        call_command("rotate_keys", "--generate", "--key-id", "k$1", stdout=StringIO(), stderr=StringIO())


def test_production_refuses_to_start_without_keys_in_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONWORK_", "DJANGO_ALLOW"))}
    env.update({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "testserver",
                "UNIONWORK_VAR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "unionwork.settings"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "UNIONWORK_DATA_KEYS" in result.stderr


def test_the_migration_encrypts_plain_rows_once_and_reverses(world):
    """directory/0004 and care/0002 run crypto.encrypt_table over rows written before encryption."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q('directory_member')} SET {q('id_number')} = %s, {q('phone')} = %s, "
                       f"{q('id_number_hash')} = %s WHERE id = %s",
                       ["110102199101010078", "13812345678", "", world.zhangsan.pk])
    editor = connection.schema_editor(atomic=False)
    crypto.encrypt_table(editor, "directory_member", ["id_number", "phone"], {"id_number_hash": "id_number"})
    once = stored(Member, world.zhangsan.pk, "id_number")
    assert crypto.is_encrypted(once) and member_by_id_number("110102199101010078") == world.zhangsan
    crypto.encrypt_table(editor, "directory_member", ["id_number", "phone"], {"id_number_hash": "id_number"})
    assert stored(Member, world.zhangsan.pk, "id_number") == once  # run again: left as it is
    crypto.encrypt_table(editor, "directory_member", ["id_number", "phone"], {}, reverse=True)
    assert stored(Member, world.zhangsan.pk, "id_number") == "110102199101010078"
    assert stored(Member, world.zhangsan.pk, "phone") == "13812345678"
