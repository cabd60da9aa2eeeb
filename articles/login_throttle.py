"""Password guessing is throttled per client address and user name: the API token endpoint
(``POST /api/v1/auth/token/``) and the admin login form share one limit, the ``login`` rate of
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (5 attempts a minute by default). The 6th
attempt within the window answers 429 with ``Retry-After`` and checks no password, so a guesser
costs no password-hashing CPU either.

Counts live in the default cache (Redis in production), so every worker process shares them.
The client address is DRF's (``NUM_PROXIES``): a rotated ``X-Forwarded-For`` buys nothing.
"""

import hashlib
import math
from functools import wraps

from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle


class LoginRateThrottle(SimpleRateThrottle):
    """Counts password attempts (POSTs) per client address + user name (case-insensitive)."""

    scope = "login"

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        data = request.data if hasattr(request, "data") else request.POST
        username = data.get("username", "") if hasattr(data, "get") else ""
        username = str(username).strip().casefold()[:300]
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
