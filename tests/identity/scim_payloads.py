"""SCIM requests as Okta sends them."""

from __future__ import annotations

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"

OKTA_USER = {
    "schemas": [USER_SCHEMA],
    "userName": "jane.doe@example.com",
    "name": {"givenName": "Jane", "familyName": "Doe"},
    "emails": [{"primary": True, "value": "jane.doe@example.com", "type": "work"}],
    "displayName": "Jane Doe",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}
