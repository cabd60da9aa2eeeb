"""Public HTML pages. Everything a reader can reach starts from Article.objects.published()."""

from datetime import date

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .commenting import comments_state
from .models import Article, SiteSettings, SlugHistory


def _site_articles(request):
    return Article.objects.published().for_site(request.site)


def front_page(request):
    articles = _site_articles(request).with_listing_relations()[:20]
    return render(request, "articles/front.html", {"articles": articles})


def article_detail(request, year: int, month: int, day: int, slug: str):
    try:
        pub_date = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    site = request.site
    article = (
        Article.objects.filter(Q(site=site) | Q(sites=site), pub_date=pub_date, slug=slug)
        .with_listing_relations()
        .prefetch_related("corrections")
        .first()
    )
    if article is None:
        moved = SlugHistory.objects.filter(site=site, pub_date=pub_date, slug=slug).select_related("article").first()
        if moved is not None and moved.article.is_published():
            return redirect(moved.article.get_absolute_url(), permanent=True)
        raise Http404("No such article.")
    if article.status == Article.Status.WITHDRAWN:
        return render(request, "articles/withdrawn.html", {"article": article}, status=410)
    if not article.is_published():
        raise Http404("No such article.")
    site_settings = SiteSettings.objects.filter(site=site).first()
    context = {"article": article, "comments": comments_state(article, site_settings=site_settings)}
    return render(request, "articles/article_detail.html", context)


def article_permalink(request, pk: int):
    article = get_object_or_404(Article.objects.published(), pk=pk)
    return redirect(article.get_absolute_url(), permanent=True)
