"""Query filters for the article list (django-filter). Every value is validated; a bad one
answers 400 with a message, never 500."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django_filters.fields import IsoDateTimeField

from ..models import Article, Byline
from ..search import search_articles

ID_REGEX = r"^[1-9][0-9]{0,17}$"


def can_see_unpublished(user) -> bool:
    """Staff with article rights see drafts, scheduled, embargoed and withdrawn articles."""
    return user.is_authenticated and user.has_perm("articles.change_article")


class ArchiveIsoDateTimeField(IsoDateTimeField):
    """An RFC 3339 moment between the years 1800 and 2999, turned to UTC (PostgreSQL refuses
    offsets beyond ±16 hours that Python accepts)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        if not 1800 <= moment.year <= 2999:
            raise ValidationError("Give a moment between the years 1800 and 2999.", code="out_of_range")
        return moment.astimezone(UTC)


class ArchiveDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = ArchiveIsoDateTimeField


class ArticleFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(
        method="filter_site", help_text="Site id: articles of that site, including those syndicated to it."
    )
    author = django_filters.CharFilter(method="filter_author", max_length=200, help_text="Author slug.")
    tag = django_filters.CharFilter(field_name="tags__slug", max_length=100, help_text="Tag slug.")
    section = django_filters.CharFilter(field_name="section__slug", max_length=100, help_text="Section slug.")
    status = django_filters.ChoiceFilter(
        choices=Article.Status.choices, help_text="Staff only; others see published articles whatever they ask."
    )
    published_after = ArchiveDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="Published at or after (RFC 3339)."
    )
    published_before = ArchiveDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="Published before (RFC 3339)."
    )
    updated_since = ArchiveDateTimeFilter(
        field_name="modified_at",
        lookup_expr="gte",
        help_text=(
            "Change feed for mirrors: everything changed at or after this moment, oldest first, "
            "including withdrawn articles as tombstones ({id, status: withdrawn, modified_at, withdrawn_at})."
        ),
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, help_text="Search headline, dek and body (web-search syntax on PostgreSQL)."
    )

    class Meta:
        model = Article
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or not can_see_unpublished(self.request.user):
            # Only staff filter by status; for anyone else it is an unknown parameter.
            del self.filters["status"]

    def filter_site(self, queryset, name, value):
        import re

        from django.core.exceptions import ValidationError

        if not re.match(ID_REGEX, value):
            raise ValidationError({"site": "Give a site id (a whole number)."})
        return queryset.for_site(int(value))

    def filter_author(self, queryset, name, value):
        return queryset.filter(Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=value)))

    def filter_q(self, queryset, name, value):
        return search_articles(queryset, value)

    def filter_queryset(self, queryset):
        # Tags are a many-to-many: filter with EXISTS so an article appears once.
        tag = self.form.cleaned_data.pop("tag", None)
        queryset = super().filter_queryset(queryset)
        if tag:
            through = Article.tags.through.objects.filter(article=OuterRef("pk"), tag__slug=tag)
            queryset = queryset.filter(Exists(through))
        return queryset
