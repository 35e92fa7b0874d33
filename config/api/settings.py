"""The API's settings (Django REST framework, drf-spectacular), read by config/settings.py: plain values,
apart from the rate, which comes from the environment there."""

from __future__ import annotations


def rest_framework(*, rate: str) -> dict:
    """REST_FRAMEWORK, with `rate` the requests allowed per token (or signed-in user)."""
    return {
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        # JSON only: people explore the API in Swagger UI (/api/docs/); DRF's browsable pages carry inline
        # styles the Content Security Policy refuses, and would be a second, untested face of the API.
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "enablement.api.tokens.ApiTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_THROTTLE_CLASSES": ["enablement.api.tokens.TokenRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"api": rate},
        "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
        # One parser checks every JSON body (depth, NUL, lone surrogates); the API reads JSON only.
        "DEFAULT_PARSER_CLASSES": ["config.api.parsers.SafeJSONParser"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
        "PAGE_SIZE": 50,
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "Enablement tracker API",
    "DESCRIPTION": "Catalogue, deals and usage for integrations; analytics out for BI tools. "
    "Authenticate with `Authorization: Token <key>` (tokens are made by admins).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"DealSourceEnum": "enablement.choices.DealSource"},
    # Swagger UI served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
