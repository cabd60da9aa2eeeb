"""The OpenAPI security of each operation says what the views enforce.

drf-spectacular marks authentication optional (``{}`` in ``security``) only for ``AllowAny``
and ``IsAuthenticatedOrReadOnly``. Here the public reads go through
``DjangoModelPermissionsOrAnonReadOnly`` (articles, authors, images), some extra actions use
``AllowAny`` and check writes themselves (a site's settings), asking for a token needs no
authentication, and reader comments may be posted anonymously. A schema that says
"authentication required" for a public read makes clients (and schemathesis' ``ignored_auth``
check) believe the API ignores credentials; one that says "optional" for a staff-only write
hides a requirement. So the rule is stated once, here:

- safe methods are public unless the view requires a login (``IsAuthenticated``);
- unsafe methods need authentication, except the token endpoint and reader comments.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions

PUBLIC_WRITE_ACTIONS = {"comments"}  # POST /articles/{id}/comments/: reader comments


def anonymous_allowed(view, method: str) -> bool:
    from .views import TokenView

    if isinstance(view, TokenView):
        return True
    checks = view.get_permissions()
    if any(type(check) is permissions.IsAuthenticated for check in checks):
        return False
    if method in permissions.SAFE_METHODS:
        return True
    return getattr(view, "action", None) in PUBLIC_WRITE_ACTIONS


class NewsroomAutoSchema(AutoSchema):
    def get_auth(self):
        required = [requirement for requirement in super().get_auth() if requirement]
        if anonymous_allowed(self.view, self.method):
            return [*required, {}]
        return required
