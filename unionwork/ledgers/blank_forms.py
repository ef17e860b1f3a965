"""The downloadable import template of each kind: the columns, drop-down lists for coded fields,
text-formatted code columns, and a sheet explaining every column."""

import io
import re

import xlsxwriter

from unionwork.directory.selectors import unions_for
from unionwork.org.selectors import communities_for

from . import cleaning
from .columns import columns_for, import_kinds

ROWS = 5000  # rows prepared with validation and text format


def build(kind: str, user) -> bytes:
    columns = columns_for(kind)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "、", f"{import_kinds()[kind]}台帐")[:31])
    notes = book.add_worksheet("填写说明")
    lists = book.add_worksheet("选项")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    head_required = book.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"})
    text = book.add_format({"num_format": "@"})
    dynamic = {}
    if any(c.dynamic == "communities" for c in columns):
        dynamic["communities"] = list(communities_for(user).values_list("name", flat=True))
    if any(c.dynamic == "unions" for c in columns):
        dynamic["unions"] = list(unions_for(user).filter(archived_at__isnull=True).values_list("name", flat=True)[:5000])
    list_col = 0
    ws.set_row(0, 30)
    for i, col in enumerate(columns):
        ws.write_string(0, i, col.header, head_required if col.required else head)
        ws.set_column(i, i, col.width, text if col.text_format else None)
        values = list(col.options) or dynamic.get(col.dynamic, [])
        if values:
            lists.write_string(0, list_col, col.header)
            for r, value in enumerate(values, start=1):
                lists.write_string(r, list_col, value)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            ws.data_validation(1, i, ROWS, i, {
                "validate": "list", "source": f"=选项!${letter}$2:${letter}${len(values) + 1}",
                "error_type": "warning", "error_title": col.header,
                "error_message": f"请从下拉列表中选择{col.header}", "ignore_blank": True,
            })
            list_col += 1
        if col.parse is cleaning.date:
            ws.write_comment(0, i, "日期可写作 2019-03-05、2019.3.5、2019/3/5、2019年3月5日 或 20190305")
    ws.freeze_panes(1, 0)
    lists.hide()

    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 70)
    notes.set_column(3, 3, 26)
    notes.set_column(4, 4, 30)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.write_row(0, 0, ["列名", "必填", "说明", "示例", "也可写作（表头同义词）"], head)
    for r, col in enumerate(columns, start=1):
        notes.write_string(r, 0, col.header, wrap)
        notes.write_string(r, 1, "是" if col.required else "", wrap)
        notes.write_string(r, 2, col.note or "", wrap)
        notes.write_string(r, 3, col.example or "", wrap)
        notes.write_string(r, 4, "、".join(col.synonyms), wrap)
    r = len(columns) + 2
    for line in [
        "通用说明：",
        "1. 表头可以放在标题行下方；空行和“合计/小计”行会自动跳过；列的顺序不限，不认识的列会被忽略。",
        "2. 身份证号、信用代码、手机号请保持文本格式，否则 Excel 会把长数字变成 1.10105E+17 并丢失末几位，这样的号码无法导入。",
        "3. 已登记的记录按身份证号（会员）、统一社会信用代码（企业）、工会名称+社区或工会编码（工会）识别：再次导入会更新有变化的内容，"
        "空白单元格不会清空已有内容；重复导入同一文件不会产生任何变化。",
        "4. 默认“全部正确才导入”：只要有一行有错，就不写入任何数据。也可以选择“导入正确的行”，出错的行会连同原行号和错误原因退回，"
        "改正后可再次导入。",
        "5. 会员已在其他工会的，导入不会自动转会，请在系统中办理转会。",
    ]:
        notes.write_string(r, 0, line)
        r += 1
    book.close()
    return out.getvalue()
