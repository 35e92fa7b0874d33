"""Settings for single sign-on (django-allauth), SCIM provisioning (django-scim2), the audit trail
(django-auditlog) and webhooks, imported by settings.py. README "Configuration" lists the variables.
"""

from __future__ import annotations

from config.env import env_bool, env_int, env_positive_int

INTEGRATION_APPS = [
    "auditlog",
    "config.audit",
    "config.webhooks",
    "django_scim",
    "enablement.identity",
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
    "GROUP_ADAPTER": "enablement.identity.scim.Group_",
    "USER_FILTER_PARSER": "enablement.identity.scim_filters.UserFilter",
    "GROUP_FILTER_PARSER": "enablement.identity.scim_filters.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": "enablement.identity.scim.ServiceProviderConfig",
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
