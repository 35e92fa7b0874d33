"""JSON errors with a message per field, whatever raised them; bad input never becomes a 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    """What every error answer looks like: `detail`, and/or a list of messages per field."""

    detail = serializers.CharField(required=False)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        return Response(data, status=400)
    if isinstance(exc, IntegrityError):
        return Response({"detail": "This conflicts with data already stored."}, status=409)
    if isinstance(exc, DataError):  # e.g. a NUL character the database cannot store or compare
        return Response(
            {"detail": "The request holds characters or values the database cannot take."}, status=400
        )
    return drf_exception_handler(exc, context)
