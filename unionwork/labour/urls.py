from django.urls import path

from unionwork.core.kind_views import kind_urls

from . import views
from .kinds import KINDS

app_name = "labour"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("wage-arrears/", views.wage_arrears, name="wage_arrears"),
]
for _kind in KINDS:
    urlpatterns += kind_urls(_kind)
