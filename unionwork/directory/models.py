from django.db import models

from unionwork.core.fields import EncryptedTextField, LookupHashField
from unionwork.core.text import pinyin_keys

from .choices import (
    ETHNICITY_CHOICES,
    Education,
    Gender,
    Industry,
    MembershipEvent,
    MembershipStatus,
    OperatingStatus,
    PoliticalStatus,
    UnionKind,
    UnitCategory,
    WorkStatus,
)


class NamedPinyinMixin(models.Model):
    name = models.CharField("名称", max_length=120)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        abstract = True

    def refresh_pinyin(self):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)


class Enterprise(NamedPinyinMixin):
    # Lives in its community; also visible to the union that covers it.
    SCOPE_NODE_FIELD = ("node", "union__node")
    AUDIT_FIELDS = [
        "uscc", "name", "node", "unit_category", "industry", "employees", "female_employees",
        "migrant_workers", "status", "status_date", "established_on", "address", "contact_person",
        "contact_phone", "union", "note",
    ]

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    node = models.ForeignKey("org.Node", verbose_name="所属社区", on_delete=models.PROTECT, related_name="enterprises")
    unit_category = models.CharField("单位类别", max_length=3, choices=UnitCategory.choices, default=UnitCategory.PRIVATE)
    industry = models.CharField("行业", max_length=1, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField("职工人数", default=0)
    female_employees = models.PositiveIntegerField("女职工人数", default=0)
    migrant_workers = models.PositiveIntegerField("农民工人数", default=0)
    status = models.CharField("经营状态", max_length=16, choices=OperatingStatus.choices, default=OperatingStatus.OPERATING)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    union = models.ForeignKey(
        "directory.Union", verbose_name="所属工会", null=True, blank=True, on_delete=models.PROTECT,
        related_name="enterprises",
    )
    note = models.CharField("备注", max_length=500, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["node", "name"]),
            models.Index(fields=["name_pinyin"]),
            models.Index(fields=["name_initials"]),
            models.Index(fields=["status", "employees"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(female_employees__lte=models.F("employees")),
                                   name="enterprise_female_le_employees"),
        ]

    def __str__(self):
        return self.name


class Union(NamedPinyinMixin):
    """A grassroots union (基层工会). Its own node in the tree carries its scope and its groups."""

    SCOPE_NODE_FIELD = "node"
    AUDIT_FIELDS = [
        "name", "code", "kind", "founded_on", "chair_name", "chair_phone", "vice_chairs", "term_start",
        "term_end", "sign_shown", "chair_shown", "staff_home", "reading_room", "women_committee",
        "audit_committee", "mediation_committee", "law_supervision_group", "note",
    ]

    node = models.OneToOneField("org.Node", verbose_name="组织节点", on_delete=models.PROTECT, related_name="union")
    code = models.CharField("工会编码", max_length=40, blank=True)
    kind = models.CharField("建会方式", max_length=16, choices=UnionKind.choices, default=UnionKind.SINGLE)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    chair_name = models.CharField("工会主席", max_length=50, blank=True)
    chair_phone = models.CharField("主席电话", max_length=30, blank=True)
    vice_chairs = models.CharField("副主席", max_length=200, blank=True, help_text="多人用顿号或逗号分隔")
    term_start = models.DateField("本届起始日期", null=True, blank=True)
    term_end = models.DateField("本届届满日期", null=True, blank=True)
    sign_shown = models.BooleanField("工会亮牌子", default=False)
    chair_shown = models.BooleanField("主席亮身份", default=False)
    staff_home = models.BooleanField("职工之家", default=False)
    reading_room = models.BooleanField("职工书屋", default=False)
    women_committee = models.BooleanField("女职工委员会", default=False)
    audit_committee = models.BooleanField("经费审查委员会", default=False)
    mediation_committee = models.BooleanField("劳动争议调解委员会", default=False)
    law_supervision_group = models.BooleanField("劳动法律监督小组", default=False)
    note = models.CharField("备注", max_length=500, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "基层工会"
        verbose_name_plural = "基层工会"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name_pinyin"]),
            models.Index(fields=["name_initials"]),
            models.Index(fields=["term_end"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_start__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="union_term_order",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def community(self):
        return self.node.parent


class Member(models.Model):
    """A union member, real-name (会员实名制). One person, one row, one union at a time."""

    SCOPE_NODE_FIELD = "node"
    SENSITIVE_FIELDS = ("id_number", "phone")
    AUDIT_FIELDS = [
        "name", "gender", "ethnicity", "id_number", "birth_date", "phone", "education", "political_status",
        "enterprise", "union", "joined_on", "membership_status", "work_status", "is_migrant", "skills",
        "honours", "note",
    ]

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    # Encrypted at rest; found and kept unique by its keyed hash, only through
    # directory.selectors.with_id_number / members_with_id_numbers.
    id_number = EncryptedTextField("身份证号", plain_max_length=18)
    id_number_hash = LookupHashField(source="id_number", unique=True)
    birth_date = models.DateField("出生日期")
    phone = EncryptedTextField("手机号", blank=True, plain_max_length=20)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=16, choices=PoliticalStatus.choices, blank=True)
    # No single-column indexes of their own: the (enterprise, …), (union, membership_status) and the list
    # index begin with them.
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="工作单位", null=True, blank=True, on_delete=models.PROTECT, related_name="members",
        db_index=False,
    )
    union = models.ForeignKey(Union, verbose_name="所在工会", on_delete=models.PROTECT, related_name="members",
                              db_index=False)
    node = models.ForeignKey("org.Node", on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    joined_on = models.DateField("入会日期", null=True, blank=True)
    membership_status = models.CharField(
        "会籍状态", max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    work_status = models.CharField("人员状态", max_length=16, choices=WorkStatus.choices, default=WorkStatus.EMPLOYED)
    is_migrant = models.BooleanField("农民工", default=False)
    skills = models.CharField("技能特长", max_length=200, blank=True)
    honours = models.CharField("荣誉称号", max_length=200, blank=True, help_text="如 劳模、技术能手")
    note = models.CharField("备注", max_length=500, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "会员"
        verbose_name_plural = "会员"
        ordering = ["name", "id"]
        indexes = [
            # The member list's index: the scope (node), the archive flag, the filter bar's choices,
            # the default order and the search keys. A list's COUNT, its page of keys (ORDER BY name,
            # id) and name / pinyin / initials searches then read only this index, not the rows:
            # a district's 200,000 members in tens of ms (bench/directory.py).
            models.Index(fields=["node", "archived_at", "membership_status", "gender", "work_status", "is_migrant",
                                 "name", "name_pinyin", "name_initials"], name="directory_member_list_idx"),
            models.Index(fields=["name"]),
            models.Index(fields=["name_pinyin"]),
            models.Index(fields=["name_initials"]),
            models.Index(fields=["union", "membership_status"]),
            # Members per employer (the 入会率 numerator, an enterprise's page) from the index alone, in
            # enterprise order: 430 → 43 ms for a district's 200,000 members (docs/benchmarks.md).
            models.Index(fields=["enterprise", "membership_status", "archived_at", "node"],
                         name="directory_member_ent_idx"),
        ]

    def __str__(self):
        return self.name

    def refresh_pinyin(self):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)


class MemberNameGram(models.Model):
    """Each two-character piece of a member's name ("姜博涛": 姜博, 博涛), so that a search for a name in
    characters reads the few members holding its pieces instead of every name of a district
    (directory.selectors.name_contains). Kept by the database's own triggers (directory/name_grams.py),
    so every way a name is written (forms, imports' raw inserts, bulk updates) keeps it; never written
    by the application and shown nowhere."""

    pk = models.CompositePrimaryKey("gram", "member")
    gram = models.CharField(max_length=2)
    member = models.ForeignKey(Member, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        verbose_name = "姓名索引"
        verbose_name_plural = "姓名索引"

    def __str__(self):
        return self.gram


class Membership(models.Model):
    """One stay of a member in a union; transfers close one and open the next."""

    SCOPE_NODE_FIELD = "union__node"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey(Union, verbose_name="工会", on_delete=models.PROTECT, related_name="memberships")
    started_on = models.DateField("开始日期")
    start_event = models.CharField("开始方式", max_length=16, choices=MembershipEvent.choices)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_event = models.CharField("结束方式", max_length=16, choices=MembershipEvent.choices, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会籍记录"
        verbose_name_plural = "会籍记录"
        ordering = ["member", "started_on", "id"]
        constraints = [
            # At most one open stay per person: one union at a time, enforced by the database too.
            models.UniqueConstraint(fields=["member"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_membership_per_member"),
        ]

    def __str__(self):
        return f"{self.member} @ {self.union}"
