from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("tree/<int:pk>/", views.tree, name="node"),
    path("tree/<int:pk>/new/", views.node_create, name="node_create"),
]
