from django.db import models


class HardshipCategory(models.TextChoices):
    DEEP = "deep", "深度困难"
    RELATIVE = "relative", "相对困难"
    ACCIDENT = "accident", "意外致困"
    NONE = "none", "不符合建档标准"


class HardshipCause(models.TextChoices):
    NO_WORK_ABILITY = "no_work_ability", "无劳动能力"
    UNEMPLOYED_ABLE = "unemployed_able", "有劳动能力未就业"
    LAID_OFF = "laid_off", "下岗失业"
    UNINSURED = "uninsured", "未参保"
    BENEFITS_SHORT = "benefits_short", "社保待遇不到位"
    SERIOUS_ILLNESS = "serious_illness", "重特大疾病"
    DISASTER = "disaster", "自然灾害"
    ACCIDENT = "accident", "意外事故"
    SCHOOLING = "schooling", "子女上学"
    OTHER = "other", "其他"


ACCIDENT_CAUSES = {HardshipCause.DISASTER, HardshipCause.ACCIDENT}


class FileStatus(models.TextChoices):
    DRAFT = "draft", "待审批"
    ACTIVE = "active", "在档"
    OUT_OF_HARDSHIP = "out", "脱困"
    RELIEVED = "relieved", "解困"


class ApprovalLevel(models.TextChoices):
    COMMUNITY = "community", "社区工会"
    STREET = "street", "街道总工会"
    DISTRICT = "district", "区总工会"


class CampaignKind(models.TextChoices):
    SPRING_JOBS = "spring_jobs", "春送岗位"
    SUMMER_COOL = "summer_cool", "夏送清凉"
    AUTUMN_SCHOOL = "autumn_school", "金秋助学"
    WINTER_WARMTH = "winter_warmth", "冬送温暖"
    FESTIVAL = "festival", "节日慰问"
    MEDICAL = "medical", "医疗救助"
    CUSTOM = "custom", "其他"


class AidForm(models.TextChoices):
    CASH = "cash", "现金"
    GOODS = "goods", "物资"
    SERVICE = "service", "服务"


class FundingSource(models.TextChoices):
    UNION = "union", "工会经费"
    SUPERIOR = "superior", "上级工会拨款"
    GOVERNMENT = "government", "政府资金"
    DONATION = "donation", "社会捐赠"
    OTHER = "other", "其他"


class DonorKind(models.TextChoices):
    UNIT = "unit", "单位"
    PERSON = "person", "个人"


class SeekerStatus(models.TextChoices):
    SEEKING = "seeking", "求职中"
    PLACED = "placed", "已就业"
    WITHDRAWN = "withdrawn", "已注销"


class JobEventKind(models.TextChoices):
    FAIR = "fair", "招聘会"
    JOBS_TO_COMMUNITY = "jobs_to_community", "送岗位进社区"
    TRAINING = "training", "再就业培训班"
