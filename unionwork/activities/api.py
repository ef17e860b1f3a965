from ninja import Router

from unionwork.core.kind_api import kind_router

from .kinds import KINDS

router = Router()
for _kind in KINDS:
    router.add_router("/activities", kind_router(_kind))
