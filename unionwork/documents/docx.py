"""Word documents rendered with docxtpl from a template: the built-in one (laid out after GB/T 9704:
A4, 小标宋 二号 title, 黑体 三号 headings, 仿宋 三号 body, the usual margins) or a node's own upload.

Templates are rendered in Jinja's sandbox with plain data only (strings, numbers, lists and dicts built
from records the user may see), so a template can neither run code nor reach other nodes' data.
Font names are those of Chinese government machines; the East-Asian font is set explicitly so that
Word and WPS fall back to a Chinese face where one is missing.
"""

import io
from functools import lru_cache

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"

FIELDS = {
    "title": "文书标题，如“新华街道总工会2026年工作总结”",
    "node": "组织名称",
    "period": "期间，如“2026年”“2026年上半年”",
    "sections": "各部分：每项有 title（如“一、学习教育”）和 paragraphs（段落文字的列表）",
}


def _font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


@lru_cache(maxsize=1)
def builtin_template() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("{{ title }}"), TITLE_FONT, 22)
    doc.add_paragraph("{%p for s in sections %}")
    heading = doc.add_paragraph()
    heading.paragraph_format.first_line_indent = Pt(32)
    _font(heading.add_run("{{ s.title }}"), HEADING_FONT, 16)
    doc.add_paragraph("{%p for p in s.paragraphs %}")
    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(32)
    body.paragraph_format.line_spacing = Pt(28)
    _font(body.add_run("{{ p }}"), BODY_FONT, 16)
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def context(summary) -> dict:
    return {
        "title": summary.title,
        "node": summary.node.display_name if summary.node else "",
        "period": summary.period.label,
        "sections": [{"title": s.title, "paragraphs": ["".join(seg.text for seg in p) for p in s.paragraphs]}
                     for s in summary.sections],
    }


def render(template: bytes, data: dict) -> bytes:
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(data, jinja_env=SandboxedEnvironment(autoescape=True))
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def write(summary, template: bytes | None = None) -> bytes:
    return render(template or builtin_template(), context(summary))
