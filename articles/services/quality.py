"""The publication gates: what stops an article, its bylines or its photos from being published.

The admin and the API call these same functions to refuse bad edits early."""

from collections.abc import Sequence
from dataclasses import dataclass

from ..models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Image,
)

NO_HEADLINE = "An article needs a headline before it can be published."
NO_BODY = "An article needs a body before it can be published."
NO_BYLINE = "An article needs at least one byline before it can be published."
NO_ALT_TEXT = "The photo “{image}” needs alt text (or to be marked decorative) before publishing."
NO_CREDIT = "The photo “{image}” needs a credit (photographer, agency or credit text) before publishing."
NO_DATELINE = "The article has no dateline."
TWO_LEADS = "An article can have only one lead photo."


@dataclass(frozen=True)
class BylineSpec:
    """A byline to write: an author and/or a free-text credit, with a role."""

    author: Author | None = None
    role: str = Byline.Role.AUTHOR
    credit_text: str = ""


@dataclass(frozen=True)
class PlacementSpec:
    """A use of an image in an article, with optional per-use overrides."""

    image: Image
    role: str = ArticleImage.Role.INLINE
    caption: str = ""
    alt_text: str = ""
    credit_text: str = ""


def text_problems(*, headline: str, body: str) -> list[str]:
    """Return what stops a headline and body from being published."""
    problems = []
    if not (headline or "").strip():
        problems.append(NO_HEADLINE)
    if not (body or "").strip():
        problems.append(NO_BODY)
    return problems


def byline_problems(bylines: Sequence[BylineSpec | Byline]) -> list[str]:
    """Return what stops a list of bylines from being published."""
    return [] if bylines else [NO_BYLINE]


def image_problems(placements: Sequence[PlacementSpec | ArticleImage]) -> list[str]:
    """Return what stops a set of photo placements from being published: alt text unless
    decorative, a credit unless a staff photo, at most one lead."""
    problems = []
    for placement in placements:
        image = placement.image
        label = str(image)
        if not (placement.alt_text or image.alt_text) and not image.is_decorative:
            problems.append(NO_ALT_TEXT.format(image=label))
        if not (placement.credit_text or image.credit_line) and not image.is_staff_photo:
            problems.append(NO_CREDIT.format(image=label))
    if sum(1 for p in placements if p.role == ArticleImage.Role.LEAD) > 1:
        problems.append(TWO_LEADS)
    return problems


def article_publication_problems(
    *, article: Article, bylines: Sequence | None = None, placements: Sequence | None = None
) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` for publishing ``article`` with the given bylines and
    placements (its stored ones when not given). Errors block publication."""
    if bylines is None:
        bylines = list(article.bylines.all()) if article.pk else []
    if placements is None:
        placements = list(article.placements.select_related("image")) if article.pk else []
    errors = [
        *text_problems(headline=article.headline, body=article.body),
        *byline_problems(bylines),
        *image_problems(placements),
    ]
    warnings = [] if article.dateline_place else [NO_DATELINE]
    return errors, warnings
