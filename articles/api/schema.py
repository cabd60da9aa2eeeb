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


# Every operation documents the errors the API can answer, with the shape they have: a JSON
# object with a ``detail`` message, or one list of messages per invalid field.
ERROR_SCHEMA = {
    "type": "object",
    "description": 'An error: {"detail": "message"}, or {"field": ["message", …]} for invalid input.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
STANDARD_ERRORS = {
    "400": "Invalid input; the body names each problem.",
    "401": "Not authenticated (or an invalid token).",
    "403": "Not allowed.",
    "404": "No such resource (or not visible to you).",
    "429": "Too many requests; try again after Retry-After seconds.",
}


# Unicode slugs (SlugField(allow_unicode=True)): drf-spectacular writes Python's pattern, whose
# ``\w`` is ASCII-only in the ECMA regexes OpenAPI clients use. Allow ASCII letters, digits,
# "-" and "_" and any non-ASCII character: a negated class, because a range such as
# \u0080-\uffff stops at the Basic Multilingual Plane and refuses slugs like "x-𬷨".
ASCII_SLUG = "^[-\\w]+$"
UNICODE_SLUG = "^[^\\x00-\\x2c\\x2e\\x2f\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\x7f]+$"


def _unicode_slugs(node) -> None:
    if isinstance(node, dict):
        if node.get("pattern") == ASCII_SLUG:
            node["pattern"] = UNICODE_SLUG
        for value in node.values():
            _unicode_slugs(value)
    elif isinstance(node, list):
        for value in node:
            _unicode_slugs(value)


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: add the standard error answers where missing, and
    let slug patterns admit the Unicode slugs the API stores."""
    _unicode_slugs(result)
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for _method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code, description in STANDARD_ERRORS.items():
                if code == "404" and "{" not in path:
                    continue  # a list or a collection always exists
                responses.setdefault(code, {"description": description, "content": content})
    return result
