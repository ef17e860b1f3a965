from django.db import models


class ActivityKind(models.TextChoices):
    STUDY = "study", "学习教育"
    LABOUR_CONTEST = "labour_contest", "劳动竞赛"
    SKILL_CONTEST = "skill_contest", "技能比武/岗位练兵"
    CULTURE_SPORT = "culture_sport", "文体活动"
    LECTURE = "lecture", "讲座培训"
    VOLUNTEER = "volunteer", "志愿服务"
    VISIT = "visit", "走访慰问"
    CO_BUILDING = "co_building", "共建活动"
    OTHER = "other", "其他"


class FacilityKind(models.TextChoices):
    STAFF_HOME = "staff_home", "职工之家"
    READING_ROOM = "reading_room", "职工书屋"
    ACTIVITY_ROOM = "activity_room", "活动室"
    CANTEEN = "canteen", "伙房/食堂"
    GARDEN = "garden", "菜园"
    WELL = "well", "机井"
    OTHER = "other", "其他"


class ReportKind(models.TextChoices):
    RESEARCH = "research", "调研报告"
    PAPER = "paper", "论文"


class AuthorRole(models.TextChoices):
    CHAIR = "chair", "工会主席"
    VICE_CHAIR = "vice_chair", "工会副主席"
    CADRE = "cadre", "工会干部"
    OTHER = "other", "其他"
