from django.db import models


class NodeKind(models.TextChoices):
    DISTRICT = "district", "区"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    UNION = "union", "基层工会"
    GROUP = "group", "工会小组"


# The union organisation that sits on each area level.
UNION_ORG_SUFFIX = {
    NodeKind.DISTRICT: "总工会",
    NodeKind.STREET: "总工会",
    NodeKind.COMMUNITY: "联合工会",
}

# Which kinds may hang under which.
ALLOWED_CHILDREN = {
    NodeKind.DISTRICT: {NodeKind.STREET},
    NodeKind.STREET: {NodeKind.COMMUNITY, NodeKind.UNION},
    NodeKind.COMMUNITY: {NodeKind.UNION},
    NodeKind.UNION: {NodeKind.GROUP},
    NodeKind.GROUP: set(),
}
