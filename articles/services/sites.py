"""Writing sites' settings (the commenting switch) and authors."""

from collections.abc import Iterable

from django.contrib.sites.models import Site
from django.db import transaction
from django.utils.text import slugify

from ..models import (
    Author,
    SiteSettings,
)
from .common import _claim_version


def site_settings_for(*, site: Site) -> SiteSettings:
    """Return the settings row of ``site``, creating it with defaults if it is missing."""
    # Read fresh, and do not cache it on ``site``: the Site may be the process-wide cached
    # ``request.site``, and settings cached there would go stale for every later request.
    return SiteSettings.objects.get_or_create(site=site)[0]


@transaction.atomic
def site_settings_update(*, site_settings: SiteSettings, expected_version: int | None = None, **fields) -> SiteSettings:
    """Change a site's settings (e.g. the commenting switch and notice) and bump its version
    (conditionally on ``expected_version``, raising ``EditConflict`` when stale). An unsaved
    row is created."""
    if site_settings._state.adding:  # a site's first settings row
        version = 1
    else:
        _previous, version = _claim_version(SiteSettings, site_settings.pk, expected_version)
    for name, value in fields.items():
        setattr(site_settings, name, value)
    site_settings.full_clean(exclude=["site"], validate_unique=False)
    site_settings.version = version
    site_settings.save()
    return site_settings


@transaction.atomic
def sites_set_commenting(*, sites: Iterable[Site], enabled: bool, notice: str | None = None) -> int:
    """Switch commenting on or off for several sites at once; return how many changed."""
    count = 0
    for site in sites:
        changes = {"comments_enabled": enabled}
        if enabled:
            changes["comments_suspended_until"] = None
        if notice is not None:
            changes["comments_notice"] = notice
        site_settings_update(site_settings=site_settings_for(site=site), **changes)
        count += 1
    return count


@transaction.atomic
def author_save(*, author: Author) -> Author:
    """Validate and save an author, making a slug from the name when none is given."""
    if not author.slug:
        author.slug = slugify(author.name, allow_unicode=True)[:200] or "author"
    author.full_clean()
    author.save()
    return author
