"""Uploads are limited in size and type: a spreadsheet bomb, a huge CSV, a renamed program or an
oversized file is refused with a Chinese message before anything stores or parses it — on the
ledger import page, the import_ledger command, activity attachments and Word templates."""

import datetime
import io
import struct
import zlib

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from unionwork.activities.models import Attachment
from unionwork.core.kinds import all_kinds
from unionwork.core.uploads import check_upload
from unionwork.documents.models import DocumentTemplate
from unionwork.ledgers.models import ImportJob

MB = 1 << 20
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


# ---------------------------------------------------------------- building real bombs


def deflate_spaces(n_mb: int) -> tuple[bytes, int]:
    """Raw deflate of n_mb MB of spaces, and their CRC-32, without compressing n_mb MB: after a sync
    flush a deflate stream of a repeated block repeats itself, so one block's bytes serve for all."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * MB
    first = c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    steady = c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    assert steady == c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
    crc = 0
    for _ in range(n_mb):
        crc = zlib.crc32(block, crc)
    return first + steady * (n_mb - 1) + c.flush(), crc


def make_zip(members) -> bytes:
    """A zip of (name, raw deflate or plain bytes, crc, uncompressed size[, declared size]) members."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, *declared in members:
        declared = declared[0] if declared else size
        method = 8 if size != len(data) or declared != size else 0
        name_b = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), declared,
                              len(name_b), 0) + name_b + data)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), declared,
                                  len(name_b), 0, 0, 0, 0, 0, offset) + name_b)
    cd_offset, cd = out.tell(), central.getvalue()
    n = len(members)
    out.write(cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(cd), cd_offset, 0))
    return out.getvalue()


def xlsx_bomb(sheet_mb: int, declared_mb: int | None = None) -> bytes:
    data, crc = deflate_spaces(sheet_mb)
    return make_zip([("[Content_Types].xml", CONTENT_TYPES, zlib.crc32(CONTENT_TYPES), len(CONTENT_TYPES)),
                     ("xl/worksheets/sheet1.xml", data, crc, sheet_mb * MB,
                      (declared_mb if declared_mb is not None else sheet_mb) * MB)])


@pytest.fixture(scope="module")
def bomb_2gb():
    """About 2 MB of .xlsx whose worksheet inflates to 2 GB."""
    return xlsx_bomb(2048)


def real_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["张三", "110102199101010078"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def real_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("{{ title }}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


# ---------------------------------------------------------------- the check itself


def test_real_office_files_and_csv_pass():
    check_upload(upload("会员.xlsx", real_xlsx()), "ledger")
    check_upload(upload("会员.csv", "姓名,身份证号\n张三,110102199101010078\n".encode("gbk")), "ledger")
    check_upload(upload("总结.docx", real_docx()), "template")
    check_upload(upload("合影.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 100), "attachment")
    check_upload(upload("通知.pdf", b"%PDF-1.7\n..."), "attachment")


def test_spreadsheet_bomb_is_refused_before_parsing(bomb_2gb):
    assert len(bomb_2gb) < 3 * MB
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("会员.xlsx", bomb_2gb), "ledger")
    assert "压缩炸弹" in exc.value.messages[0] and "2.0 GB" in exc.value.messages[0]


def test_bomb_under_the_total_is_refused_by_its_compression_ratio():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("会员.xlsx", xlsx_bomb(300)), "ledger")  # 300 KB that inflates to 300 MB
    assert "压缩比异常" in exc.value.messages[0]


def test_bomb_that_lies_about_its_size_is_refused():
    # Declares 1 MB (ratio and total look harmless) but inflates to 64 MB.
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("会员.xlsx", xlsx_bomb(64, declared_mb=1)), "ledger")
    assert "压缩炸弹" in exc.value.messages[0] or "已损坏" in exc.value.messages[0]


@pytest.mark.parametrize("name, content, kind, expected", [
    ("会员.xlsx", b"MZ\x90\x00 a renamed program", "ledger", "内容不是 .xlsx 格式"),
    ("会员.xls", b"PK\x03\x04 zip, not OLE2", "ledger", "内容不是 .xls 格式"),
    ("会员.exe", b"MZ\x90\x00", "ledger", "只支持"),
    ("会员.csv", b"\x00\x01\x02binary", "ledger", "不是文本格式"),
    ("照片.jpg", b"%PDF-1.7", "attachment", "内容不是 .jpg 格式"),
    ("脚本.html", b"<script>alert(1)</script>", "attachment", "只支持"),
    ("模板.docx", b"PK\x03\x04broken", "template", "已损坏"),
    ("模板.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "template", "只支持 .docx"),
    ("空.xlsx", b"", "ledger", "是空的"),
])
def test_wrong_type_or_content_is_refused_with_a_clear_message(name, content, kind, expected):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, content), kind)
    assert expected in exc.value.messages[0]


