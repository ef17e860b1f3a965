from django.db import models


class UnitCategory(models.TextChoices):
    STATE = "110", "110 国有"
    COLLECTIVE = "120", "120 集体"
    COOP = "130", "130 股份合作"
    JOINT = "140", "140 联营"
    LLC = "150", "150 有限责任公司"
    JSC = "160", "160 股份有限公司"
    PRIVATE = "170", "170 私营"
    OTHER_ENTERPRISE = "190", "190 其他企业"
    HK_MO_TW = "200", "200 港澳台商投资"
    FOREIGN = "300", "300 外商投资"
    INSTITUTION = "400", "400 事业单位"
    ORGAN = "500", "500 机关"
    INDIVIDUAL = "600", "600 个体工商户"
    PRIVATE_NONPROFIT = "700", "700 民办非企业"
    OTHER = "900", "900 其他"


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", "A 农、林、牧、渔业"
    B = "B", "B 采矿业"
    C = "C", "C 制造业"
    D = "D", "D 电力、热力、燃气及水生产和供应业"
    E = "E", "E 建筑业"
    F = "F", "F 批发和零售业"
    G = "G", "G 交通运输、仓储和邮政业"
    H = "H", "H 住宿和餐饮业"
    I = "I", "I 信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "J 金融业"
    K = "K", "K 房地产业"
    L = "L", "L 租赁和商务服务业"
    M = "M", "M 科学研究和技术服务业"
    N = "N", "N 水利、环境和公共设施管理业"
    O = "O", "O 居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "P 教育"
    Q = "Q", "Q 卫生和社会工作"
    R = "R", "R 文化、体育和娱乐业"
    S = "S", "S 公共管理、社会保障和社会组织"
    T = "T", "T 国际组织"


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", "正常经营"
    SUSPENDED = "suspended", "停业"
    CANCELLED = "cancelled", "注销"
    MOVED_OUT = "moved_out", "迁出"


class UnionKind(models.TextChoices):
    SINGLE = "single", "单独建会"
    JOINT = "joint", "联合基层工会"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "已入会"
    LEFT = "left", "已退会"
    TRANSFERRED_OUT = "transferred", "转出"
    DECEASED = "deceased", "去世"


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    UNEMPLOYED = "unemployed", "失业"
    FLEXIBLE = "flexible", "灵活就业"
    OTHER = "other", "其他"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRAD = "postgrad", "研究生"


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    CYL = "cyl", "共青团员"
    DEMOCRATIC = "democratic", "民主党派"
    MASSES = "masses", "群众"


class MembershipEvent(models.TextChoices):
    JOIN = "join", "入会"
    TRANSFER_IN = "transfer_in", "转入"
    TRANSFER_OUT = "transfer_out", "转出"
    LEAVE = "leave", "退会"
    DECEASED = "deceased", "去世"


ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族",
]
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]
