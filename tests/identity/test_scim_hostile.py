"""Bad SCIM requests are answered 400 with a SCIM error naming what is wrong, never 500; nothing changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.identity.scim_payloads import OKTA_USER, PATCH_OP

BAD_PATCHES = [
    {"schemas": [PATCH_OP], "Operations": "replace everything"},
    {"schemas": [PATCH_OP], "Operations": ["not an object"]},
    {"schemas": [PATCH_OP], "Operations": [{"value": {"active": False}}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": 7, "value": {"active": False}}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "frobnicate", "value": {"active": False}}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": "no path and not an object"}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "nickName", "value": "x"}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": {"nested": 1}}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "[[[", "value": 1}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "emails"}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "userName", "value": 12}]},
    {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"emails": "not-an-address"}}]},
]


@pytest.mark.parametrize("body", BAD_PATCHES)
def test_a_bad_user_patch_is_a_400_and_changes_nothing(scim, body):
    user_id = scim("post", "Users", OKTA_USER).json()["id"]
    response = scim("patch", f"Users/{user_id}", body)
    assert response.status_code in (400, 501), response.content
    assert response.json()["detail"]
    user = User.objects.get(pk=user_id)
    assert (user.is_active, user.username, user.email) == (
        True,
        "jane.doe@example.com",
        "jane.doe@example.com",
    )


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"userName": ["a", "list"]},
        {"userName": "ok.name", "name": "not an object"},
        {"userName": "ok.name", "emails": "not a list"},
        {"userName": "ok.name", "emails": [{"value": "not an address"}]},
        {"userName": "x" * 200},
    ],
)
def test_a_bad_user_is_a_400(scim, body):
    response = scim("post", "Users", body)
    assert response.status_code == 400, response.content
    assert not User.objects.filter(username="ok.name").exists()


@pytest.mark.parametrize(
    "query",
    [
        "filter=userName%20eq",
        "filter=%22%22%22",
        "startIndex=-4",
        "count=lots",
    ],
)
def test_a_bad_filter_or_page_is_a_400(scim, query):
    response = scim("get", f"Users?{query}")
    assert response.status_code == 400, response.content


def test_a_body_that_is_not_json_is_a_400(client, db):
    from enablement.identity.tokens import scim_token_create

    _, key = scim_token_create(name="Okta")
    response = client.post(
        "/scim/v2/Users",
        data=b"{not json",
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        ("post", "Groups", "not a group"),
        ("post", "Groups", {"displayName": ["Reps"]}),
        ("post", "Groups", {"displayName": "EMEA", "members": "everyone"}),
        (
            "patch",
            "Groups/{reps}",
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": 5}]},
        ),
        (
            "patch",
            "Groups/{reps}",
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": "abc"}]}],
            },
        ),
        (
            "patch",
            "Groups/{reps}",
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "displayName", "value": "Sellers"}],
            },
        ),
    ],
)
def test_a_bad_group_request_is_a_400_and_the_product_groups_stay(scim, body):
    from django.contrib.auth.models import Group

    method, path, payload = body
    response = scim(method, path.format(reps=Group.objects.get(name="Reps").pk), payload)
    assert response.status_code == 400, response.content
    assert set(Group.objects.values_list("name", flat=True)) >= {"Reps", "Marketing", "Admins"}
    assert not Group.objects.get(name="Reps").user_set.exists()
