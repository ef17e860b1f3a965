from django.contrib.auth.middleware import LoginRequiredMiddleware


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Pages redirect to the login form; the API answers 401 itself (token or session)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AuditContextMiddleware:
    """Puts the request where the audit trail finds it (user, address), for this request only; and lets the
    kept figures (core.memo) read the data's version once per request instead of once per memo."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .audit import request_context
        from .memo import one_version_per_request

        with request_context(request), one_version_per_request():
            return self.get_response(request)


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE of idleness: a request moves the end on by saving the session,
    at most once a minute (saving it on every request, SESSION_SAVE_EVERY_REQUEST, made every page view a
    write transaction). So a session ends between 29 and 30 idle minutes after the last request."""

    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified and response.status_code < 500:
            from django.utils import timezone

            now = int(timezone.now().timestamp())
            if now - session.get("_touched", 0) >= self.REFRESH_SECONDS:
                session["_touched"] = now  # modified: SessionMiddleware saves it with a new expiry and cookie
        return response
