from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from unionwork.accounts.views import login_otp, login_view
from unionwork.api import api
from unionwork.org.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", login_view, name="login"),
    path("login/otp/", login_otp, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("org/", include("unionwork.org.urls")),
    path("directory/", include("unionwork.directory.urls")),
    path("accounts/", include("unionwork.accounts.urls")),
    path("ledgers/", include("unionwork.ledgers.urls")),
    path("labour/", include("unionwork.labour.urls")),
    path("care/", include("unionwork.care.urls")),
    path("activities/", include("unionwork.activities.urls")),
    path("funds/", include("unionwork.funds.urls")),
    path("plans/", include("unionwork.plans.urls")),
    path("documents/", include("unionwork.documents.urls")),
    path("audit/", include("unionwork.core.audit_urls")),
    path("api/v1/", api.urls),
    path("ops/admin/", admin.site.urls),
]

handler400 = "unionwork.core.params.bad_request"
