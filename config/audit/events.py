"""The product's own audit events (beside auditlog's record of every change to an audited model).

Each is written by the service that does the thing, with who did it; the admin filters by them and
`audit_export` writes them out.
"""

from __future__ import annotations

EVENTS: dict[str, str] = {
    "asset.created": "Asset created",
    "asset.changed": "Asset changed",
    "asset.audience_changed": "Asset audience changed",
    "asset.published": "Asset published",
    "asset.archived": "Asset archived",
    "asset.version_uploaded": "Asset version uploaded",
    "share.created": "Share link created",
    "share.withdrawn": "Share link withdrawn",
    "room.created": "Deal room created",
    "room.withdrawn": "Deal room withdrawn",
    "profile.proposed": "Buyer profile proposed",
    "profile.approved": "Buyer profile approved",
    "profile.rejected": "Buyer profile rejected",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "scim_token.created": "SCIM token created",
    "scim_token.revoked": "SCIM token revoked",
    "user.provisioned": "User provisioned (SCIM)",
    "user.deactivated": "User deactivated",
    "user.reactivated": "User reactivated",
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "sign_in.refused": "Sign-in refused",
    "sign_out": "Signed out",
    "export.downloaded": "Export",
    "import.finished": "Import finished",
    "audit.purged": "Audit entries past retention deleted",
    "webhook.endpoint_added": "Webhook endpoint added",
}
