from django.contrib.auth.middleware import LoginRequiredMiddleware


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Pages redirect to the login form; the API answers 401 itself (token or session)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AuditContextMiddleware:
    """Puts the request where the audit trail finds it (user, address), for this request only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .audit import request_context

        with request_context(request):
            return self.get_response(request)
