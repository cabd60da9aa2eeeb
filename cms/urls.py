"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.health import healthz
from articles.login_throttle import throttled_login

admin.site.site_header = "Newsroom archive"
admin.site.site_title = "Newsroom archive"
admin.site.index_title = "Editing"

urlpatterns = [
    # The admin login form, throttled per client address and user name (before admin.site.urls).
    path("admin/login/", throttled_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("articles.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("img/", include("articles.media_urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "articles.handlers.bad_request"
handler403 = "articles.handlers.permission_denied"
handler404 = "articles.handlers.page_not_found"
handler500 = "articles.handlers.server_error"
