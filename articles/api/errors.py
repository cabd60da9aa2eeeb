"""API errors: always JSON with a ``detail`` message (and field messages for bad input)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from ..services import EditConflict
from ..unavailable import dependency_down, outage_response


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "This change needs an If-Match header holding the article's current ETag: GET the "
        "resource, then send its ETag header back as If-Match."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The resource was changed by someone else since you loaded it: GET it again and reapply your change."
    )
    default_code = "precondition_failed"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with another one made at the same time; try again."
    default_code = "conflict"


def exception_handler(exc, context):
    """Map domain errors to HTTP: service ``ValidationError`` → 400 with the same messages,
    ``EditConflict`` → 412, a database uniqueness race → 409, the database or Redis
    down → 503 (``articles/unavailable.py``)."""
    dependency = dependency_down(exc)
    if dependency is not None:
        return outage_response(context["request"], dependency, exc)
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if set(detail) == {"non_field_errors"}:
            detail = {"detail": " ".join(detail["non_field_errors"]), "errors": detail["non_field_errors"]}
        exc = ValidationError(detail)
    elif isinstance(exc, EditConflict):
        exc = PreconditionFailed()
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(m) for m in response.data), "errors": response.data}
    return response


def gone(detail: str, **extra) -> Response:
    return Response({"detail": detail, **extra}, status=status.HTTP_410_GONE)
