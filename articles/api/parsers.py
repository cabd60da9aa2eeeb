"""Request parsers that refuse text PostgreSQL cannot hold, before any field sees it.

A NUL character (``\\x00``) or a lone UTF-16 surrogate (``"\\ud800"`` in JSON) anywhere in a
body, key or value, answers 400 with a message. Serializer text fields refuse NUL already, but
lookups (slugs, choices, related ids) would pass it to the database, which fails with a 500;
checking once at the parser covers every endpoint and every field. A JSON body nested
deeper than Python's stack (``[[[[…``) is a 400 too, not a ``RecursionError`` and a 500.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Text must be valid Unicode (no lone surrogates)."
NESTED_MESSAGE = "The body is nested too deeply."


def _problem(data, depth: int = 0) -> str | None:
    """The message for the first NUL or lone surrogate in ``data``, or None."""
    if depth > 64:
        return NESTED_MESSAGE
    if isinstance(data, str):
        if "\x00" in data:
            return NUL_MESSAGE
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    elif isinstance(data, dict):
        for key, value in data.items():
            problem = _problem(key, depth + 1) or _problem(value, depth + 1)
            if problem:
                return problem
    elif isinstance(data, list | tuple):
        for value in data:
            problem = _problem(value, depth + 1)
            if problem:
                return problem
    return None


def check_text(data) -> None:
    """Raise ``ParseError`` naming each top-level field that holds a NUL or a lone surrogate,
    in DRF's shape: ``{"headline": ["Null characters are not allowed."]}``."""
    if isinstance(data, dict):
        errors = {}
        for key, value in data.items():
            problem = _problem(value)
            if _problem(key) or problem:
                errors[key if not _problem(key) else "non_field_errors"] = [problem or _problem(key)]
        if errors:
            raise ParseError(errors)
    else:
        problem = _problem(data)
        if problem:
            raise ParseError(problem)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # "[[[[…" past Python's stack: DRF catches only ValueError
            raise ParseError(f"JSON parse error - {NESTED_MESSAGE}") from None
        check_text(data)
        return data


class StrictMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_text({key: result.data.getlist(key) for key in result.data})
        check_text({key: "" for key in result.files})  # file names are the client's: never stored
        return result
