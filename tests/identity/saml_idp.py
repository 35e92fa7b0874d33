"""A SAML 2.0 identity provider for the tests: pysaml2's IdP server, signing its responses and
assertions with xmlsec1 (Debian's package) and a key made for the test run."""

from __future__ import annotations

import base64
import datetime
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import AUTHN_PASSWORD, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

ENTITY_ID = "https://idp.example.test/saml/metadata"
SSO_URL = "https://idp.example.test/saml/sso"


def key_and_certificate(directory: Path) -> tuple[Path, Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / "idp.key", directory / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_file.write_bytes(pem)
    body = "".join(line for line in pem.decode().splitlines() if "-----" not in line)
    return key_file, cert_file, body


class IdentityProvider:
    def __init__(self, directory: Path, sp_metadata: str) -> None:
        if shutil.which("xmlsec1") is None:
            pytest.skip("needs xmlsec1 (Debian's package; .ci/run installs it)")
        directory.mkdir(parents=True, exist_ok=True)
        key_file, cert_file, self.certificate = key_and_certificate(directory)
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "sign_response": True,
                        "sign_assertion": True,
                    }
                },
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "xmlsec_binary": shutil.which("xmlsec1"),
                "metadata": {"inline": [sp_metadata]},
            }
        )
        self.server = Server(config=config)

    def respond(self, redirect_url: str, *, uid: str, attributes: dict[str, list[str]]) -> tuple[str, dict]:
        """What the person's browser posts back after signing in at the IdP: (ACS URL, form fields)."""
        query = parse_qs(urlsplit(redirect_url).query)
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        response = self.server.create_authn_response(
            identity=attributes,
            in_response_to=message.id,
            destination=message.assertion_consumer_service_url,
            sp_entity_id=message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=uid),
            sign_response=True,
            sign_assertion=True,
            authn={"class_ref": AUTHN_PASSWORD, "authn_auth": ENTITY_ID},
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        fields = {"SAMLResponse": base64.b64encode(str(response).encode()).decode()}
        if "RelayState" in query:
            fields["RelayState"] = query["RelayState"][0]
        return message.assertion_consumer_service_url, fields


__all__ = ["BINDING_HTTP_POST", "ENTITY_ID", "SSO_URL", "IdentityProvider"]
