"""Public archive pages."""

from django.urls import path, register_converter

from . import views


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class YearConverter(TwoDigitConverter):
    regex = "[0-9]{4}"

    def to_url(self, value):
        return f"{int(value):04d}"


register_converter(TwoDigitConverter, "dd")
register_converter(YearConverter, "yyyy")

app_name = "articles"
urlpatterns = [
    path("", views.front_page, name="front"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/", views.article_detail, name="detail"),
    path("a/<int:pk>/", views.article_permalink, name="permalink"),
]
