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


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's full name, else their username, else `empty`.

    Owners, authors and reps are optional (importers create deals and assets without them), and a
    filter argument such as `default:asset.owner.username` raises when the owner is missing, so
    every template names people through this filter.
    """
    if user is None:
        return empty
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or getattr(user, "username", "") or empty
