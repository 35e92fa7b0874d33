"""SAML 2.0 per organisation (an allauth SAML app made in the admin) against pysaml2's IdP signing real
responses: the person is signed in, their groups attribute maps to the product's groups, and a
response signed by another key is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.auth.models import User

from tests.identity.saml_idp import ENTITY_ID, SSO_URL, IdentityProvider

pytestmark = pytest.mark.django_db
ORG = "acme"


def saml_app(certificate: str) -> SocialApp:
    return SocialApp.objects.create(
        provider="saml",
        provider_id=ORG,
        client_id=ORG,
        name="Acme Okta",
        settings={
            "idp": {"entity_id": ENTITY_ID, "sso_url": SSO_URL, "x509cert": certificate},
            # pysaml2 sends attributes by their URI names, as Okta and Entra ID can be set to.
            "attribute_mapping": {
                "uid": "urn:oid:0.9.2342.19200300.100.1.1",
                "username": "urn:oid:0.9.2342.19200300.100.1.1",
                "email": "urn:oid:1.2.840.113549.1.9.1.1",
                "first_name": "urn:oid:2.5.4.42",
                "last_name": "urn:oid:2.5.4.4",
            },
            "groups_claim": "groups",
            "group_map": {"acme-marketing": "Marketing", "acme-it": "Admins"},
            "advanced": {"want_assertion_signed": True, "want_message_signed": True},
        },
    )


@pytest.fixture
def client(client, settings):
    """A host name with a dot: the SAML toolkit refuses single-label hosts such as `testserver`."""
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    client.defaults["HTTP_HOST"] = "portal.example.com"
    return client


@pytest.fixture
def idp(client, tmp_path):
    app = saml_app("placeholder")
    metadata = client.get(f"/accounts/saml/{ORG}/metadata/")
    assert metadata.status_code == 200, metadata.content
    provider = IdentityProvider(tmp_path, metadata.content.decode())
    app.settings["idp"]["x509cert"] = provider.certificate
    app.save()
    return provider


def sign_in(client, idp, *, uid: str, email: str, groups: list[str]):
    start = client.post(f"/accounts/saml/{ORG}/login/")
    assert start.status_code == 302
    assert start["Location"].startswith(SSO_URL)
    acs, fields = idp.respond(
        start["Location"],
        uid=uid,
        attributes={"uid": [uid], "email": [email], "givenName": ["Jane"], "sn": ["Doe"], "groups": groups},
    )
    return client.post(urlsplit(acs).path, fields, follow=True)


def test_a_person_signs_in_with_saml_and_gets_their_mapped_group(client, idp):
    page = sign_in(client, idp, uid="jdoe", email="jane.doe@acme.example", groups=["acme-marketing", "staff"])
    assert page.status_code == 200
    assert "_auth_user_id" in client.session
    user = User.objects.get(email="jane.doe@acme.example")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.username == "jdoe"
    assert (user.first_name, user.last_name) == ("Jane", "Doe")
    assert list(user.groups.values_list("name", flat=True)) == ["Marketing"]
    assert user.is_staff and not user.has_usable_password()


def test_the_groups_follow_the_identity_provider_at_the_next_sign_in(client, idp):
    sign_in(client, idp, uid="jdoe", email="jane.doe@acme.example", groups=["acme-marketing"])
    client.logout()
    sign_in(client, idp, uid="jdoe", email="jane.doe@acme.example", groups=["acme-it"])
    user = User.objects.get(email="jane.doe@acme.example")
    assert list(user.groups.values_list("name", flat=True)) == ["Admins"]
    assert User.objects.filter(email="jane.doe@acme.example").count() == 1


def test_a_response_signed_by_another_key_is_refused(client, idp, tmp_path):
    impostor = IdentityProvider(
        tmp_path / "other", client.get(f"/accounts/saml/{ORG}/metadata/").content.decode()
    )
    start = client.post(f"/accounts/saml/{ORG}/login/")
    acs, fields = impostor.respond(
        start["Location"], uid="mallory", attributes={"uid": ["mallory"], "email": ["m@evil.example"]}
    )
    client.post(urlsplit(acs).path, fields, follow=True)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="m@evil.example").exists()


def test_a_deactivated_person_cannot_sign_in_with_saml(client, idp):
    sign_in(client, idp, uid="jdoe", email="jane.doe@acme.example", groups=[])
    client.logout()
    User.objects.filter(email="jane.doe@acme.example").update(is_active=False)
    page = sign_in(client, idp, uid="jdoe", email="jane.doe@acme.example", groups=[])
    assert "_auth_user_id" not in client.session
    assert "This account is inactive" in page.text


def test_a_name_that_a_superuser_has_does_not_collide(client, idp, admin_user):
    """The provider names someone like the superuser: they get an account of their own."""
    page = sign_in(client, idp, uid=admin_user.username, email="other.person@acme.example", groups=[])
    assert page.status_code == 200
    person = User.objects.get(email="other.person@acme.example")
    assert person.pk != admin_user.pk
    assert int(client.session["_auth_user_id"]) == person.pk
    admin_user.refresh_from_db()
    assert admin_user.is_superuser and admin_user.has_usable_password()


@pytest.mark.parametrize("server_name, status", [("portal.example.com", 302), ("elsewhere.example.net", 400)])
def test_a_request_without_a_host_header_is_served_by_the_server_name_or_refused(client, server_name, status):
    """HTTP/1.0 lets a client leave Host out: the SAML views read the header itself and answered 500."""
    saml_app("placeholder")
    del client.defaults["HTTP_HOST"]
    start = client.post(f"/accounts/saml/{ORG}/login/", SERVER_NAME=server_name)
    assert start.status_code == status
    if status == 302:
        assert start["Location"].startswith(SSO_URL)
