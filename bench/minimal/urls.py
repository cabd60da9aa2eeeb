"""The product's URLs plus the minimal reference view (the framework floor)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("__bench__/minimal/", views.minimal, name="bench-minimal"),
    path("", include("cms.urls")),
]
