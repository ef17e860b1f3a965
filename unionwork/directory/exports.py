"""The columns of the directory exports: the Chinese headers the import recognises, so an export
re-imports unchanged."""

from unionwork.core.exports import Column

from .choices import Education, Gender, MembershipStatus, PoliticalStatus, WorkStatus

ENTERPRISE_COLUMNS = [
    Column("统一社会信用代码", lambda e: e.uscc, width=22),
    Column("单位名称", lambda e: e.name, width=30),
    Column("所属社区", lambda e: e.node.name),
    Column("单位类别", lambda e: e.get_unit_category_display()),
    Column("行业", lambda e: e.get_industry_display()),
    Column("职工人数", lambda e: e.employees),
    Column("女职工人数", lambda e: e.female_employees),
    Column("农民工人数", lambda e: e.migrant_workers),
    Column("经营状态", lambda e: e.get_status_display()),
    Column("所属工会", lambda e: e.union.name if e.union_id else "", width=28),
    Column("联系人", lambda e: e.contact_person),
    Column("联系电话", lambda e: e.contact_phone, sensitive="phone"),
    Column("地址", lambda e: e.address, width=30),
]

UNION_COLUMNS = [
    Column("工会名称", lambda u: u.name, width=30),
    Column("工会编码", lambda u: u.code),
    Column("所在社区", lambda u: u.node.parent.name if u.node.parent_id else ""),
    Column("建会方式", lambda u: u.get_kind_display()),
    Column("成立日期", lambda u: u.founded_on),
    Column("工会主席", lambda u: u.chair_name),
    Column("副主席", lambda u: u.vice_chairs),
    Column("本届起始", lambda u: u.term_start),
    Column("届满日期", lambda u: u.term_end),
    Column("工会亮牌子", lambda u: u.sign_shown),
    Column("主席亮身份", lambda u: u.chair_shown),
    Column("职工之家", lambda u: u.staff_home),
    Column("职工书屋", lambda u: u.reading_room),
]

MEMBER_COLUMNS = [
    Column("姓名", lambda m: m.name, field="name"),
    Column("性别", lambda m: m.get_gender_display(), width=6, field="gender", labels=Gender.choices),
    Column("民族", lambda m: m.ethnicity, width=8, field="ethnicity"),
    Column("身份证号", lambda m: m.id_number, sensitive="id_number", width=22, field="id_number"),
    Column("出生日期", lambda m: m.birth_date, field="birth_date"),
    Column("手机号", lambda m: m.phone, sensitive="phone", field="phone"),
    Column("学历", lambda m: m.get_education_display(), field="education", labels=Education.choices),
    Column("政治面貌", lambda m: m.get_political_status_display(), field="political_status",
           labels=PoliticalStatus.choices),
    Column("工作单位", lambda m: m.enterprise.name if m.enterprise_id else "", width=28, field="enterprise__name",
           blank=""),
    Column("单位统一社会信用代码", lambda m: m.enterprise.uscc if m.enterprise_id else "", width=22,
           field="enterprise__uscc", blank=""),
    Column("所在工会", lambda m: m.union.name, width=28, field="union__name"),
    Column("所在社区", lambda m: m.union.node.parent.name if m.union.node.parent_id else "",
           field="union__node__parent__name", blank=""),
    Column("入会日期", lambda m: m.joined_on, field="joined_on"),
    Column("会籍状态", lambda m: m.get_membership_status_display(), field="membership_status",
           labels=MembershipStatus.choices),
    Column("人员状态", lambda m: m.get_work_status_display(), field="work_status", labels=WorkStatus.choices),
    Column("农民工", lambda m: m.is_migrant, width=8, field="is_migrant"),
]
