from django.db import models


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all-or-nothing", "全部正确才导入"
    VALID_ROWS = "valid-rows", "导入正确的行，退回有错的行"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    CHECKING = "checking", "检查中"
    CHECKED = "checked", "待确认"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    REJECTED = "rejected", "未导入（有错误）"
    FAILED = "failed", "出错"
    CANCELLED = "cancelled", "已取消"
