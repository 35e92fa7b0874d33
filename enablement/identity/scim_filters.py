"""SCIM filters (`userName eq "…"`, `displayName eq "Reps"`) over Django's user and group tables.

Kept apart from the adapters: django-scim2 reads these while its adapters module is being imported.
"""

from __future__ import annotations

from django_scim.filters import GroupFilterQuery, UserFilterQuery


class UserFilter(UserFilterQuery):
    attr_map = {
        **UserFilterQuery.attr_map,
        ("emails", "value", None): "email",
        ("emails", None, None): "email",
        ("displayName", None, None): "username",
    }


class GroupFilter(GroupFilterQuery):
    attr_map = {("displayName", None, None): "name"}
