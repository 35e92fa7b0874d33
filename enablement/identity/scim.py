"""django-scim2 adapters for Django's own User and Group (the product has no custom user model).

A SCIM id is the database id. `active: false` (PATCH from Okta and Entra ID, PUT, or DELETE) deactivates:
the person can no longer sign in, their sessions and API tokens stop working, and their deals,
assets and history stay. Membership of the groups Reps, Marketing and Admins is the product's roles.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.models import SCIMServiceProviderConfig

from config.audit.services import audit_record
from enablement.identity.models import ScimUser
from enablement.identity.roles import staff_sync

TRUE_WORDS, FALSE_WORDS = {"true", "1"}, {"false", "0"}


def superusers_hidden(model):
    """django-scim2's extra filter: superusers are not the identity provider's to see or change, so it
    can neither deactivate nor demote the break-glass account."""

    def extra_filter(request, *args, **kwargs) -> dict:
        return {"is_superuser": False} if model is get_user_model() else {}

    return extra_filter


def base_location(request=None, *args, **kwargs) -> str:
    """Resources' `location`s on the host the client called (behind the proxy, its https name)."""
    return request.build_absolute_uri("/") if request is not None else ""


def _boolean(value, name: str) -> bool:
    """Entra ID sends `"active": "False"` in PATCH operations, as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise exceptions.BadRequestError(f'"{name}" should be true or false, not {value!r}.')


class User(SCIMUser):
    id_field = "id"

    @property
    def groups(self):
        return [
            {"value": str(group.pk), "$ref": Group_(group, self.request).location, "display": group.name}
            for group in self.obj.groups.all()
        ]

    def to_dict(self):
        link = ScimUser.objects.filter(user_id=self.obj.pk).first()
        self.obj.scim_external_id = (link.external_id if link else "") or None
        return super().to_dict()

    def from_dict(self, d):
        was_active = self.obj.is_active if self.obj.pk else None
        if "active" in d:
            d = {**d, "active": _boolean(d["active"], "active")}
        if not d.get("userName"):
            raise exceptions.BadRequestError('"userName" is required.')
        password = d.pop("password", None)  # passwords are the identity provider's business
        super().from_dict(d)
        if password is not None and not self.obj.pk:
            self.obj.set_unusable_password()
        self._external_id = d.get("externalId")
        self._was_active = was_active

    def validate_dict(self, d):
        if "active" in d:
            d["active"] = _boolean(d["active"], "active")

    def save(self):
        created = self.obj.pk is None
        try:
            UnicodeUsernameValidator()(self.obj.username)
            self.obj._meta.get_field("email").run_validators(self.obj.email)
        except ValidationError as exc:
            raise exceptions.BadRequestError(f"{self.obj.username!r}: {' '.join(exc.messages)}") from None
        if len(self.obj.username) > 150:
            raise exceptions.BadRequestError('"userName" is longer than 150 characters.')
        if created:
            self.obj.set_unusable_password()
            taken = get_user_model().objects.filter(username__iexact=self.obj.username).exists()
            if taken:
                raise exceptions.IntegrityError(f'A user named "{self.obj.username}" exists already.')
        with transaction.atomic():
            before = (
                None
                if created
                else get_user_model()
                .objects.filter(pk=self.obj.pk)
                .values_list("is_active", flat=True)
                .first()
            )
            self.obj.save()
            if getattr(self, "_external_id", None) is not None or created:
                ScimUser.objects.update_or_create(
                    user=self.obj, defaults={"external_id": getattr(self, "_external_id", None) or ""}
                )
            if created:
                audit_record(event="user.provisioned", target=self.obj, data={"userName": self.obj.username})
            elif before is not None and before != self.obj.is_active:
                event = "user.reactivated" if self.obj.is_active else "user.deactivated"
                audit_record(
                    event=event, target=self.obj, changes={"is_active": (before, self.obj.is_active)}
                )

    def delete(self):
        """Deprovisioning keeps the person's work: the account is deactivated, never deleted."""
        if self.obj.is_active:
            self.obj.is_active = False
            self.save()

    def parse_path_and_values(self, path, value):
        return [
            (attr, _boolean(v, "active") if attr.first_path == ("active", None, None) else v)
            for attr, v in super().parse_path_and_values(path, value)
        ]

    def handle_replace(self, path, value, operation):
        # Entra ID: `emails[type eq "work"].value`, the one address the product keeps.
        if path is not None and path.is_complex and path.first_path[0] == "emails":
            self.parse_emails([{"value": value, "primary": True}])
            self.save()
            return
        super().handle_replace(path, value, operation)

    def handle_add(self, path, value, operation):
        # Okta and Entra ID send `add` for attributes they set for the first time.
        self.handle_replace(path, value, operation)


class Group_(SCIMGroup):
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
        from enablement.identity.roles import PRODUCT_GROUPS

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
            self.obj.user_set.add(*found)
        if remove:
            self.obj.user_set.remove(*users.filter(pk__in=remove))
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
        from enablement.identity.roles import PRODUCT_GROUPS

        before = Group.objects.filter(pk=self.obj.pk).values_list("name", flat=True).first()
        if before in PRODUCT_GROUPS and before != self.obj.name:
            raise exceptions.BadRequestError(
                f'"{before}" is one of the product\'s groups; it keeps its name.'
            )
        self.obj.save(update_fields=["name"])


def _member_ids(members) -> set[int]:
    ids = set()
    for member in members or []:
        raw = member.get("value") if isinstance(member, dict) else member
        try:
            ids.add(int(str(raw)))
        except ValueError:
            raise exceptions.BadRequestError(f"Member {raw!r} is not a user id of this service.") from None
    return ids


def _filter_ids(path: str) -> set[int]:
    import re

    return {int(n) for n in re.findall(r'value\s+eq\s+"?(\d+)"?', path)}


class ServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self):
        d = super().to_dict()
        d["filter"] = {"supported": True, "maxResults": 200}
        d["changePassword"] = {"supported": False}
        return d
