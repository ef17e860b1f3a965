"""/api/v1: the same selectors, services, filters and scope as the pages."""

import logging

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from unionwork.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user", "user__node")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="unionwork 工会工作平台 API",
    version="1",
    description="名录库（企业、基层工会、会员）接口。认证：页面登录会话（需 CSRF）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "数据校验未通过", "errors": detail}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "记录不存在或不在您的管辖范围内"}, status=404)


@api.exception_handler(SuspiciousOperation)
def on_bad_request(request, exc):
    # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE or too many fields
    return api.create_response(request, {"detail": "请求有误或内容过大，无法处理"}, status=400)


@api.exception_handler(BadRequest)
def on_bad_parameter(request, exc):
    # a query parameter out of its range (e.g. ?year=0): the message says which and why
    return api.create_response(request, {"detail": str(exc) or "请求参数有误"}, status=400)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    # Anything unforeseen: the traceback goes to the server log, never to the client (even with DEBUG).
    logging.getLogger("unionwork.api").exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "服务器内部错误，本次操作没有完成，已记录日志，请稍后重试"},
                               status=500)


from unionwork.directory.api import router as directory_router  # noqa: E402
from unionwork.labour.api import router as labour_router  # noqa: E402

api.add_router("/", directory_router)
from unionwork.care.api import router as care_router  # noqa: E402

api.add_router("/", labour_router)
from unionwork.activities.api import router as activities_router  # noqa: E402
from unionwork.funds.api import router as funds_router  # noqa: E402

api.add_router("/", care_router)
api.add_router("/", activities_router)
from unionwork.documents.api import router as documents_router  # noqa: E402

api.add_router("/", funds_router)
api.add_router("/", documents_router)
