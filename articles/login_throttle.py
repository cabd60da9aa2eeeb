"""Password guessing is throttled per client address and user name: the API token endpoint
(``POST /api/v1/auth/token/``) and the admin login form share one limit, the ``login`` rate of
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (5 attempts a minute by default). The 6th
attempt within the window answers 429 with ``Retry-After`` and checks no password, so a guesser
costs no password-hashing CPU either.

The user name is compared as Django's login form reads it (NFKC, so "ｅditor" is "editor")
and case-insensitively: a compatibility variant of a name buys no fresh attempts. Counts
live in the default cache (Redis in production), counted atomically by one script
(``articles/api/throttling.py``), so every worker process shares them exactly.
The client address is DRF's (``NUM_PROXIES``): a rotated ``X-Forwarded-For`` buys nothing.
"""

import hashlib
import math
import unicodedata
from functools import wraps

from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from .api.throttling import SharedCountMixin


class LoginRateThrottle(SharedCountMixin, SimpleRateThrottle):
    """Counts password attempts (POSTs) per client address + user name, the name compared
    as Django's login compares it (NFKC, so "ａdmin" and "𝐚dmin" are "admin") and
    case-insensitively. On Redis the count is atomic across workers (``SharedCountMixin``)."""

    scope = "login"

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        data = request.data if hasattr(request, "data") else request.POST
        username = data.get("username", "") if hasattr(data, "get") else ""
        username = unicodedata.normalize("NFKC", str(username)).strip().casefold()[:300]
        ident = hashlib.sha256(f"{self.get_ident(request)}\x00{username}".encode("utf-8", "replace")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttled_login(view):
    """Wrap a Django login view (the admin's) with :class:`LoginRateThrottle`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, None):
            wait = max(1, math.ceil(throttle.wait() or 1))
            response = render(
                request,
                "429.html",
                {"wait": wait, "message": f"Too many sign-in attempts. Try again in {wait} seconds."},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapper
