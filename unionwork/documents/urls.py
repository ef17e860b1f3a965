from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("check/", views.data_check, name="check"),
    path("summary/", views.summary, name="summary"),
    path("plan/", views.work_plan, name="plan"),
    path("statistics.xlsx", views.statistics, name="statistics"),
    path("personal/", views.personal, name="personal"),
    path("templates/", views.templates, name="templates"),
    path("jobs/new/", views.start_job, name="start_job"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("templates/builtin.docx", views.builtin_template, name="builtin_template"),
]
