from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区总工会管理员"
    STREET_CADRE = "street_cadre", "街道工会干部"
    COMMUNITY_CADRE = "community_cadre", "社区工会干部"
    UNION_CHAIR = "union_chair", "基层工会主席"
    AUDITOR = "auditor", "经审"
    VIEWER = "viewer", "只读"


class Perm(models.TextChoices):
    VIEW = "view", "查看"
    CREATE = "create", "新建"
    CHANGE = "change", "修改"
    ARCHIVE = "archive", "归档与恢复"
    REVEAL = "reveal", "查看完整个人信息"
    MANAGE_USERS = "manage_users", "管理账号"
    VIEW_FUNDS = "view_funds", "查看经费"
    MANAGE_FUNDS = "manage_funds", "登记经费收缴与代管"
    AUDIT = "audit", "登记经费审查"
    VIEW_AUDIT = "view_audit", "查看安全审计日志"


_WRITE = {Perm.VIEW, Perm.CREATE, Perm.CHANGE, Perm.ARCHIVE}

# Role -> what it may do (within its own node and below; scope is checked separately).
ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(_WRITE | {Perm.REVEAL, Perm.MANAGE_USERS, Perm.VIEW_FUNDS, Perm.MANAGE_FUNDS,
                                             Perm.AUDIT, Perm.VIEW_AUDIT}),
    # The security audit trail of their node and below: the district's and the streets' administrators.
    Role.STREET_CADRE: frozenset(_WRITE | {Perm.REVEAL, Perm.VIEW_FUNDS, Perm.MANAGE_FUNDS, Perm.AUDIT,
                                           Perm.VIEW_AUDIT}),
    Role.COMMUNITY_CADRE: frozenset(_WRITE | {Perm.REVEAL}),
    Role.UNION_CHAIR: frozenset(_WRITE | {Perm.REVEAL}),
    # 经审 reads funds and records audits; it changes nothing else.
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.VIEW_FUNDS, Perm.AUDIT}),
    Role.VIEWER: frozenset({Perm.VIEW}),
}
