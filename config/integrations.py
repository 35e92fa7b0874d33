"""Settings for single sign-on (django-allauth), SCIM provisioning (django-scim2), the audit trail
(django-auditlog) and webhooks, imported by settings.py. docs/operations.md, "Configuration", lists
the variables.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_positive_int, env_str

INTEGRATION_APPS = [
    "auditlog",
    "config.audit",
    "config.webhooks",
    "django_scim",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "enablement.identity",  # after allauth's: its admin takes back one of allauth's registrations
]

# The audit trail: entries older than this many days are deleted each night; 0 keeps them all.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730, minimum=0)
AUDITLOG_STORE_JSON_CHANGES = True

# Webhooks: each POST waits this long for the receiver; failures are retried with doubling waits from
# WEBHOOK_RETRY_SECONDS for WEBHOOK_RETRY_HOURS. Receivers on loopback or private addresses are
# refused unless allowed: they are the server's own network, not the outside world's.
WEBHOOK_TIMEOUT_SECONDS = env_positive_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
WEBHOOK_RETRY_SECONDS = 60
WEBHOOK_RETRY_HOURS = 24

# SCIM 2.0 at /scim/v2/, bearer tokens from `manage.py scim_token create NAME` or the admin.
SCIM_SERVICE_PROVIDER = {
    "NETLOC": "localhost",  # required by the library; locations are built from each request instead
    "BASE_LOCATION_GETTER": "enablement.identity.scim.base_location",
    "USER_ADAPTER": "enablement.identity.scim.User",
    "GROUP_ADAPTER": "enablement.identity.scim_groups.Group_",
    "USER_FILTER_PARSER": "enablement.identity.scim_filters.UserFilter",
    "GROUP_FILTER_PARSER": "enablement.identity.scim_filters.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": "enablement.identity.scim.ServiceProviderConfig",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "enablement.identity.scim.superusers_hidden",
    "AUTH_CHECK_MIDDLEWARE": "enablement.identity.tokens.ScimTokenCheck",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token made with `manage.py scim_token create NAME` or in the admin.",
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
}


def _group_map(name: str) -> dict[str, str]:
    """`idp-group=Reps;idp-group2=Marketing`: the identity provider's group names to the product's."""
    raw = os.environ.get(name, "").strip()
    mapping = {}
    for part in filter(None, (piece.strip() for piece in raw.split(";"))):
        idp_group, equals, role = part.partition("=")
        if not equals or not idp_group.strip() or role.strip() not in ROLES:
            raise ImproperlyConfigured(
                f"{name}: {part!r} is not idp-group=Role with Role one of {', '.join(ROLES)} "
                "(entries are separated by ;)."
            )
        mapping[idp_group.strip()] = role.strip()
    return mapping


def _oidc_apps() -> list[dict]:
    """The OpenID Connect provider named by the environment, if any (more can be added in the admin)."""
    names = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]
    values = {name: (env_str(name) or "").strip() for name in names}
    if not any(values.values()):
        return []
    missing = [name for name in names if not values[name]]
    if missing:
        raise ImproperlyConfigured(f"OpenID Connect needs {', '.join(missing)} as well (or none of them).")
    issuer = values["OIDC_ISSUER"]
    if urlsplit(issuer).scheme not in ("https", "http") or not urlsplit(issuer).netloc:
        raise ImproperlyConfigured(f"OIDC_ISSUER={issuer!r} is not an https:// URL of the identity provider.")
    return [
        {
            "provider_id": "oidc",
            "name": env_str("OIDC_NAME") or "single sign-on",
            "client_id": values["OIDC_CLIENT_ID"],
            "secret": values["OIDC_CLIENT_SECRET"],
            "settings": {
                "server_url": issuer,
                "oauth_pkce_enabled": True,
                "scope": (env_str("OIDC_SCOPES") or "openid profile email").split(),
            },
        }
    ]


ROLES = ["Reps", "Marketing", "Admins"]
# Single sign-on (docs/sign-in-provisioning-audit-webhooks.md): OpenID Connect from the environment
# or the admin, SAML per
# organisation in the admin. OIDC_GROUPS_CLAIM names the claim (SAML: attribute) holding the person's
# groups, OIDC_GROUP_MAP turns them into the product's groups, SSO_DEFAULT_GROUP is given when none
# maps. SSO_ENFORCED turns password sign-in off for everyone but superusers (the break-glass account).
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM") or "groups"
OIDC_GROUP_MAP = _group_map("OIDC_GROUP_MAP")
SSO_DEFAULT_GROUP = env_choice("SSO_DEFAULT_GROUP", "reps", [role.lower() for role in ROLES]).capitalize()
SSO_ENFORCED = env_bool("SSO_ENFORCED", False)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True}}
SOCIALACCOUNT_ADAPTER = "enablement.identity.sso.SocialAccountAdapter"
ACCOUNT_ADAPTER = "enablement.identity.sso.AccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST from the login page (CSRF-checked)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking to existing people is the adapter's rule
ACCOUNT_EMAIL_VERIFICATION = "none"  # the identity provider vouches for its people's addresses
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email"]
