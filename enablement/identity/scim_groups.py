"""django-scim2's adapter for Django's Group: the groups Reps, Marketing and Admins are the product's
roles (they keep their names and cannot be deleted); membership changes set each member's staff flag.
Okta sends `members` value lists and `members[value eq "id"]` paths; Entra ID value lists."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup

from enablement.identity.roles import PRODUCT_GROUPS, staff_sync
from enablement.identity.scim import User, _WellFormed


class Group_(_WellFormed, SCIMGroup):
    id_field = "id"

    @property
    def display_name(self):
        return self.obj.name

    @property
    def members(self):
        return [
            {"value": str(user.pk), "$ref": User(user, self.request).location, "display": user.username}
            for user in self.obj.user_set.all()
        ]

    def to_dict(self):
        return {
            "schemas": [constants.SchemaURI.GROUP],
            "id": str(self.obj.pk),
            "externalId": None,
            "displayName": self.obj.name,
            "members": self.members,
            "meta": {"resourceType": "Group", "location": self.location},
        }

    def validate_dict(self, d):
        if not isinstance(d, dict):
            raise exceptions.BadRequestError("The body must be a SCIM Group object.")
        if not isinstance(d.get("displayName", ""), str):
            raise exceptions.BadRequestError('"displayName" must be text.')
        if not isinstance(d.get("members", []), list | type(None)):
            raise exceptions.BadRequestError('"members" must be a list.')

    def from_dict(self, d):
        name = (d.get("displayName") or "").strip()
        if not name:
            raise exceptions.BadRequestError('"displayName" is required.')
        self.obj.name = name
        self._members = d.get("members")

    def save(self):
        if self.obj.pk is None and Group.objects.filter(name=self.obj.name).exists():
            raise exceptions.IntegrityError(f'A group named "{self.obj.name}" exists already.')
        with transaction.atomic():
            self.obj.save()
            if self._members is not None:
                self._members_set(_member_ids(self._members))

    def delete(self):
        if self.obj.name in PRODUCT_GROUPS:
            raise exceptions.BadRequestError(f'"{self.obj.name}" is one of the product\'s groups and stays.')
        self.obj.delete()

    def _members_set(self, ids: set[int]) -> None:
        current = set(self.obj.user_set.values_list("pk", flat=True))
        self._members_change(add=ids - current, remove=current - ids)

    def _members_change(self, *, add: set[int] = frozenset(), remove: set[int] = frozenset()) -> None:
        users = get_user_model().objects.filter(is_superuser=False)
        if add:
            found = list(users.filter(pk__in=add))
            if len(found) != len(add):
                raise exceptions.BadRequestError("A member is not a known user id.")
            # From each user's side, so the audit trail records the change on the person it concerns.
            for user in found:
                user.groups.add(self.obj)
        if remove:
            for user in users.filter(pk__in=remove):
                user.groups.remove(self.obj)
        for user in users.filter(pk__in=add | remove):
            staff_sync(user)

    def handle_add(self, path, value, operation):
        if path.first_path[0] == "members":
            self._members_change(add=_member_ids(value if isinstance(value, list) else [value]))
        else:
            self.handle_replace(path, value, operation)

    def handle_remove(self, path, value, operation):
        if path is None or path.first_path[0] != "members":
            raise exceptions.NotImplementedError("Only members can be removed from a group.")
        # Entra ID: path `members[value eq "42"]` and no value; Okta: path `members` and a value list.
        ids = _member_ids(value) if value else _filter_ids(operation.get("path", ""))
        if not ids and not value:
            ids = set(self.obj.user_set.values_list("pk", flat=True))
        self._members_change(remove=ids)

    def handle_replace(self, path, value, operation):
        # Without a path the value is a dict of attributes, which the library splits into one path each.
        attribute = path.first_path[0]
        if attribute == "members":
            self._members_set(_member_ids(value or []))
        elif attribute == "displayName":
            self.obj.name = str(value).strip()
            self.save_name()
        elif attribute not in ("id", "externalId", "schemas"):
            raise exceptions.NotImplementedError(f"PATCH of a group's {attribute} is not supported.")

    def save_name(self) -> None:
        before = Group.objects.filter(pk=self.obj.pk).values_list("name", flat=True).first()
        if before in PRODUCT_GROUPS and before != self.obj.name:
            raise exceptions.BadRequestError(
                f'"{before}" is one of the product\'s groups; it keeps its name.'
            )
        self.obj.save(update_fields=["name"])


def _member_ids(members) -> set[int]:
    if not isinstance(members, list | type(None)):
        raise exceptions.BadRequestError('"members" must be a list of {"value": "<user id>"}.')
    ids = set()
    for member in members or []:
        raw = member.get("value") if isinstance(member, dict) else member
        try:
            ids.add(int(str(raw)))
        except ValueError:
            raise exceptions.BadRequestError(f"Member {raw!r} is not a user id of this service.") from None
    return ids


def _filter_ids(path: str) -> set[int]:
    return {int(n) for n in re.findall(r'value\s+eq\s+"?(\d+)"?', path)}
