"""Project-wide error pages. Under /api/ they answer JSON like the API itself; elsewhere
Django's templates (404.html, 500.html…) are used."""

import sys

from django.http import JsonResponse
from django.views import defaults

from .unavailable import dependency_down, outage_response

MESSAGES = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    500: "Server error: the problem has been logged.",
}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": MESSAGES[400]}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": MESSAGES[403]}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": MESSAGES[404]}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Called while the exception is being handled: a database or Redis outage is a 503.
    error = sys.exc_info()[1]
    dependency = dependency_down(error)
    if dependency is not None:
        return outage_response(request, dependency, error)
    if _is_api(request):
        return JsonResponse({"detail": MESSAGES[500]}, status=500)
    return defaults.server_error(request)
