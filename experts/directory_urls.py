"""The practitioner directory under /find-support/."""

from django.urls import path

from . import directory

app_name = "directory"

urlpatterns = [
    path("", directory.find_support, name="index"),
    path("<slug:slug>/", directory.listing_page, name="listing"),
]
