"""Which site a request is for: the Site whose domain matches the Host header, or the
default site for hosts that are allowed but have no Site of their own (``[::1]``, a
load balancer's health-check name)."""

from django.conf import settings
from django.contrib.sites import models as sites_models
from django.contrib.sites.models import Site

from .models import SiteSettings


def site_for_request(request) -> Site:
    """Return the request's site (cached per process, like the sites framework does)."""
    try:
        return Site.objects.get_current(request)
    except Site.DoesNotExist:
        site = Site.objects.get(pk=settings.NEWSROOM["DEFAULT_SITE_ID"])
        sites_models.SITE_CACHE[request.get_host()] = site
        return site


def site_settings_for_request(request) -> SiteSettings:
    """Return the settings of the request's site, read fresh (one query).

    ``request.site`` is shared by every request of the process, so its cached
    ``.settings`` may be stale: never read it. A site without a settings row gets the
    defaults (not saved).
    """
    found = SiteSettings.objects.filter(site=request.site).first()
    return found if found is not None else SiteSettings(site_id=request.site.pk)


class CurrentSiteMiddleware:
    """Set ``request.site`` (replaces django.contrib.sites' middleware, which fails with a
    500 for an allowed host that has no Site row)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = site_for_request(request)
        return self.get_response(request)
