"""The columns of each ledger: Chinese headers (and the synonyms found in real sheets), parsers,
and the notes printed on the template's explanation sheet."""

import re
from dataclasses import dataclass, field
from functools import partial

from unionwork.directory.choices import (
    ETHNICITIES,
    Education,
    Industry,
    MembershipStatus,
    OperatingStatus,
    PoliticalStatus,
    UnionKind,
    UnitCategory,
    WorkStatus,
)

from . import cleaning as c


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    parse: object = c.text
    synonyms: tuple = ()
    required: bool = False
    note: str = ""
    example: str = ""
    options: tuple = ()  # drop-down values in the template
    dynamic: str = ""  # "communities" / "unions": drop-down filled from the user's scope
    width: int = 14
    text_format: bool = False  # stored as text in the template so Excel keeps every digit
    names: tuple = field(default=(), compare=False)


def _labels(choices):
    return tuple(re.sub(r"^[0-9A-Z]+\s", "", str(label)) for _, label in choices)


def _yn(note):
    return dict(parse=c.yes_no, note=note + "填 是/否（也可 √/×、Y/N）；留空不修改", options=("是", "否"), width=10)


MEMBER_COLUMNS = [
    # Members are inserted without the model's validation: the text columns check their length here.
    Col("name", "姓名", c.limited(c.compact, 50), ("会员姓名", "职工姓名"), True, "会员的真实姓名", "张三", width=10),
    Col("id_number", "身份证号", c.id_number, ("身份证号码", "公民身份号码", "公民身份证号", "证件号码", "身份证", "身份证件号码"),
        True, "18位（旧版15位会自动升位），末位X大小写均可；请设为文本格式，避免 Excel 丢失末几位",
        "11010519491231002X", width=22, text_format=True),
    Col("gender", "性别", c.gender, ("性 别",), False, "男/女；留空则按身份证号确定，与身份证号矛盾时报错", "男",
        options=("男", "女"), width=8),
    Col("ethnicity", "民族", partial(c.choice, choices=[(e, e) for e in ETHNICITIES]), (), False, "如 汉族、回族", "汉族",
        options=tuple(ETHNICITIES), width=10),
    Col("birth_date", "出生日期", c.date, ("出生年月", "出生年月日"), False, "可留空（按身份证号）；填写时须与身份证号一致",
        "1949-12-31", width=12),
    Col("phone", "手机号", c.compact, ("手机", "手机号码", "联系电话", "电话", "联系方式"), False, "11位大陆手机号",
        "13812345678", width=14, text_format=True),
    Col("education", "学历", partial(c.choice, choices=Education.choices), ("文化程度",), False, "", "本科",
        options=_labels(Education.choices)),
    Col("political_status", "政治面貌", partial(c.choice, choices=PoliticalStatus.choices), (), False, "", "群众",
        options=_labels(PoliticalStatus.choices)),
    Col("union", "所在工会", c.compact, ("工会名称", "基层工会", "所属工会", "工会"), True,
        "基层工会全称，须是本辖区已建立的工会（在“基层工会”中查看）；导入到某个工会时可留空", "天运科技有限公司工会委员会",
        dynamic="unions", width=30),
    Col("community", "所在社区", c.compact, ("社区", "所属社区", "社区名称"), False,
        "工会重名时用来区分；导入到某个社区时可留空", "天运社区", dynamic="communities", width=14),
    Col("enterprise_uscc", "单位统一社会信用代码", c.compact, ("工作单位信用代码", "单位信用代码", "单位代码"), False,
        "工作单位的统一社会信用代码（优先于单位名称）", "91350100M000100Y43", width=22, text_format=True),
    Col("enterprise_name", "工作单位", c.compact, ("单位名称", "所在单位", "工作单位名称", "单位"), False,
        "本辖区已登记的企业名称", "天运科技有限公司", width=28),
    Col("joined_on", "入会日期", c.date, ("入会时间", "入会年月"), False, "可写作 2019-03-05、2019.3.5、2019年3月5日、20190305",
        "2019-03-05", width=12),
    Col("membership_status", "会籍状态", partial(c.choice, choices=MembershipStatus.choices), ("会籍",), False,
        "新会员一律为“已入会”；退会、转会请在系统中办理", "已入会", options=_labels(MembershipStatus.choices)),
    Col("work_status", "人员状态", partial(c.choice, choices=WorkStatus.choices), ("在职状态", "人员类别"), False, "",
        "在职", options=_labels(WorkStatus.choices)),
    Col("is_migrant", "农民工", example="否", synonyms=("是否农民工",), **_yn("")),
    Col("skills", "技能特长", c.limited(c.text, 200), ("特长", "技能"), False, "", "电工"),
    Col("honours", "荣誉称号", c.limited(c.text, 200), ("荣誉", "获得荣誉"), False, "如 劳模、技术能手", ""),
    Col("note", "备注", c.limited(c.text, 500), (), False, "", ""),
]

