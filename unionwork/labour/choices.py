from django.db import models


class ContractKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合集体合同"
    WAGE = "wage", "工资专项集体合同"
    WOMEN = "women", "女职工权益保护专项集体合同"
    SAFETY = "safety", "劳动安全卫生专项集体合同"


class ContractReach(models.TextChoices):
    ENTERPRISE = "enterprise", "单个企业"
    INDUSTRY = "industry", "行业性"
    REGIONAL = "regional", "区域性"


class FilingStatus(models.TextChoices):
    NOT_FILED = "not_filed", "未备案"
    FILED = "filed", "已报送备案"
    APPROVED = "approved", "备案审查通过"


class HarmonyLevel(models.TextChoices):
    A = "A", "A级"
    AA = "AA", "AA级"
    AAA = "AAA", "AAA级"


LEVEL_RANK = {"A": 1, "AA": 2, "AAA": 3}


class DisputeKind(models.TextChoices):
    WAGES = "wages", "欠薪"
    CONTRACT = "contract", "劳动合同"
    SOCIAL_INSURANCE = "social_insurance", "社会保险"
    INJURY = "injury", "工伤"
    OTHER = "other", "其他"


class Mediator(models.TextChoices):
    ENTERPRISE = "enterprise", "企业劳动争议调解委员会"
    COMMUNITY = "community", "社区调解组织"
    STREET = "street", "街道调解组织"


class DisputeOutcome(models.TextChoices):
    PENDING = "pending", "调解中"
    SUCCESS = "success", "调解成功"
    ARBITRATION = "arbitration", "调解不成转仲裁"
    WITHDRAWN = "withdrawn", "撤回"


class MeetingKind(models.TextChoices):
    CONGRESS = "congress", "职工代表大会"
    ASSEMBLY = "assembly", "职工大会"


class OpenAffairsKind(models.TextChoices):
    FACTORY = "factory", "厂务公开"
    ENTERPRISE = "enterprise", "企务公开"
    GOVERNMENT = "government", "政务公开"


MEDIATION_DAYS = 15  # 《劳动争议调解仲裁法》: mediation not ended 15 days after application may go to arbitration
EXPIRY_WARNING_DAYS = 90
