"""The framework floor: the smallest useful Django page, a short template rendered with no
database query, through the product's whole middleware stack under the same gunicorn."""

from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def minimal(request):
    return render(request, "bench_minimal.html", {"title": "Minimal page", "items": range(5)})
