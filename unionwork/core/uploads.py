"""The one check every uploaded file goes through before anything stores or parses it.

Per kind of upload (settings.UPLOAD_KINDS): a size limit, the allowed extensions, and the content
checked by its magic bytes (an .xlsx renamed from an .exe is refused). Zip-based files (.xlsx, .docx,
.ods …) are also checked member by member: the total uncompressed size and the compression ratio
declared in the archive, then every member inflated with a cap, because a parser trusts what the
archive says and a spreadsheet bomb lies (100 KB that inflates to gigabytes). A CSV is checked for
text (no NUL bytes) and a row limit.

check_upload() raises ValidationError with a Chinese message; it reads the file and leaves it at 0.
"""

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat as _filesizeformat

MB = 1024 * 1024

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc / .ppt (Compound File Binary)
MAGIC = {
    ".xlsx": [ZIP], ".xlsm": [ZIP], ".docx": [ZIP], ".pptx": [ZIP], ".ods": [ZIP],
    ".xls": [OLE2], ".doc": [OLE2], ".ppt": [OLE2],
    ".pdf": [b"%PDF-"],
    ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".gif": [b"GIF87a", b"GIF89a"],
    ".webp": [b"RIFF"],  # plus "WEBP" at offset 8, checked below
}
OOXML = {".xlsx", ".xlsm", ".docx", ".pptx"}


@dataclass(frozen=True)
class UploadKind:
    label: str
    extensions: tuple
    max_bytes: int
    max_uncompressed: int  # zip-based files: all members inflated
    max_rows: int = 0  # CSV: data rows (0: no CSV allowed or no limit)


def _kinds() -> dict:
    return {name: UploadKind(**spec) for name, spec in settings.UPLOAD_KINDS.items()}


def upload_kind(name: str) -> UploadKind:
    return _kinds()[name]


def filesizeformat(n) -> str:
    return _filesizeformat(n).replace("\xa0", " ")  # a plain space: the message is also printed by commands


def _fail(message):
    raise ValidationError(message, code="upload")


def check_upload(f, kind: str, name: str | None = None) -> None:
    """Refuse `f` (an UploadedFile, an open binary file or a path) unless it is a sound file of `kind`."""
    spec = upload_kind(kind)
    if isinstance(f, str | Path):
        with open(f, "rb") as fh:
            return check_upload(fh, kind, name or Path(f).name)
    name = name or getattr(f, "name", "") or ""
    suffix = Path(name).suffix.lower()
    if suffix not in spec.extensions:
        _fail(f"{spec.label}只支持 {'、'.join(spec.extensions)} 文件，“{Path(name).name}”的类型不允许上传")
    size = _size(f)
    if size == 0:
        _fail(f"文件“{Path(name).name}”是空的")
    if size > spec.max_bytes:
        _fail(f"文件“{Path(name).name}”有 {filesizeformat(size)}，超过{spec.label}的上限 "
              f"{filesizeformat(spec.max_bytes)}，请拆分后分批上传")
    try:
        f.seek(0)
        head = f.read(16)
        if suffix == ".csv":
            _check_csv(f, head, spec, name)
        else:
            if not any(head.startswith(m) for m in MAGIC[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
                _fail(f"文件“{Path(name).name}”的内容不是 {suffix} 格式（可能是改了扩展名的其他文件），请上传原始文件")
            if head.startswith(ZIP):
                _check_zip(f, spec, name, suffix, size)
    finally:
        f.seek(0)


def _size(f) -> int:
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    return size


def _check_csv(f, head, spec, name):
    f.seek(0)
    rows, first = 0, True
    while block := f.read(MB):
        if first and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            _fail(f"CSV 文件“{Path(name).name}”是 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
        first = False
        if b"\x00" in block:
            _fail(f"文件“{Path(name).name}”不是文本格式的 CSV（含有二进制内容），请上传 .csv 或 .xlsx 文件")
        rows += block.count(b"\n")
        if spec.max_rows and rows > spec.max_rows + 1:  # +1: the header row
            _fail(f"CSV 文件“{Path(name).name}”超过 {spec.max_rows:,} 行的上限，请拆分后分批上传")


def _check_zip(f, spec, name, suffix, size):
    label = Path(name).name
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if suffix in OOXML and "[Content_Types].xml" not in names:
                _fail(f"文件“{label}”不是有效的 {suffix} 文件（缺少 Office 文档结构）")
            declared = sum(i.file_size for i in infos)
            if declared > spec.max_uncompressed:
                _fail(f"文件“{label}”解压后有 {filesizeformat(declared)}，超过上限 "
                      f"{filesizeformat(spec.max_uncompressed)}：可能是恶意构造的压缩炸弹，已拒绝")
            max_ratio = settings.UPLOAD_ZIP_MAX_RATIO
            for i in infos:
                if i.file_size > MB and i.file_size > max_ratio * max(i.compress_size, 1):
                    _fail(f"文件“{label}”中的“{i.filename}”压缩比异常（{i.file_size // max(i.compress_size, 1):,} 倍）："
                          f"可能是恶意构造的压缩炸弹，已拒绝")
            # Inflate every member with a cap: the sizes above are what the archive claims.
            for i in infos:
                if i.is_dir():
                    continue
                produced = 0
                with z.open(i) as member:
                    while chunk := member.read(MB):
                        produced += len(chunk)
                        if produced > i.file_size:
                            _fail(f"文件“{label}”中的“{i.filename}”解压后大于它声明的大小：可能是压缩炸弹，已拒绝")
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError) as exc:  # zlib.error: a broken deflate stream; RuntimeError: an encrypted member
        raise ValidationError(f"文件“{label}”已损坏，无法打开（{exc.__class__.__name__}），请重新保存后上传",
                              code="upload") from None
