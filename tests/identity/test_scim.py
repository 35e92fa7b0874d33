"""SCIM 2.0 at /scim/v2/ with the requests Okta and Microsoft Entra ID send (their documented shapes)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.core.management import call_command

from enablement.api.tokens import api_token_create
from enablement.identity.tokens import scim_token_create
from tests.factories import DealFactory, UserFactory
from tests.identity.scim_payloads import OKTA_USER, PATCH_OP, USER_SCHEMA

SCIM = "application/scim+json"


ENTRA_USER = {
    "schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "test_user_fd0ea19b@contoso.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
    "roles": [],
}


def test_requests_without_a_valid_bearer_token_are_refused(client, db, admin_user):
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    client.force_login(admin_user)  # a portal session is no provisioning client
    assert client.get("/scim/v2/Users").status_code == 401


def test_a_revoked_token_stops_working(client, db):
    _, key = scim_token_create(name="Entra")
    call_command("scim_token", "revoke", "Entra")
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_command_prints_a_token_that_works(client, db, capsys):
    call_command("scim_token", "create", "Okta production")
    key = capsys.readouterr().out.strip()
    response = client.get("/scim/v2/ServiceProviderConfig", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["patch"] == {"supported": True}
    assert response.json()["filter"]["supported"] is True


def test_okta_looks_a_user_up_creates_them_and_finds_them_again(scim):
    lookup = scim("get", "Users?filter=userName%20eq%20%22jane.doe%40example.com%22&startIndex=1&count=100")
    assert lookup.status_code == 200
    assert lookup.json()["totalResults"] == 0
    created = scim("post", "Users", OKTA_USER)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "jane.doe@example.com"
    assert body["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert body["active"] is True
    user = User.objects.get(username="jane.doe@example.com")
    assert (user.first_name, user.last_name, user.email) == ("Jane", "Doe", "jane.doe@example.com")
    assert not user.has_usable_password(), "passwords are the identity provider's business"
    again = scim("get", "Users?filter=userName%20eq%20%22jane.doe%40example.com%22")
    assert [found["id"] for found in again.json()["Resources"]] == [str(user.pk)]


def test_creating_a_user_twice_is_a_conflict(scim):
    assert scim("post", "Users", OKTA_USER).status_code == 201
    assert scim("post", "Users", OKTA_USER).status_code == 409


def test_okta_deactivates_with_a_patch(scim, client):
    user_id = scim("post", "Users", OKTA_USER).json()["id"]
    response = scim(
        "patch",
        f"Users/{user_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert User.objects.get(pk=user_id).is_active is False


def test_entra_id_deactivates_with_active_as_text(scim):
    user_id = scim("post", "Users", ENTRA_USER).json()["id"]
    response = scim(
        "patch",
        f"Users/{user_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=user_id).is_active is False


def test_entra_id_changes_attributes_with_replace_operations(scim):
    user_id = scim("post", "Users", ENTRA_USER).json()["id"]
    response = scim(
        "patch",
        f"Users/{user_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Replace", "path": "name.familyName", "value": "Lovelace"},
                {"op": "Add", "path": 'emails[type eq "work"].value', "value": "ada@contoso.com"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=user_id)
    assert (user.last_name, user.email) == ("Lovelace", "ada@contoso.com")


def test_a_delete_deactivates_and_keeps_the_persons_work(scim):
    user_id = scim("post", "Users", ENTRA_USER).json()["id"]
    deal = DealFactory(owner_id=user_id)
    assert scim("delete", f"Users/{user_id}").status_code == 204
    user = User.objects.get(pk=user_id)
    assert user.is_active is False
    deal.refresh_from_db()
    assert deal.owner_id == user.pk


def test_a_deactivated_user_cannot_sign_in_and_their_token_gets_401(scim, client):
    user = UserFactory(username="rep.gone", role="Reps")
    deal = DealFactory(owner=user)
    _, key = api_token_create(name="Rep's CRM sync", user=user)
    assert client.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.force_login(user)
    scim(
        "patch",
        f"Users/{user.pk}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )

    assert client.get("/").status_code == 302, "the open session ends"
    client.logout()
    response = client.post("/accounts/login/", {"username": "rep.gone", "password": "pw-for-tests"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert User.objects.filter(pk=user.pk).exists()
    deal.refresh_from_db()
    assert deal.owner_id == user.pk


def test_a_bad_user_is_refused_with_a_message(scim):
    response = scim("post", "Users", {**OKTA_USER, "userName": "has spaces and <tags>"})
    assert response.status_code == 400
    assert "userName" in response.content.decode() or "has spaces" in response.content.decode()
    response = scim("post", "Users", {**OKTA_USER, "active": "perhaps"})
    assert response.status_code == 400
    assert "true or false" in response.json()["detail"]


def test_okta_group_push_finds_the_product_group_and_adds_and_removes_members(scim):
    user_id = scim("post", "Users", OKTA_USER).json()["id"]
    found = scim("get", "Groups?filter=displayName%20eq%20%22Marketing%22").json()["Resources"]
    assert [group["displayName"] for group in found] == ["Marketing"]
    group_id = found[0]["id"]
    added = scim(
        "patch",
        f"Groups/{group_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": user_id, "display": "jane.doe@example.com"}],
                }
            ],
        },
    )
    assert added.status_code == 200, added.content
    user = User.objects.get(pk=user_id)
    assert list(user.groups.values_list("name", flat=True)) == ["Marketing"]
    assert user.is_staff, "Marketing uses the admin"
    removed = scim(
        "patch",
        f"Groups/{group_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": f'members[value eq "{user_id}"]'}]},
    )
    assert removed.status_code == 200
    user.refresh_from_db()
    assert not user.groups.exists()
    assert not user.is_staff


def test_entra_id_adds_and_removes_group_members_with_value_lists(scim):
    user_id = scim("post", "Users", ENTRA_USER).json()["id"]
    reps = Group.objects.get(name="Reps")
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": user_id}]}],
    }
    assert scim("patch", f"Groups/{reps.pk}", body).status_code == 200
    assert reps.user_set.filter(pk=user_id).exists()
    body["Operations"][0]["op"] = "Remove"
    assert scim("patch", f"Groups/{reps.pk}", body).status_code == 200
    assert not reps.user_set.filter(pk=user_id).exists()


def test_a_product_group_cannot_be_renamed_or_deleted(scim):
    admins = Group.objects.get(name="Admins")
    rename = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"id": str(admins.pk), "displayName": "Owners"}}],
    }
    assert scim("patch", f"Groups/{admins.pk}", rename).status_code == 400
    assert scim("delete", f"Groups/{admins.pk}").status_code == 400
    assert Group.objects.filter(name="Admins").exists()


def test_a_pushed_group_of_another_name_is_created(scim):
    response = scim(
        "post",
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "EMEA sellers",
            "members": [],
        },
    )
    assert response.status_code == 201
    assert Group.objects.filter(name="EMEA sellers").exists()


def test_provisioning_is_in_the_audit_trail_as_done_by_scim(scim):
    from auditlog.models import LogEntry

    user_id = scim("post", "Users", OKTA_USER).json()["id"]
    scim(
        "patch",
        f"Users/{user_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    events = {
        entry.additional_data["event"]: entry
        for entry in LogEntry.objects.filter(object_pk=str(user_id)).exclude(additional_data__event=None)
    }
    assert {"user.provisioned", "user.deactivated"} <= set(events)
    assert events["user.deactivated"].additional_data["via"] == "scim"
    assert events["user.deactivated"].additional_data["via_name"] == "Okta"


def test_the_break_glass_superuser_is_out_of_scims_reach(scim, admin_user):
    listed = scim("get", "Users").json()["Resources"]
    assert str(admin_user.pk) not in {user["id"] for user in listed}
    assert scim("get", f"Users/{admin_user.pk}").status_code == 404
    deactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    assert scim("patch", f"Users/{admin_user.pk}", deactivate).status_code == 404
    assert scim("delete", f"Users/{admin_user.pk}").status_code == 404
    found = scim("get", f"Users?filter=userName%20eq%20%22{admin_user.username}%22").json()
    assert found["totalResults"] == 0
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_group_membership_pushed_by_scim_is_in_the_audit_trail(scim):
    from auditlog.models import LogEntry

    user_id = scim("post", "Users", OKTA_USER).json()["id"]
    marketing = Group.objects.get(name="Marketing")
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
    }
    scim("patch", f"Groups/{marketing.pk}", body)
    entries = [e for e in LogEntry.objects.filter(changes__has_key="groups") if "Marketing" in str(e.changes)]
    assert entries, "the membership change is recorded"
    assert {e.additional_data["via"] for e in entries} == {"scim"}
