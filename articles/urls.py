"""Public archive pages, feeds and sitemaps (paths fixed by DESIGN.md)."""

from django.urls import path, register_converter

from . import feeds, memento, sitemaps, views


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
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/rev/<int:number>/", memento.revision_detail, name="revision"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/timegate/", memento.timegate, name="timegate"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/timemap/", memento.timemap, name="timemap"),
    path("a/<int:pk>/", views.article_permalink, name="permalink"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("archive/<yyyy:year>/", views.year_archive, name="archive-year"),
    path("archive/<yyyy:year>/<dd:month>/", views.month_archive, name="archive-month"),
    path("archive/<yyyy:year>/<dd:month>/<dd:day>/", views.day_archive, name="archive-day"),
    path("authors/<str:slug>/", views.author_archive, name="author"),
    path("tags/<str:slug>/", views.tag_archive, name="tag"),
    path("sections/<str:slug>/", views.section_archive, name="section"),
    path("search/", views.search, name="search"),
    path("feeds/rss/", feeds.rss_feed, name="feed-rss"),
    path("feeds/atom/", feeds.atom_feed, name="feed-atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    # Before the sections: "news" is not one of them.
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
