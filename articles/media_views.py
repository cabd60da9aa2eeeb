"""The rendition view: make (once) and hand out a resized copy of a stored picture."""

from django.http import Http404, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import renditions
from .models import Article, ArticleImage, Image

PUBLIC_MAX_AGE = 24 * 60 * 60


def may_see_image(user, image: Image) -> bool:
    """Staff who may view images see every one; the public only those used by a published
    article (an embargoed story's photos stay out of reach, even by guessing ids)."""
    if user.is_authenticated and user.has_perm("articles.view_image"):
        return True
    published = Article.objects.published().values("pk")
    return ArticleImage.objects.filter(image_id=image.pk, article__in=published).exists()


@require_safe
def rendition(request, pk: str, width: str, fmt: str):
    """Redirect to the stored rendition ``width``.``fmt`` of image ``pk``, making it first
    if it was never asked for.

    Only the image's own rendition set exists (``renditions.spec_for``): any other width
    or format is a 404, so this URL cannot make the server produce arbitrary sizes. An
    image without a file, or whose original is missing or unreadable, is a 404 too.
    """
    image = Image.objects.filter(pk=int(pk)).first()
    if image is None or not image.file or not may_see_image(request.user, image):
        raise Http404("No such picture.")
    spec = renditions.spec_for(image, int(width), fmt)
    if spec is None:
        raise Http404("No such rendition.")
    try:
        entry = renditions.ensure_rendition(image.pk, spec)
    except (Image.DoesNotExist, renditions.RenditionUnavailable) as error:
        raise Http404("This picture is not available.") from error
    response = HttpResponseRedirect(image.file.storage.url(entry["name"]))
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
