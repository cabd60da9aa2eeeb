"""Posting a comment from the article page, and the pages of an article's comments."""

from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from articles.sites import site_settings_for_request
from articles.views import article_context

from . import services
from .api import client_address
from .forms import CommentForm

CROSS_SITE = "Comments can only be posted from this site's own pages."
COMMENTS_PER_PAGE = 50


def _same_origin(request) -> bool:
    """Whether the browser says the form was posted from this host (Origin, else Referer)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme in {"http", "https"} and parts.netloc == request.get_host()


def _article(request, pk: int) -> Article:
    article = (
        Article.objects.published()
        .for_site(request.site)
        .filter(pk=pk)
        .with_listing_relations()
        .with_comment_count()
        .prefetch_related("corrections")
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def _article_page(request, article, *, status: int, form=None, message: str = ""):
    """The article page again, with the form's errors or a message, and ``status``."""
    site_settings = site_settings_for_request(request)
    context = article_context(request, article, site_settings, now=timezone.now())
    if form is not None:
        context["comment_form"] = form
    context["comment_message"] = message
    response = render(request, "articles/article_detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt  # the page is cached and shared: see comments/forms.py for the protections used
@require_POST
def post_comment(request, pk: int):
    article = _article(request, pk)
    if not _same_origin(request):
        return HttpResponseForbidden(CROSS_SITE)
    form = CommentForm(request.POST, article_id=article.pk)
    if not form.is_valid():
        return _article_page(request, article, status=400, form=form)
    try:
        comment = services.comment_post(
            article=article,
            display_name=form.cleaned_data["display_name"],
            body=form.cleaned_data["body"],
            email=form.cleaned_data["email"],
            user=request.user,
            client_address=client_address(request),
            site_settings=site_settings_for_request(request),
            filled_in_seconds=form.filled_in_seconds,
        )
    except services.CommentsClosed as closed:
        return _article_page(request, article, status=403, message=closed.message)
    except services.RateLimited as limited:
        response = _article_page(request, article, status=429, form=form, message=str(limited))
        response["Retry-After"] = str(limited.retry_after)
        return response
    except services.ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _article_page(request, article, status=400, form=form)
    response = render(request, "comments/posted.html", {"article": article, "comment": comment}, status=201)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def article_comments(request, pk: int):
    """All approved comments of an article, oldest first, 50 a page."""
    article = get_object_or_404(Article.objects.published().for_site(request.site), pk=pk)
    page = Paginator(article.comments.approved(), COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"article": article, "page": page, "comments": page.object_list}
    return render(request, "comments/list.html", context)
