"""Content Security Policy (django-csp) on the portal's pages; a response's own policy is kept."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# An executable inline <script> (a src-less one that is not JSON data) or an on…= handler attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.fixture
def rep_pages(rep):
    stage = FunnelStage.objects.get(slug="proposal")
    deal = DealFactory(owner=rep, name="Globex platform")
    deal_stage_change(deal=deal, stage=stage, entered_at=timezone.now() - timedelta(days=2))
    asset = AssetFactory(title="ROI calculator", stages=[stage])
    return [
        reverse("home"),
        reverse("search") + "?q=roi",
        reverse("asset-detail", args=[asset.slug]),
        reverse("deal-detail", args=[deal.pk]),
    ]


def test_home_search_asset_and_deal_pages_carry_a_policy_without_inline_script(client, rep, rep_pages):
    client.force_login(rep)
    for url in rep_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["default-src"] == "default-src 'self'", url
        assert policy["script-src"] == "script-src 'self'", url
        assert policy["style-src"] == "style-src 'self'", url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url


def test_the_login_page_and_the_admin_carry_the_policy(client, admin_user):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
    client.force_login(admin_user)
    assert "script-src 'self'" in client.get(reverse("admin:index"))["Content-Security-Policy"]


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = [
        str(template.relative_to(TEMPLATES))
        for template in TEMPLATES.rglob("*.html")
        if INLINE_SCRIPT.search(template.read_text()) or INLINE_HANDLER.search(template.read_text())
    ]
    assert offenders == []


def test_a_form_sent_without_its_csrf_token_gets_the_portals_page_without_inline_style(rep):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": rep.username, "password": "pw-for-tests"})
    assert response.status_code == 403
    assert "This form could not be sent" in response.text
    assert "<style" not in response.text and "script-src 'self'" in response["Content-Security-Policy"]


def own_policy_file(request):
    response = HttpResponse(b"<p>an uploaded file</p>", content_type="text/html")
    response["Content-Security-Policy"] = "sandbox"
    return response


urlpatterns = [path("own-policy/", own_policy_file), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
def test_a_response_that_sets_its_own_policy_keeps_it(client):
    assert client.get("/own-policy/")["Content-Security-Policy"] == "sandbox"
