"""Single sign-on through django-allauth: who an identity provider's person is here, and their groups.

The first sign-in makes the user (no password of their own), unless SCIM provisioned them already or
they had a password account: then the sign-in is linked to that user by email address, or by user
name. A superuser is never linked this way: the break-glass account stays a password account that no
identity provider can take over. At every sign-in the groups claim (OIDC) or attribute (SAML) sets
the person's product groups through the group map; when none of their groups maps, a new person gets
SSO_DEFAULT_GROUP and an existing one keeps theirs.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from enablement.identity.roles import PRODUCT_GROUPS, product_groups_set


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people come from the identity provider (or an admin), never a sign-up form


def _claims(sociallogin) -> dict:
    data = dict(sociallogin.account.extra_data or {})
    for nested in ("userinfo", "id_token"):
        if isinstance(data.get(nested), dict):
            data = {**data[nested], **data}
    return data


def _app_settings(sociallogin) -> dict:
    """The app's own groups_claim and group_map (SAML apps and OIDC apps made in the admin)."""
    app = sociallogin.account.get_provider().app
    return dict(getattr(app, "settings", None) or {})


def idp_groups(sociallogin) -> list[str] | None:
    """The person's groups as the identity provider names them; None when it sends no such claim."""
    claim = _app_settings(sociallogin).get("groups_claim") or settings.OIDC_GROUPS_CLAIM
    value = _claims(sociallogin).get(claim)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list | tuple) else None


def mapped_roles(groups: list[str] | None, sociallogin) -> set[str]:
    mapping = {**settings.OIDC_GROUP_MAP, **(_app_settings(sociallogin).get("group_map") or {})}
    return {mapping[g] for g in groups or [] if mapping.get(g) in PRODUCT_GROUPS}


def roles_apply(*, user, sociallogin, new: bool) -> None:
    roles = mapped_roles(idp_groups(sociallogin), sociallogin)
    if roles:
        product_groups_set(user=user, roles=roles)
    elif new or not user.groups.filter(name__in=PRODUCT_GROUPS).exists():
        product_groups_set(user=user, roles={settings.SSO_DEFAULT_GROUP})


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        request._audit_sso_provider = sociallogin.account.provider
        if sociallogin.is_existing:
            roles_apply(user=sociallogin.user, sociallogin=sociallogin, new=False)
            return
        existing = self._existing_user(sociallogin)
        if existing is not None:
            sociallogin.connect(request, existing)
            roles_apply(user=existing, sociallogin=sociallogin, new=False)

    def _existing_user(self, sociallogin):
        claims = _claims(sociallogin)
        if claims.get("email_verified") is False:
            return None  # an address the provider itself has not checked proves nothing
        email = (sociallogin.user.email or claims.get("email") or "").strip()
        username = (claims.get("preferred_username") or "").strip()
        match = Q(pk__in=[])
        if email:
            match |= Q(email__iexact=email) | Q(username__iexact=email)
        if username:
            match |= Q(username__iexact=username)
        found = list(get_user_model().objects.filter(match).exclude(is_superuser=True)[:2])
        return found[0] if len(found) == 1 else None

    def populate_user(self, request: HttpRequest, sociallogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        claims = _claims(sociallogin)
        wanted = str(claims.get("preferred_username") or user.username or user.email or "").strip()
        # The provider's name for the person when it is a valid user name nobody here has (a break-glass
        # `admin`, say); otherwise allauth makes a free one from their address and name.
        user.username = wanted if self._free_username(wanted) else ""
        return user

    @staticmethod
    def _free_username(name: str) -> bool:
        try:
            UnicodeUsernameValidator()(name)
        except ValidationError:
            return False
        return 0 < len(name) <= 150 and not get_user_model().objects.filter(username__iexact=name).exists()

    def save_user(self, request: HttpRequest, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        roles_apply(user=user, sociallogin=sociallogin, new=True)
        return user
