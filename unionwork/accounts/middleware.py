from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .services import totp_enabled, totp_required


class AccountStepsMiddleware:
    """Until a signed-in user has done what their account still needs, every page sends them there.

    First a password the system or an administrator chose must be changed; then a user whose node
    requires the second factor must enrol. Logout and static files stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            step = self.pending_step(user)
            if step and not self.exempt(request.path, step[0]):
                return self.send_to(request, *step)
        return self.get_response(request)

    @staticmethod
    def pending_step(user):
        if user.must_change_password:
            return reverse("accounts:password_change"), "请先修改初始密码后再使用系统。"
        if not totp_enabled(user) and totp_required(user):
            return reverse("accounts:totp"), "您所在的组织要求使用两步验证，请先完成设置。"
        return None

    @staticmethod
    def exempt(path, target):
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in {target, reverse("logout"), reverse("accounts:password_change")} or path.startswith(static)

    @staticmethod
    def send_to(request, url, message):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(url)
        return redirect(url)
