"""Uploading a node's own Word template: checked by rendering it in the sandbox before it is kept."""

from django.core.exceptions import ValidationError
from django.db import transaction
from jinja2 import TemplateError
from jinja2.exceptions import SecurityError

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_can_write, scoped
from unionwork.core.uploads import check_upload

from . import docx
from .models import DocumentTemplate

SAMPLE = {"title": "示例工作总结", "node": "示例社区联合工会", "period": "2026年",
          "sections": [{"title": "一、学习教育", "paragraphs": ["开展学习教育3次。"]}]}


def check_template(data: bytes):
    try:
        docx.render(data, SAMPLE)
    except SecurityError as exc:
        raise ValidationError({"file": [f"模板中含有不允许的内容（{exc}），只能使用说明中列出的字段"]}) from None
    except TemplateError as exc:
        raise ValidationError({"file": [f"模板语法有误：{exc}"]}) from None
    except Exception as exc:  # not a .docx, or a broken one
        raise ValidationError({"file": [f"无法作为 Word 模板读取（{exc.__class__.__name__}）：请上传 .docx 文件"]}) from None


@transaction.atomic
def upload(user, node, kind, name, uploaded):
    ensure_can_write(user, Perm.CREATE, node)
    try:
        check_upload(uploaded, "template")  # size, .docx by content, zip bomb: before docxtpl opens it
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    data = uploaded.read()
    check_template(data)
    uploaded.seek(0)
    template = DocumentTemplate.objects.create(node=node, kind=kind, name=name or uploaded.name, file=uploaded,
                                               created_by=user)
    audit.record_created(template, user)
    return template


def template_for(user, node, kind) -> bytes | None:
    """The newest template for this node or the nearest node above it that the user may use."""
    ids = node.ancestor_ids() if node else []
    found = (scoped(user, DocumentTemplate).filter(kind=kind, node_id__in=ids, archived_at__isnull=True)
             .order_by("-node__depth", "-created_at").first())
    if found is None:
        return None
    with found.file.open("rb") as f:
        return f.read()
