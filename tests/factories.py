"""Small builders for test data. Images are generated in memory with Pillow."""

import io
import itertools

import factory
from django.contrib.auth.models import Group, User
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles import services
from articles.models import Article, Author, Image, Section, Tag


def image_bytes(width=64, height=48, fmt="JPEG", color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name="photo.jpg", width=64, height=48, fmt="JPEG", color=(200, 80, 40)) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, image_bytes(width, height, fmt, color), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


def user_in_group(group_name: str, **kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = "World"
    slug = "world"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ImageFactory(factory.django.DjangoModelFactory):
    """An image row without a file (like a captured photo that was not archived)."""

    class Meta:
        model = Image

    alt_text = "A harbour at dawn"
    caption = "Boats leave the harbour."
    creator = "Anatolii Stepanov"
    agency = "AFP"
    distributor = "Getty Images"


def image_with_file(**fields) -> Image:
    image, _created = services.image_create(file=image_upload(**fields.pop("upload", {})), **fields)
    return image


_numbers = itertools.count(1)


def draft_article(*, site: Site | None = None, headline=None, authors=None, images=None, **fields):
    """A draft with one byline and no photos unless told otherwise (unique slug by default)."""
    site = site or Site.objects.get(pk=1)
    if headline is None:
        headline = "Harbour city votes for trams"
        fields.setdefault("slug", f"harbour-city-votes-for-trams-{next(_numbers)}")
    authors = authors if authors is not None else [AuthorFactory()]
    fields.setdefault("body", "<p>The council voted on Tuesday to rebuild the tram line.</p>")
    fields.setdefault("dateline_place", "Lisbon")
    return services.article_create(
        site=site,
        headline=headline,
        bylines=[services.BylineSpec(author=a) for a in authors],
        placements=[
            services.PlacementSpec(image=i, role="lead" if n == 0 else "inline") for n, i in enumerate(images or [])
        ],
        **fields,
    )


def published_article(*, published_at=None, **kwargs) -> Article:
    article = draft_article(**kwargs)
    return services.article_publish(article=article, published_at=published_at)
