"""Rendition URLs: ``<id>/<width>.<format>``, mounted by the root URLconf under ``img/``
(``path("img/", include("articles.media_urls"))``), so ``/img/12/640.webp``.

Not under ``MEDIA_URL`` (``/media/``): the web server or object store answers there
directly. Ids and widths are plain digits without leading zeros, formats one of three:
anything else never reaches the view. The view itself answers 404 for every width and
format that is not in the image's own rendition set.
"""

from django.urls import re_path

from . import media_views

app_name = "renditions"
urlpatterns = [
    re_path(
        r"^(?P<pk>[1-9][0-9]{0,17})/(?P<width>[1-9][0-9]{0,4})\.(?P<fmt>webp|jpg|png)$",
        media_views.rendition,
        name="rendition",
    ),
]
