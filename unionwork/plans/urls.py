from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<str:key>/", views.indicator_records, name="records"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment, name="assessment"),
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/<int:pk>/", views.snapshot, name="snapshot"),
]
