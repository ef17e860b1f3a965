from django.db import models

from unionwork.core.records import Record, quarter_of

from .choices import ActivityKind, AuthorRole, FacilityKind, ReportKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class QuarterMixin(models.Model):
    quarter = models.CharField("计入季度", max_length=6, blank=True, help_text="如 2026Q1；留空按日期")

    class Meta:
        abstract = True


class Activity(Record):
    AUDIT_FIELDS = ["kind", "title", "starts_on", "ends_on", "union", "partners", "participants", "person_times",
                    "content", "note"]

    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    union = models.ForeignKey("directory.Union", verbose_name="组织工会", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="activities")
    partners = models.CharField("共建单位", max_length=300, blank=True, help_text="多家用顿号分隔")
    participants = models.PositiveIntegerField("参加人数", default=0)
    person_times = models.PositiveIntegerField("参加人次", default=0)
    content = models.TextField("活动内容", blank=True)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.title


class Award(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="awards")
    title = models.CharField("奖项/名次", max_length=200, help_text="如 知识竞赛第一名")
    awarded_by = models.CharField("授予单位", max_length=200, blank=True)
    winner = models.CharField("获奖者", max_length=200, blank=True)

    class Meta:
        verbose_name = "获奖"
        ordering = ["id"]

    def __str__(self):
        return self.title


class Result(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="results")
    description = models.CharField("成果", max_length=200, help_text="如 路容整理、绿化栽植")
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    unit = models.CharField("单位", max_length=20, help_text="如 公里、株、人次")

    class Meta:
        verbose_name = "竞赛成果"
        ordering = ["id"]

    def __str__(self):
        return f"{self.description}{self.quantity.normalize():f}{self.unit}"


class Attachment(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件/照片", upload_to="attachments/%Y/%m/")
    caption = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "照片与附件"
        ordering = ["id"]

    def __str__(self):
        return self.caption or self.file.name


class Facility(Record):
    """阵地建设: facilities built or improved for workers."""

    AUDIT_FIELDS = ["kind", "name", "union", "built_on", "work_done", "cost", "note"]

    kind = models.CharField("类型", max_length=20, choices=FacilityKind.choices)
    name = models.CharField("名称", max_length=200)
    union = models.ForeignKey("directory.Union", verbose_name="所属工会", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="facilities")
    built_on = models.DateField("建成/改善日期")
    work_done = models.CharField("建设内容", max_length=300, help_text="如 购置图书500册、整修伙房")
    cost = models.DecimalField("投入（元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "阵地建设"
        verbose_name_plural = "阵地建设"
        ordering = ["-built_on", "-id"]

    def __str__(self):
        return self.name


class TrainingSession(Record):
    AUDIT_FIELDS = ["title", "held_on", "hours", "attendees", "trainer", "note"]

    title = models.CharField("培训名称", max_length=200)
    held_on = models.DateField("日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    attendees = models.PositiveIntegerField("参训人数")
    trainer = models.CharField("授课人", max_length=100, blank=True)

    class Meta:
        verbose_name = "干部培训"
        verbose_name_plural = "干部培训"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class MonthlyQuestion(Record):
    """每月一题: a question published to cadres, their answers and scores."""

    SHARED_DOWNWARD = True
    AUDIT_FIELDS = ["month", "question", "published_on", "full_score", "note"]

    month = models.CharField("月份", max_length=7, help_text="如 2026-03")
    question = models.TextField("题目")
    published_on = models.DateField("发布日期")
    full_score = models.PositiveSmallIntegerField("满分", default=100)

    class Meta:
        verbose_name = "每月一题"
        verbose_name_plural = "每月一题"
        ordering = ["-month", "-id"]

    def __str__(self):
        return f"{self.month} 每月一题"


class Answer(models.Model):
    question = models.ForeignKey(MonthlyQuestion, on_delete=models.CASCADE, related_name="answers")
    cadre = models.CharField("答题干部", max_length=50)
    cadre_node = models.ForeignKey("org.Node", verbose_name="所在组织", on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField("答题日期")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = "答题"
        ordering = ["cadre", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "cadre", "cadre_node"], name="one_answer_per_cadre")]

    def __str__(self):
        return f"{self.cadre} {self.score if self.score is not None else '未评分'}"


class CadreTest(Record):
    """半年测试 (or any test of cadres) and each cadre's score."""

    AUDIT_FIELDS = ["title", "held_on", "full_score", "note"]

    title = models.CharField("测试名称", max_length=200, help_text="如 2026年上半年工会业务知识测试")
    held_on = models.DateField("测试日期")
    full_score = models.PositiveSmallIntegerField("满分", default=100)

    class Meta:
        verbose_name = "干部测试"
        verbose_name_plural = "干部测试"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class CadreTestScore(models.Model):
    test = models.ForeignKey(CadreTest, on_delete=models.CASCADE, related_name="scores")
    cadre = models.CharField("干部", max_length=50)
    cadre_node = models.ForeignKey("org.Node", verbose_name="所在组织", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "测试成绩"
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["test", "cadre", "cadre_node"], name="one_score_per_cadre")]

    def __str__(self):
        return f"{self.cadre} {self.score}"


class InfoReport(QuarterMixin, Record):
    """信息报送: an information item reported upward; adopted or not."""

    AUDIT_FIELDS = ["title", "reported_on", "to_whom", "adopted", "outlet", "quarter", "note"]

    title = models.CharField("信息标题", max_length=200)
    reported_on = models.DateField("报送日期")
    to_whom = models.CharField("报送单位", max_length=100, help_text="如 区总工会、街道办事处")
    adopted = models.BooleanField("被录用", default=False)
    outlet = models.CharField("录用渠道", max_length=100, blank=True, help_text="如 区总工会简报、《天津工人报》")

    class Meta:
        verbose_name = "信息报送"
        verbose_name_plural = "信息报送"
        ordering = ["-reported_on", "-id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.quarter = self.quarter or quarter_of(self.reported_on)
        super().save(*args, **kwargs)


class Briefing(Record):
    AUDIT_FIELDS = ["title", "issue_no", "published_on", "note"]

    title = models.CharField("简报标题", max_length=200)
    issue_no = models.CharField("期号", max_length=20, blank=True)
    published_on = models.DateField("印发日期")

    class Meta:
        verbose_name = "简报"
        verbose_name_plural = "简报"
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return f"{self.title}{f'（第{self.issue_no}期）' if self.issue_no else ''}"


class ResearchReport(QuarterMixin, Record):
    """调研报告 and papers by chairs, vice-chairs and cadres; awards they won."""

    AUDIT_FIELDS = ["kind", "title", "author", "author_role", "union", "completed_on", "award", "quarter", "note"]

    kind = models.CharField("类型", max_length=16, choices=ReportKind.choices, default=ReportKind.RESEARCH)
    title = models.CharField("题目", max_length=200)
    author = models.CharField("作者", max_length=50)
    author_role = models.CharField("作者职务", max_length=16, choices=AuthorRole.choices)
    union = models.ForeignKey("directory.Union", verbose_name="作者所在工会", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="reports")
    completed_on = models.DateField("完成日期")
    award = models.CharField("获奖情况", max_length=200, blank=True, help_text="如 优秀论文")

    class Meta:
        verbose_name = "调研报告与论文"
        verbose_name_plural = "调研报告与论文"
        ordering = ["-completed_on", "-id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.quarter = self.quarter or quarter_of(self.completed_on)
        super().save(*args, **kwargs)
