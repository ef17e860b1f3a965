"""The summary as a Word document laid out after GB/T 9704 (A4, 小标宋 二号 title, 仿宋 三号 body).

Font names are the usual ones of Chinese government machines; Word and WPS fall back to a similar
face where one is missing, and the East-Asian font is set explicitly so the fallback stays Chinese.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"


def _font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


def write(summary) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(summary.title), TITLE_FONT, 22)
    for s in summary.sections:
        heading = doc.add_paragraph()
        heading.paragraph_format.first_line_indent = Pt(32)
        _font(heading.add_run(s.title), HEADING_FONT, 16)
        for segments in s.paragraphs:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = Pt(28)
            _font(p.add_run("".join(seg.text for seg in segments)), BODY_FONT, 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
