"""The rows every batch refers to, made before the first article: sites and their settings,
sections, tags, authors, and the shared pictures (with their renditions) in media storage.

These are few (a few thousand rows at most) and go through the ORM, found by domain or slug
first, so appending to an archive reuses them.
"""

import random

from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils.text import slugify

from .. import demo
from ..models import Article, ArticleImage, Author, Byline, Correction, Image, Revision, Section, Tag
from ..renditions import render_renditions, rendition_name, rendition_specs
from ..services import site_settings_for, site_settings_update
from . import text
from . import words as w
from .plan import ID_TABLES, Context, Picture, SiteInfo

PICTURE_FOLDER = "images/generated"
SITE_WEIGHTS = (0.62, 0.38, 0.2, 0.15, 0.1)

MODELS = {
    "article": Article,
    "byline": Byline,
    "image": Image,
    "placement": ArticleImage,
    "tag": Article.tags.through,
    "site": Article.sites.through,
    "revision": Revision,
    "correction": Correction,
}


def ensure_sites(count: int) -> tuple[SiteInfo, ...]:
    """The first ``count`` sites of ``words.SITES`` (the default site is pk 1), each with a
    settings row; existing settings (an editor's choices) are kept as they are."""
    infos = []
    for i, (domain, name, time_zone) in enumerate(w.SITES[:count]):
        if i == 0:
            site, _created = Site.objects.get_or_create(pk=1, defaults={"domain": domain, "name": name})
            if site.domain == "example.com":  # Django's placeholder, renamed as migration 0002 does
                Site.objects.filter(pk=1).update(domain=domain, name=name)
                site.refresh_from_db()
        else:
            site, _created = Site.objects.get_or_create(domain=domain, defaults={"name": name})
        settings_row = site_settings_for(site=site)
        if settings_row.version == 1:
            # Nobody has configured this site yet (as in seed_demo): name it and set its zone.
            if site.name != name:
                Site.objects.filter(pk=site.pk).update(name=name)
            settings_row = site_settings_update(site_settings=settings_row, publisher_name=name, time_zone=time_zone)
        publisher = settings_row.publisher_name or site.name
        infos.append(SiteInfo(site.pk, publisher, settings_row.time_zone, settings_row.language, SITE_WEIGHTS[i]))
    Site.objects.clear_cache()
    return tuple(infos)


def _ensure_named(model, items) -> tuple[tuple[int, str], ...]:
    """(id, slug) of ``model`` rows for ``items`` (slug, name), created where missing."""
    items = list(dict(items).items())
    existing = dict(model.objects.filter(slug__in=[s for s, _n in items]).values_list("slug", "pk"))
    model.objects.bulk_create([model(slug=s, name=n) for s, n in items if s not in existing])
    ids = dict(model.objects.filter(slug__in=[s for s, _n in items]).values_list("slug", "pk"))
    return tuple((ids[s], s) for s, _n in items)


def ensure_sections() -> tuple[tuple[int, str], ...]:
    return _ensure_named(Section, w.SECTIONS)


def ensure_tags(count: int) -> tuple[tuple[int, str], ...]:
    """``count`` topic tags: places and common nouns, most popular first."""
    names = [place for place, _country in w.PLACES[:60]]
    names += [word.capitalize() for word in w.COMMON_WORDS if len(word) > 4 and not word.endswith(("ed", "es"))]
    names += [word.capitalize() for word in w.RARER_WORDS]
    chosen = list(dict.fromkeys(names))[:count]
    return _ensure_named(Tag, [(slugify(name), name) for name in chosen])


def ensure_authors(seed: int, persons: int, sites) -> tuple[tuple, tuple]:
    """``persons`` made-up staff people (in order of career start) and the wire agencies."""
    rng = random.Random(f"{seed}:authors")
    pairs = [(first, last) for first in w.FIRST_NAMES for last in w.SURNAMES]
    chosen = rng.sample(pairs, min(persons, len(pairs)))
    specs = []
    for first, last in chosen:
        name = f"{first} {last}"
        site = rng.choice(sites)
        desk = rng.choice(w.SECTIONS)[1].lower()
        specs.append((slugify(name), name, "person", site.name, f"{name} covers {desk} news for {site.name}."))
    for agency, _credit in w.WIRE_AGENCIES:
        specs.append((slugify(agency), agency, "organization", agency, f"{agency} is a news agency."))
    slugs = [s[0] for s in specs]
    existing = set(Author.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    Author.objects.bulk_create(
        Author(slug=slug, name=name, kind=kind, affiliation=aff, bio=bio, is_staff_member=kind == "person")
        for slug, name, kind, aff, bio in specs
        if slug not in existing
    )
    ids = dict(Author.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    people = tuple((ids[s[0]], s[1]) for s in specs if s[2] == "person")
    credits = dict(w.WIRE_AGENCIES)
    agencies = tuple((ids[s[0]], s[1], credits[s[1]]) for s in specs if s[2] == "organization")
    return people, agencies


def ensure_pictures() -> tuple[Picture, ...]:
    """The demo's drawn scenes as shared JPEGs, each written once, with its renditions made
    once (without a credit in the files, since many Image rows with different credits share
    them). Every generated Image row lists the same renditions as its file."""
    pictures = []
    for scene in demo.SCENES:
        name = f"{PICTURE_FOLDER}/{scene}.jpg"
        if not default_storage.exists(name):
            stored = default_storage.save(name, ContentFile(demo.picture_bytes(scene, scene.upper())))
            assert stored == name, f"media storage renamed {name} to {stored}"
        probe = Image(file=name, width=demo.WIDTH, height=demo.HEIGHT)
        specs = rendition_specs(probe)
        missing = [s for s in specs if not default_storage.exists(rendition_name(probe, s))]
        made = {}
        for spec, width, height, data in render_renditions(probe, missing):
            made[spec.key] = (width, height)
            default_storage.save(rendition_name(probe, spec), ContentFile(data))
        entries = [
            {
                "width": made.get(spec.key, (spec.width, spec.height))[0],
                "height": made.get(spec.key, (spec.width, spec.height))[1],
                "format": spec.format,
                "name": rendition_name(probe, spec),
            }
            for spec in specs
        ]
        entries.sort(key=lambda e: (e["width"], e["format"] != "webp"))
        pictures.append(Picture(name, demo.WIDTH, demo.HEIGHT, entries))
    return tuple(pictures)


def id_bases() -> dict:
    """The first free id of each generated table (one past the largest used)."""
    return {table: (MODELS[table].objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for table in ID_TABLES}


def build_context(*, seed: int, count: int, sites: int, anchor) -> Context:
    site_infos = ensure_sites(sites)
    persons, agencies = ensure_authors(seed, max(10, min(3000, count // 300)), site_infos)
    return Context(
        seed=seed,
        count=count,
        anchor=anchor,
        sites=site_infos,
        sections=ensure_sections(),
        tags=ensure_tags(max(30, min(600, count // 40))),
        persons=persons,
        agencies=agencies,
        pictures=ensure_pictures(),
        bases=id_bases(),
        pool_size=max(3000, min(120_000, count * 2)),
    )


def sentence_pool(ctx: Context) -> text.SentencePool:
    return text.SentencePool(ctx.seed, ctx.pool_size)
