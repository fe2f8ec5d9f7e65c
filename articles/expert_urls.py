"""Public expert profile pages under /experts/."""

from django.urls import path

from . import views

app_name = "experts"

urlpatterns = [
    path("", views.person_index, name="index"),
    path("<slug:slug>/", views.person_detail, name="detail"),
]
