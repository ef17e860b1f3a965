from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import ApiToken


def profile(request):
    new_key = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, "请填写令牌用途")
        else:
            _, new_key = ApiToken.issue(request.user, name)
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/profile.html", {"tokens": tokens, "new_key": new_key})


@require_POST
def revoke_token(request, pk):
    request.user.api_tokens.filter(pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, "令牌已作废")
    return redirect("accounts:profile")
