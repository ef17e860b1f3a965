from django.urls import path, re_path

from . import views

app_name = "directory"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/status/", views.enterprise_status, name="enterprise_status"),
    path("unions/", views.union_list, name="union_list"),
    path("unions/new/", views.union_create, name="union_create"),
    path("unions/<int:pk>/", views.union_detail, name="union_detail"),
    path("unions/<int:pk>/edit/", views.union_edit, name="union_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    re_path(r"^(?P<kind>enterprise|union|member)/(?P<pk>\d+)/archive/$", views.archive_toggle, name="archive_toggle"),
]
