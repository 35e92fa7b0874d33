from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.simple_tag
def with_param(querystring: QueryDict, name: str, value) -> str:
    """The current query string with one parameter set (and the page reset)."""
    params = querystring.copy()
    params[name] = value
    if name != "page":
        params.pop("page", None)
    return "?" + params.urlencode()


@register.filter
def get_attr(obj, name: str):
    return getattr(obj, name, None)
