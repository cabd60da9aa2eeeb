"""REST API views. They check permissions, validate shape with serializers, call the
service functions to write, and shape the response. Reads start from
``Article.objects.published()`` for the public."""

import dataclasses

from django.contrib.sites.models import Site
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from comments.api import ARTICLE_COMMENTS_SCHEMA, article_comments

from .. import services
from ..exporters.ninjs import article_ninjs
from ..importers import import_upload
from ..login_throttle import LoginRateThrottle
from ..models import Article, ArticleImage, Author, Image, SiteSettings, Tag
from ..search import search_sort_key
from . import conditional
from .errors import gone
from .filters import ArticleFilter, can_see_unpublished
from .pagination import KeysetPagination, Ordering
from .parsers import StrictJSONParser, StrictMultiPartParser
from .serializers import (
    ArticleSerializer,
    ArticleWriteSerializer,
    AuthorSerializer,
    AuthorWriteSerializer,
    ImageSerializer,
    ImageUpdateSerializer,
    ImageUploadSerializer,
    ImportResultSerializer,
    ImportUploadSerializer,
    RevisionDetailSerializer,
    RevisionSerializer,
    SiteSerializer,
    SiteSettingsSerializer,
    TombstoneSerializer,
    serialized_articles,
)

ID = r"[1-9][0-9]{0,17}"  # strict ids: "02", "+2", "2 ", "٢", "1_0" never resolve to a row

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET. Without it: 428. Stale: 412. Either way nothing changes.",
)
ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names each problem."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Not allowed (e.g. publishing without the publish permission)."),
    404: OpenApiResponse(description="No such resource (or not visible to you)."),
}
PRECONDITION_ERRORS = {
    412: OpenApiResponse(description="If-Match names an old version: GET again and reapply."),
    428: OpenApiResponse(description="If-Match missing."),
}


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; writing needs the model's add/change permission (delete needs
    ``publish_article`` for articles: deleting an article withdraws it)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
        "DELETE": ["%(app_label)s.publish_%(model_name)s"],
    }


@dataclasses.dataclass(frozen=True)
class SearchOrdering(Ordering):
    """The same order, by an expression no index has: see ``ArticlePagination``."""

    def order_by(self):
        key = search_sort_key(self.field)
        return (key.desc(nulls_last=True) if self.descending else key.asc(nulls_last=True), *super().order_by()[1:])


