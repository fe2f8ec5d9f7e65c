"""Reader pages of self-checks under /self-checks/."""

from django.urls import path

from . import views

app_name = "selfchecks"

urlpatterns = [
    path("", views.self_check_index, name="index"),
    path("<slug:slug>/", views.self_check_page, name="detail"),
]