ENTERPRISE_COLUMNS = [
    Col("uscc", "统一社会信用代码", c.compact, ("信用代码", "社会信用代码", "统一代码", "统一社会信用代码证号"), True,
        "18位，按 GB 32100 校验", "91350100M000100Y43", width=22, text_format=True),
    Col("name", "单位名称", c.text, ("企业名称", "名称", "单位全称", "企业(单位)名称"), True, "", "天运科技有限公司", width=30),
    Col("community", "所属社区", c.compact, ("社区", "所在社区", "社区名称"), True, "本辖区的社区；导入到某个社区时可留空",
        "天运社区", dynamic="communities"),
    Col("unit_category", "单位类别", partial(c.choice, choices=UnitCategory.choices), ("单位性质", "企业类型", "经济类型"),
        False, "可填代码或名称，如 170 或 私营", "私营", options=_labels(UnitCategory.choices)),
    Col("industry", "行业", partial(c.choice, choices=Industry.choices), ("所属行业", "行业门类"), False,
        "GB/T 4754 门类，可填字母或名称", "制造业", options=_labels(Industry.choices), width=20),
    Col("employees", "职工人数", c.count, ("职工数", "在岗职工数", "从业人数", "职工总数", "员工人数"), False, "", "30"),
    Col("female_employees", "女职工人数", c.count, ("女职工数", "其中女职工"), False, "不多于职工人数", "12"),
    Col("migrant_workers", "农民工人数", c.count, ("农民工数", "其中农民工"), False, "不多于职工人数", "5"),
    Col("status", "经营状态", partial(c.choice, choices=OperatingStatus.choices), ("状态", "经营情况"), False,
        "新登记默认正常经营；已登记企业的状态请在系统中变更", "正常经营", options=_labels(OperatingStatus.choices)),
    Col("established_on", "成立日期", c.date, ("成立时间", "注册日期"), False, "", "2015-06-01"),
    Col("address", "地址", c.text, ("单位地址", "注册地址", "经营地址"), False, "", "天运路8号", width=30),
    Col("contact_person", "联系人", c.compact, ("联系人姓名",), False, "", "李四"),
    Col("contact_phone", "联系电话", c.compact, ("电话", "联系方式", "手机"), False, "手机或固定电话", "022-12345678",
        text_format=True),
    Col("note", "备注", c.text, (), False, "", ""),
]

UNION_COLUMNS = [
    Col("name", "工会名称", c.text, ("基层工会名称", "工会全称", "名称"), True, "", "天运科技有限公司工会委员会", width=30),
    Col("community", "所在社区", c.compact, ("社区", "所属社区"), True, "导入到某个社区时可留空", "天运社区",
        dynamic="communities"),
    Col("code", "工会编码", c.compact, ("编码", "工会代码", "工会法人资格证号"), False, "填写后以编码识别同一工会", ""),
    Col("kind", "建会方式", partial(c.choice, choices=UnionKind.choices + [("single", "单独"), ("joint", "联合")]),
        ("建会形式", "组建方式", "工会类型"), False, "单独建会 / 联合基层工会", "单独建会", options=_labels(UnionKind.choices)),
    Col("founded_on", "成立日期", c.date, ("建会日期", "成立时间", "建会时间"), False, "", "2018-05-01"),
    Col("chair_name", "工会主席", c.compact, ("主席", "主席姓名"), False, "", "王五"),
    Col("chair_phone", "主席电话", c.compact, ("主席联系电话", "联系电话"), False, "", "13812345678", text_format=True),
    Col("vice_chairs", "副主席", c.text, ("副主席姓名",), False, "多人用顿号分隔", "赵六、钱七"),
    Col("term_start", "本届起始", c.date, ("本届起始日期", "换届日期", "任期开始"), False, "", "2023-05-01"),
    Col("term_end", "届满日期", c.date, ("本届届满日期", "任期届满", "任期结束"), False, "不早于本届起始", "2028-04-30"),
    Col("sign_shown", "工会亮牌子", **_yn("")),
    Col("chair_shown", "主席亮身份", **_yn("")),
    Col("staff_home", "职工之家", **_yn("")),
    Col("reading_room", "职工书屋", **_yn("")),
    Col("women_committee", "女职工委员会", **_yn("")),
    Col("audit_committee", "经费审查委员会", synonyms=("经审委员会",), **_yn("")),
    Col("mediation_committee", "劳动争议调解委员会", synonyms=("调解委员会",), **_yn("")),
    Col("law_supervision_group", "劳动法律监督小组", **_yn("")),
    Col("enterprise_usccs", "覆盖企业信用代码", c.text, ("覆盖企业", "所覆盖企业统一社会信用代码"), False,
        "本工会覆盖企业的统一社会信用代码，多家用顿号或逗号分隔；留空不修改", "91350100M000100Y43", width=30),
    Col("note", "备注", c.text, (), False, "", ""),
]

COLUMNS = {"members": MEMBER_COLUMNS, "enterprises": ENTERPRISE_COLUMNS, "unions": UNION_COLUMNS}
KIND_LABELS = {"members": "会员", "enterprises": "企业", "unions": "基层工会"}


def import_kinds() -> dict:
    """Every importable kind: the directory's three and each declared record kind. {key: label}"""
    from unionwork.core.kinds import all_kinds

    return {**KIND_LABELS, **{slug: kind.label for slug, kind in all_kinds().items()}}


def columns_for(kind: str) -> list:
    if kind in COLUMNS:
        return COLUMNS[kind]
    from unionwork.core.kinds import all_kinds

    from .kind_import import kind_columns

    return kind_columns(all_kinds()[kind])


def normalize_header(value) -> str:
    """"身份证号码*（必填）" → "身份证号码": what a header says once notes and marks are dropped."""
    s = c.compact(value)
    s = re.sub(r"[（(【\[].*?[)）】\]]", "", s)
    return s.strip("*＊:：#").replace("\n", "")


def header_index(kind) -> dict[str, str]:
    index = {}
    for col in columns_for(kind):
        for name in (col.header, *col.synonyms):
            index.setdefault(normalize_header(name), col.key)
    return index
