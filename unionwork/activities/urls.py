from django.urls import path

from unionwork.core.kind_views import kind_urls

from . import views
from .kinds import KINDS

app_name = "activities"

urlpatterns = [path("", views.overview, name="overview")]
for _kind in KINDS:
    urlpatterns += kind_urls(_kind)
