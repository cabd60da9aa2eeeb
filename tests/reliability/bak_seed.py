"""A seeded archive for the backup rows (BAK-01..04): ≥ 1,000 published articles with
bylines, tags, photos (real files and renditions), revisions, corrections and comments, and
the users who wrote them.

Photos go through the real upload pipeline (``services.image_create``) and their
renditions are made as after a commit; the thousand articles and their related rows are
written with ``bulk_create`` (a backup copies rows, whichever path wrote them), which keeps
the seed to a few seconds.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.sites.models import Site
from django.utils import timezone
from rest_framework.authtoken.models import Token

from articles import services
from articles.models import Article, ArticleImage, Author, Byline, Correction, Image, Revision, Section, Tag
from articles.renditions import ensure_renditions
from comments.models import Comment
from tests import factories


def seed_archive(*, articles: int = 1000, images: int = 12) -> dict[str, int]:
    site = Site.objects.get(pk=1)
    password = make_password("correct horse battery staple")
    users = User.objects.bulk_create(
        User(username=f"staff{i}", email=f"staff{i}@example.org", password=password, is_staff=True) for i in range(10)
    )
    users = list(User.objects.filter(username__startswith="staff").order_by("pk"))
    editors = Group.objects.get(name="Editor")
    for user in users[:5]:
        user.groups.add(editors)
    Token.objects.bulk_create(
        Token(user=user, key=hashlib.sha256(user.username.encode()).hexdigest()[:40]) for user in users
    )
    authors = Author.objects.bulk_create(Author(name=f"Reporter {i}", slug=f"reporter-{i}") for i in range(40))
    authors = list(Author.objects.order_by("pk"))
    section = Section.objects.create(name="City", slug="city")
    tags = Tag.objects.bulk_create(Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(20))
    tags = list(Tag.objects.order_by("pk"))
    photos = []
    for i in range(images):
        image, _created = services.image_create(
            file=factories.image_upload(name=f"p{i}.jpg", width=640, height=480, color=(i * 20 % 256, 90, 160)),
            alt_text=f"Photo {i}",
            creator="Ana Ribeiro",
            agency="AFP",
            user=users[0],
        )
        ensure_renditions(image.pk)  # as after the upload's commit
        photos.append(image)

    now = timezone.now()
    rows = []
    for i in range(articles):
        published = now - timedelta(hours=i)
        body = f"<p>Story {i}: the council met and voted on the tram line, ferry times and rents.</p>"
        rows.append(
            Article(
                site=site,
                headline=f"Story {i} about the harbour",
                slug=f"story-{i}",
                dek=f"Dek {i}",
                body=body,
                word_count=15,
                section=section,
                status=Article.Status.PUBLISHED,
                published_at=published,
                pub_date=published.date(),
                dateline_place="Lisbon",
                created_by=users[i % len(users)],
            )
        )
    Article.objects.bulk_create(rows, batch_size=500)
    stored = list(Article.objects.filter(slug__startswith="story-").order_by("pk"))
    Byline.objects.bulk_create(
        [Byline(article=a, author=authors[n % len(authors)], position=0) for n, a in enumerate(stored)], batch_size=1000
    )
    ArticleImage.objects.bulk_create(
        [
            ArticleImage(article=a, image=photos[n % len(photos)], role="lead", position=0)
            for n, a in enumerate(stored)
            if n % 5 == 0
        ],
        batch_size=1000,
    )
    through = Article.tags.through
    through.objects.bulk_create(
        [through(article=a, tag=tags[(n + k) % len(tags)]) for n, a in enumerate(stored) for k in range(2)],
        batch_size=1000,
    )
    revisions = [
        Revision(
            article=a,
            number=number,
            snapshot={"id": a.pk, "headline": a.headline, "body": a.body, "number": number},
            status=a.status,
            is_published=number == 2,
            message="Created" if number == 1 else "Published",
            user=users[n % len(users)],
            created_at=a.published_at - timedelta(minutes=2 - number),
        )
        for n, a in enumerate(stored)
        for number in (1, 2)
    ]
    Revision.objects.bulk_create(revisions, batch_size=1000)
    Correction.objects.bulk_create(
        [Correction(article=a, text=f"Correction to story {n}.") for n, a in enumerate(stored) if n % 50 == 0]
    )
    Comment.objects.bulk_create(
        [
            Comment(
                article=a,
                site=site,
                display_name=f"Reader {k}",
                body=f"Comment {k} on story {n}",
                body_html=f"<p>Comment {k} on story {n}</p>",
                body_hash=hashlib.sha256(f"{n}-{k}".encode()).hexdigest(),
                client_hash=hashlib.sha256(f"client-{k}".encode()).hexdigest(),
                status="approved" if k else "pending",
            )
            for n, a in enumerate(stored)
            for k in range(2)
        ],
        batch_size=1000,
    )
    return {
        "articles": Article.objects.count(),
        "images": Image.objects.count(),
        "revisions": Revision.objects.count(),
        "comments": Comment.objects.count(),
        "users": User.objects.count(),
    }