class ArticlePagination(KeysetPagination):
    def _ordering(self, request, view):
        name, ordering = super()._ordering(request, view)
        if ordering.nullable and not can_see_unpublished(request.user):
            # The public sees released articles only, which all have a publication time:
            # cursors then carry a bound the article_released_order index starts at.
            ordering = dataclasses.replace(ordering, nullable=False)
        if request.query_params.get("q"):
            # Search: rows come from the GIN index and are sorted. Ordered by the plain
            # column, the planner walks the newest-first index instead and recomputes
            # to_tsvector() for every row it passes (1.8 s at 1,000,000 articles).
            ordering = SearchOrdering(**dataclasses.asdict(ordering))
        return name, ordering


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        responses={
            200: PolymorphicProxySerializer(
                component_name="ArticleOrTombstone",
                serializers=[ArticleSerializer, TombstoneSerializer],
                resource_type_field_name=None,
                many=True,
            ),
            400: ERRORS[400],
        },
    ),
    retrieve=extend_schema(
        summary="Read an article",
        responses={200: ArticleSerializer, 404: ERRORS[404], 410: OpenApiResponse(description="Withdrawn.")},
    ),
    create=extend_schema(
        summary="Create an article",
        request=ArticleWriteSerializer,
        responses={201: ArticleSerializer, **{k: v for k, v in ERRORS.items() if k != 404}},
    ),
    update=extend_schema(
        summary="Replace an article's editable fields",
        parameters=[IF_MATCH],
        request=ArticleWriteSerializer,
        responses={200: ArticleSerializer, **ERRORS, **PRECONDITION_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of an article's fields",
        parameters=[IF_MATCH],
        request=ArticleWriteSerializer,
        responses={200: ArticleSerializer, **ERRORS, **PRECONDITION_ERRORS},
    ),
    destroy=extend_schema(
        summary="Withdraw an article (nothing is deleted)",
        parameters=[
            IF_MATCH,
            OpenApiParameter("reason", OpenApiTypes.STR, description="Public reason shown on the 410 page."),
        ],
        responses={204: None, **ERRORS, **PRECONDITION_ERRORS},
    ),
)
class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Articles with bylines, photos, corrections and commenting state."""

    lookup_value_regex = ID
    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = ArticleFilter
    pagination_class = ArticlePagination
    orderings = {
        "-published_at": Ordering("published_at", descending=True, nullable=True),
        "published_at": Ordering("published_at", descending=False, nullable=True),
        "-modified_at": Ordering("modified_at", descending=True),
        "modified_at": Ordering("modified_at", descending=False),
    }

    def get_default_ordering(self) -> str:
        return "modified_at" if "updated_since" in self.request.query_params else "-published_at"

    def get_queryset(self):
        user = self.request.user
        if can_see_unpublished(user):
            queryset = Article.objects.all()
            status_filter = self.request.query_params.get("status")
            if status_filter is None and self.action == "list" and "updated_since" not in self.request.query_params:
                queryset = queryset.exclude(status=Article.Status.WITHDRAWN)
        elif self.action == "list" and "updated_since" in self.request.query_params:
            queryset = Article.objects.in_change_feed()
        else:
            queryset = Article.objects.published()
        # 1 articles + site + site settings + section; 2 bylines + authors; 3 photos + images;
        # 4 tags; 5 corrections; 6 syndication sites.
        queryset = queryset.with_listing_relations().with_comment_count().prefetch_related("corrections", "sites")
        if self.action in {"list", "retrieve"}:
            # Read answers come from the fragment cache: relations are prefetched for the
            # articles it misses only (serialized_articles).
            queryset = queryset.prefetch_related(None)
        return queryset

    def get_serializer_class(self):
        return ArticleSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        staff = can_see_unpublished(request.user)
        context = self.get_serializer_context()
        tombstones = {a.pk for a in page if a.status == Article.Status.WITHDRAWN and not staff}
        full = serialized_articles([a for a in page if a.pk not in tombstones], context)
        data = [
            TombstoneSerializer(article, context=context).data if article.pk in tombstones else full[article.pk]
            for article in page
        ]
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        try:
            article = self.get_object()
        except Http404:
            withdrawn = Article.objects.filter(pk=kwargs["pk"], status=Article.Status.WITHDRAWN).first()
            if withdrawn is not None and not can_see_unpublished(request.user):
                return gone("This article was withdrawn.", reason=withdrawn.withdrawn_reason)
            from ..models import Tombstone

            purged = Tombstone.objects.filter(article_id=kwargs["pk"]).first() if withdrawn is None else None
            if purged is not None and not Article.objects.filter(pk=kwargs["pk"]).exists():
                return gone("This article was withdrawn.", reason=purged.withdrawn_reason)
            raise
        return self._article_response(article, refetch=False)

    # --- writes --------------------------------------------------------------------

    def _article_response(self, article, status_code=status.HTTP_200_OK, *, refetch=True):
        """The article as answered, with its ETag. After a write the article is read again
        with everything it nests; a read answers the object ``get_queryset`` loaded."""
        if refetch:
            article = (
                Article.objects.with_listing_relations()
                .with_comment_count()
                .prefetch_related("corrections", "sites")
                .get(pk=article.pk)
            )
        if refetch:
            data = ArticleSerializer(article, context=self.get_serializer_context()).data
        else:
            data = serialized_articles([article], self.get_serializer_context())[article.pk]
        response = Response(data, status=status_code)
        return conditional.set_validators(response, "article", article, article.modified_at)

    def _service_kwargs(self, data: dict) -> dict:
        """Turn validated input into service arguments."""
        kwargs = dict(data)
        dateline = kwargs.pop("dateline", None)
        if dateline is not None:
            kwargs.update(
                dateline_place=dateline.get("place", ""),
                dateline_country=dateline.get("country", ""),
                dateline_source=dateline.get("source", ""),
            )
        if "tags" in kwargs:
            kwargs["tags"] = [self._tag(name) for name in kwargs["tags"]]
        if "bylines" in kwargs:
            kwargs["bylines"] = [services.BylineSpec(**b) for b in kwargs["bylines"]]
        if "images" in kwargs:
            kwargs["placements"] = [services.PlacementSpec(**p) for p in kwargs.pop("images")]
        if kwargs.get("message") is None:
            kwargs.pop("message", None)
        return kwargs

    @staticmethod
    def _tag(name: str) -> Tag:
        name = " ".join(name.split())
        slug = slugify(name, allow_unicode=True)[:100]
        if not slug:
            raise ValidationError({"tags": [f"“{name}” is not a usable tag name."]})
        return Tag.objects.get_or_create(slug=slug, defaults={"name": name[:100]})[0]

    def _check_publish_permission(self, article: Article | None, data: dict) -> None:
        target = data.get("status")
        current = article.status if article is not None else Article.Status.DRAFT
        moves = target is not None and target != current
        if (moves or (article is None and target not in (None, Article.Status.DRAFT))) and not (
            self.request.user.has_perm("articles.publish_article")
        ):
            raise PermissionDenied("You may write drafts but not publish, schedule or withdraw articles.")

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = ArticleWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self._check_publish_permission(None, serializer.validated_data)
        kwargs = self._service_kwargs(serializer.validated_data)
        kwargs.setdefault("message", "Created over the API")
        article = services.article_create(user=request.user, **kwargs)
        response = self._article_response(article, status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response

    @transaction.atomic
    def update(self, request, *args, partial=False, **kwargs):
        article = self.get_object()
        version = conditional.expected_version(request, "article", article)
        serializer = ArticleWriteSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self._check_publish_permission(article, serializer.validated_data)
        kwargs = self._service_kwargs(serializer.validated_data)
        kwargs.setdefault("message", "Edited over the API")
        services.article_update(article=article, user=request.user, expected_version=version, **kwargs)
        return self._article_response(article)

    @extend_schema(methods=["GET"], **ARTICLE_COMMENTS_SCHEMA["get"])
    @extend_schema(methods=["POST"], **ARTICLE_COMMENTS_SCHEMA["post"])
    @action(detail=True, methods=["get", "post"], url_path="comments", permission_classes=[permissions.AllowAny])
    def comments(self, request, pk=None):
        return article_comments(request, pk, view=self)

    # --- formats -----------------------------------------------------------------------

    @extend_schema(
        summary="The article as IPTC ninjs 3.1",
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path="ninjs", permission_classes=[permissions.AllowAny])
    def ninjs(self, request, pk=None):
        article = self.get_object()  # published() for the public, with everything it nests
        return Response(article_ninjs(article, base_url=f"{request.scheme}://{request.site.domain}"))

    @extend_schema(
        summary="Import one file (text capture, saved page, ninjs, web archive, JSON Lines backup)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportResultSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    @action(detail=False, methods=["post"], url_path="import", filter_backends=[], pagination_class=None)
    def import_file(self, request):
        """Every article found in the file is imported in its own transaction: a bad one is
        reported with its reason and the others still land. Re-importing a source updates
        the same article (one new revision) instead of duplicating it."""
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["publish"] and not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied("You may import drafts but not publish them.")
        upload = data["file"]
        results = import_upload(
            upload.name, upload.read(), site=data.get("site"), publish=data["publish"], user=request.user
        )
        return Response(ImportResultSerializer(results, many=True).data)

    # --- history -----------------------------------------------------------------------

    def _revisions(self, pk):
        """The article's revisions a user may read: all for staff; for the public, only the
        published revisions of a published article (the archive)."""
        if can_see_unpublished(self.request.user):
            article = get_object_or_404(Article, pk=pk)
            return article, article.revisions.select_related("user")
        article = get_object_or_404(Article.objects.published(), pk=pk)
        return article, article.revisions.filter(is_published=True).select_related("user")

    @extend_schema(summary="An article's revisions, oldest first", responses={200: RevisionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="revisions", permission_classes=[permissions.AllowAny])
    def revisions(self, request, pk=None):
        _article, revisions = self._revisions(pk)
        paginator = KeysetPagination(orderings={"number": Ordering("number", descending=False, kind="i")})
        page = paginator.paginate_queryset(revisions, request, view=self)
        return paginator.get_paginated_response(RevisionSerializer(page, many=True).data)

    @extend_schema(
        summary="One revision with its snapshot", responses={200: RevisionDetailSerializer, 404: ERRORS[404]}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"revisions/(?P<number>[1-9][0-9]{0,8})",
        permission_classes=[permissions.AllowAny],
    )
    def revision(self, request, pk=None, number=None):
        _article, revisions = self._revisions(pk)
        return Response(RevisionDetailSerializer(get_object_or_404(revisions, number=int(number))).data)

    @extend_schema(
        summary="Restore a revision's content as a new revision",
        parameters=[IF_MATCH],
        request=None,
        responses={200: ArticleSerializer, **ERRORS, **PRECONDITION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"revisions/(?P<number>[1-9][0-9]{0,8})/restore")
    def restore(self, request, pk=None, number=None):
        if not request.user.has_perm("articles.change_article"):
            raise PermissionDenied("Restoring a revision needs the permission to change articles.")
        article = get_object_or_404(Article, pk=pk)
        revision = get_object_or_404(article.revisions, number=int(number))
        version = conditional.expected_version(request, "article", article)
        services.article_restore(article=article, revision=revision, user=request.user, expected_version=version)
        return self._article_response(article)

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        article = self.get_object()
        version = conditional.expected_version(request, "article", article)
        reason = request.query_params.get("reason", "")[:2000]
        services.article_withdraw(article=article, reason=reason, user=request.user, expected_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List authors", parameters=[OpenApiParameter("q", OpenApiTypes.STR)]),
    retrieve=extend_schema(summary="Read an author"),
    create=extend_schema(summary="Create an author", request=AuthorWriteSerializer, responses={201: AuthorSerializer}),
    update=extend_schema(summary="Change an author", request=AuthorWriteSerializer),
    partial_update=extend_schema(summary="Change some of an author's fields", request=AuthorWriteSerializer),
)
class AuthorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People and organisations that can be credited (they need no login)."""

    lookup_value_regex = ID
    permission_classes = [ModelPermissionsOrReadOnly]
    pagination_class = KeysetPagination
    filter_backends = []
    orderings = {"name": Ordering("name", descending=False, kind="s"), "-id": Ordering("id", descending=True, kind="i")}
    serializer_class = AuthorSerializer

    def get_default_ordering(self) -> str:
        return "name"

    def get_queryset(self):
        queryset = Author.objects.all()
        query = self.request.query_params.get("q", "")[:200].strip()
        if "\x00" in query:
            raise ValidationError({"q": ["The search text contains a NUL character."]})
        return queryset.filter(name__icontains=query) if query else queryset

    def get_serializer_class(self):
        return AuthorWriteSerializer if self.action in {"create", "update", "partial_update"} else AuthorSerializer

    def create(self, request, *args, **kwargs):
        serializer = AuthorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        author = services.author_save(author=Author(**serializer.validated_data))
        return Response(AuthorSerializer(author).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        author = self.get_object()
        serializer = AuthorWriteSerializer(author, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(author, name, value)
        services.author_save(author=author)
        return Response(AuthorSerializer(author).data)


class ImagePermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; uploads and edits need add/change_image, deletion delete_image."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": [], "OPTIONS": [], "HEAD": []}


@extend_schema_view(
    list=extend_schema(summary="List images"),
    retrieve=extend_schema(summary="Read an image"),
    create=extend_schema(
        summary="Upload an image",
        request={"multipart/form-data": ImageUploadSerializer},
        responses={
            201: ImageSerializer,
            200: OpenApiResponse(ImageSerializer, description="The same file was uploaded before: that image."),
            400: ERRORS[400],
        },
    ),
    partial_update=extend_schema(
        summary="Change an image's caption, alt text or credit", request=ImageUpdateSerializer
    ),
    update=extend_schema(summary="Change an image's metadata", request=ImageUpdateSerializer),
    destroy=extend_schema(
        summary="Delete an image no article uses (its files go too)",
        responses={204: None, 400: OpenApiResponse(description="An article uses it."), **ERRORS},
    ),
)
class ImageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Photos with caption, alt text and credit chain. The public sees only photos used by
    published articles. An image an article uses cannot be deleted."""

    lookup_value_regex = ID
    permission_classes = [ImagePermissions]
    pagination_class = KeysetPagination
    filter_backends = []
    orderings = {"-id": Ordering("id", descending=True, kind="i")}
    serializer_class = ImageSerializer

    def get_default_ordering(self) -> str:
        return "-id"

    def get_queryset(self):
        if self.request.user.is_authenticated and self.request.user.has_perm("articles.change_image"):
            return Image.objects.all()
        used = ArticleImage.objects.filter(article__in=Article.objects.published().values("pk"))
        return Image.objects.filter(pk__in=used.values("image_id"))

    def create(self, request, *args, **kwargs):
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        upload = fields.pop("file")
        image, created = services.image_create(file=upload, user=request.user, **fields)
        data = ImageSerializer(image, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def perform_destroy(self, instance):
        services.image_delete(image=instance)  # refused with a 400 while an article uses it

    def update(self, request, *args, partial=False, **kwargs):
        image = self.get_object()
        serializer = ImageUpdateSerializer(image, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.image_update(image=image, **serializer.validated_data)
        return Response(ImageSerializer(image, context=self.get_serializer_context()).data)


@extend_schema_view(list=extend_schema(summary="List sites"), retrieve=extend_schema(summary="Read a site"))
class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """Sites and their public settings (publisher, time zone, commenting policy)."""

    lookup_value_regex = ID
    permission_classes = [permissions.AllowAny]
    pagination_class = KeysetPagination
    filter_backends = []
    orderings = {"id": Ordering("id", descending=False, kind="i")}
    serializer_class = SiteSerializer
    queryset = Site.objects.select_related("settings")

    def get_default_ordering(self) -> str:
        return "id"

    def _settings(self, pk) -> SiteSettings:
        site = get_object_or_404(Site, pk=pk)
        return services.site_settings_for(site=site)

    @extend_schema(
        summary="A site's settings, including the commenting switch and notice",
        methods=["GET"],
        responses={200: SiteSettingsSerializer, 404: ERRORS[404]},
    )
    @extend_schema(
        summary="Change a site's settings (staff)",
        methods=["PUT", "PATCH"],
        parameters=[IF_MATCH],
        request=SiteSettingsSerializer,
        responses={200: SiteSettingsSerializer, **ERRORS, **PRECONDITION_ERRORS},
    )
    @action(
        detail=True, methods=["get", "put", "patch"], url_path="settings", permission_classes=[permissions.AllowAny]
    )
    def site_settings(self, request, pk=None):
        site_settings = self._settings(pk)
        if request.method != "GET":
            if not request.user.is_authenticated:
                raise NotAuthenticated()
            if not request.user.has_perm("articles.change_sitesettings"):
                raise PermissionDenied("Changing a site's settings needs the site settings permission.")
            version = conditional.expected_version(request, "settings", site_settings)
            serializer = SiteSettingsSerializer(site_settings, data=request.data, partial=request.method == "PATCH")
            serializer.is_valid(raise_exception=True)
            site_settings = services.site_settings_update(
                site_settings=site_settings, expected_version=version, **serializer.validated_data
            )
        response = Response(SiteSettingsSerializer(site_settings).data)
        return conditional.set_validators(response, "settings", site_settings, site_settings.updated_at)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled per client address, and
    per client address and user name like the admin login)."""

    throttle_classes = [ScopedRateThrottle, LoginRateThrottle]
    throttle_scope = "token"
    # The project's parsers, not ObtainAuthToken's plain ones (LoginRateThrottle reads the
    # body before the view does): a malformed or too deeply nested body is a 400.
    parser_classes = [FormParser, StrictMultiPartParser, StrictJSONParser]
