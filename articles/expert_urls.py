"""Public expert profile pages under /experts/."""

from django.urls import path

from . import expert_pages

app_name = "experts"

urlpatterns = [
    path("", expert_pages.person_index, name="index"),
    path("<slug:slug>/", expert_pages.person_detail, name="detail"),
]