def test_zip_without_office_structure_is_not_an_xlsx():
    z = make_zip([("evil.sh", b"rm -rf /", zlib.crc32(b"rm -rf /"), 8)])
    with pytest.raises(ValidationError, match="不是有效的 .xlsx 文件"):
        check_upload(upload("会员.xlsx", z), "ledger")


# ---------------------------------------------------------------- the pages and the command


def _media_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


def _ledger_post(client, world, name, content):
    return client.post("/ledgers/", {"kind": "members", "node": world.comm_a.pk, "mode": "all-or-nothing",
                                     "file": upload(name, content)})


def test_ledger_page_refuses_a_bomb_and_stores_nothing(world, login, media, bomb_2gb):
    r = _ledger_post(login(world.cadre_a), world, "会员.xlsx", bomb_2gb)
    assert r.status_code == 200
    assert "压缩炸弹" in r.content.decode()
    assert not ImportJob.objects.exists() and _media_files(media) == []


def test_ledger_page_refuses_a_csv_over_the_row_limit(world, login, media):
    huge = "姓名,身份证号\n".encode() + b"a,1\n" * 1_200_100  # 4.8 MB, 1.2 million rows
    r = _ledger_post(login(world.cadre_a), world, "会员.csv", huge)
    assert "超过 1,200,000 行的上限" in r.content.decode()
    assert not ImportJob.objects.exists() and _media_files(media) == []


def test_ledger_page_refuses_a_file_over_the_size_limit(world, login, media, settings):
    settings.UPLOAD_KINDS = {**settings.UPLOAD_KINDS, "ledger": {**settings.UPLOAD_KINDS["ledger"], "max_bytes": MB}}
    r = _ledger_post(login(world.cadre_a), world, "会员.csv", b"a,b\n" * (MB // 2))
    assert "超过台帐的上限 1.0 MB" in r.content.decode()
    assert not ImportJob.objects.exists() and _media_files(media) == []


def test_import_command_applies_the_same_checks(world, media, tmp_path, bomb_2gb):
    big = tmp_path / "会员.csv"
    with open(big, "wb") as f:  # a sparse 250 MB file: refused by its size before it is read
        f.truncate(250 * MB)
    with pytest.raises(CommandError, match="超过台帐的上限 200.0 MB"):
        call_command("import_ledger", str(big), kind="members", into=world.comm_a.code, no_progress=True)
    bomb = tmp_path / "会员.xlsx"
    bomb.write_bytes(bomb_2gb)
    with pytest.raises(CommandError, match="压缩炸弹"):
        call_command("import_ledger", str(bomb), kind="members", into=world.comm_a.code, no_progress=True)
    assert not ImportJob.objects.exists() and _media_files(media) == []


def test_template_upload_refuses_a_bomb_and_a_wrong_type(world, login, media):
    client = login(world.street_cadre)
    bomb = make_zip([("[Content_Types].xml", CONTENT_TYPES, zlib.crc32(CONTENT_TYPES), len(CONTENT_TYPES)),
                     ("word/document.xml", *deflate_spaces(100), 100 * MB)])
    for name, content, expected in [("总结.docx", bomb, "压缩炸弹"), ("总结.pdf", b"%PDF-1.7", "只支持 .docx")]:
        r = client.post("/documents/templates/", {"node": world.street1.pk, "kind": "summary", "name": "x",
                                                  "file": upload(name, content)}, follow=True)
        assert expected in r.content.decode()
    assert not DocumentTemplate.objects.exists() and _media_files(media) == []


def test_attachment_upload_refuses_a_renamed_file_and_an_oversized_one(world, login, media, settings):
    kind = all_kinds()["activities"]
    activity = kind.service.create(world.cadre_a, {"kind": "culture_sport", "title": "太极拳比赛",
                                                   "starts_on": datetime.date(2026, 5, 1), "node": world.comm_a})
    client = login(world.cadre_a)
    url = f"/activities/activities/{activity.pk}/attachments/new/"
    r = client.post(url, {"attachments-file": upload("照片.jpg", b"MZ\x90\x00 program"), "attachments-caption": "x"})
    assert r.status_code == 400 and "内容不是 .jpg 格式" in r.content.decode()
    settings.UPLOAD_KINDS = {**settings.UPLOAD_KINDS,
                             "attachment": {**settings.UPLOAD_KINDS["attachment"], "max_bytes": MB}}
    r = client.post(url, {"attachments-file": upload("通知.pdf", b"%PDF-1.7" + b"0" * (2 * MB)),
                          "attachments-caption": "x"})
    assert r.status_code == 400 and "超过附件的上限 1.0 MB" in r.content.decode()
    assert not Attachment.objects.exists() and _media_files(media) == []
