"""A JSON renderer on orjson: the same output as DRF's ``JSONRenderer`` (UTF-8, compact),
several times faster on large lists, and able to embed pre-encoded JSON
(``orjson.Fragment``) such as the cached articles of ``serializers.serialized_articles``.

Types orjson does not know (lazy translations, Decimals, querysets…) go through DRF's own
encoder; a request for indented output (``Accept: application/json; indent=4``) is
rendered by DRF's renderer, after the fragments are decoded.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


def _default(obj):
    if isinstance(obj, orjson.Fragment):  # only reached on the indented path (see below)
        raise TypeError
    return _fallback.default(obj)


def _decoded(data):
    """``data`` with its fragments decoded (for renderers that cannot embed them)."""
    if isinstance(data, orjson.Fragment):
        return orjson.loads(data.contents)
    if isinstance(data, dict):
        return {key: _decoded(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_decoded(value) for value in data]
    return data


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(_decoded(data), accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
