"""django-scim2 adapters for Django's own User and Group (the product has no custom user model).

A SCIM id is the database id. `active: false` (PATCH from Okta and Entra ID, PUT, or DELETE) deactivates:
the person can no longer sign in, their sessions and API tokens stop working, and their deals,
assets and history stay. Membership of the groups Reps, Marketing and Admins is the product's roles.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_scim import exceptions
from django_scim.adapters import SCIMUser
from django_scim.models import SCIMServiceProviderConfig
from scim2_filter_parser.parser import SCIMParserError

from config.audit.services import audit_record
from enablement.identity.models import ScimUser

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


def group_location(group, request) -> str:
    """A group's `location`, as scim_groups.Group_ gives it (that adapter is built on this module)."""
    return urljoin(base_location(request), reverse("scim:groups", kwargs={"uuid": group.pk}))


def _boolean(value, name: str) -> bool:
    """Entra ID sends `"active": "False"` in PATCH operations, as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise exceptions.BadRequestError(f'"{name}" should be true or false, not {value!r}.')


PATCH_OPS = {"add", "remove", "replace"}
USER_FIELD_TYPES = {
    "userName": (str,),
    "externalId": (str, type(None)),
    "name": (dict,),
    "emails": (list, dict),
    "groups": (list,),
    "displayName": (str, type(None)),
}


class _WellFormed:
    """The shapes of bodies and PATCH operations checked before the library reads them: whatever an
    identity provider (or anyone holding a token) sends is a 400 naming the problem, never a 500."""

    def handle_operations(self, operations):
        if not isinstance(operations, list):
            raise exceptions.BadRequestError('"Operations" must be a list of operations.')
        for index, operation in enumerate(operations):
            where = f"Operations[{index}]"
            if not isinstance(operation, dict):
                raise exceptions.BadRequestError(f"{where} must be an object.")
            if not isinstance(operation.get("op"), str) or operation["op"].lower() not in PATCH_OPS:
                raise exceptions.BadRequestError(f'{where}: "op" must be add, remove or replace.')
            path = operation.get("path")
            if path is not None and not isinstance(path, str):
                raise exceptions.BadRequestError(f'{where}: "path" must be text.')
            if not path and not isinstance(operation.get("value"), dict):
                raise exceptions.BadRequestError(f'{where}: without a "path", "value" must be an object.')
        try:
            super().handle_operations(operations)
        except SCIMParserError as exc:
            raise exceptions.BadRequestError(f"A path could not be read: {exc}") from None


class User(_WellFormed, SCIMUser):
    id_field = "id"

    @property
    def groups(self):
        return [
            {"value": str(group.pk), "$ref": group_location(group, self.request), "display": group.name}
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
        if not isinstance(d, dict):
            raise exceptions.BadRequestError("The body must be a SCIM User object.")
        for field, types in USER_FIELD_TYPES.items():
            if field in d and not isinstance(d[field], types):
                raise exceptions.BadRequestError(f'"{field}" has the wrong type ({type(d[field]).__name__}).')
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
        attribute = path.first_path[0] if path is not None else None
        if attribute in ("userName", "name") and not isinstance(value, str):
            raise exceptions.BadRequestError(f'"{operation.get("path")}" must be text.')
        # Entra ID: `emails[type eq "work"].value`, the one address the product keeps.
        if path is not None and path.is_complex and path.first_path[0] == "emails":
            self.parse_emails([{"value": value, "primary": True}])
            self.save()
            return
        super().handle_replace(path, value, operation)

    def handle_add(self, path, value, operation):
        # Okta and Entra ID send `add` for attributes they set for the first time.
        self.handle_replace(path, value, operation)

    def handle_remove(self, path, value, operation):
        raise exceptions.BadRequestError(
            f'Removing "{operation.get("path")}" is not supported; replace it, or set "active" to false.'
        )


class ServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self):
        d = super().to_dict()
        d["filter"] = {"supported": True, "maxResults": 200}
        d["changePassword"] = {"supported": False}
        return d
