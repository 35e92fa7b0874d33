"""Portal pages refuse NUL characters in what they read (query parameters, the path, cookies, form
fields) with a 400, and an oversized form post with a 413, never a 500.

Which parameters a page reads is found by watching it read them on a normal visit, so a parameter a
page starts reading later is swept too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from assets.models import AssetFeedback, ContentRequest, FunnelStage
from enablement.analytics import urls as analytics_urls
from enablement.deals.history import deal_stage_change
from enablement.models import ShareLink, UsageEvent
from enablement.sharing.services import share_link_create
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def _pages(patterns, prefix: str = "") -> list[str]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _pages(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append(prefix + str(p.pattern))
    return found


PORTAL = ["", "assets/", "assets/<slug:slug>/", "deals/<int:pk>/", "requests/", "accounts/login/"]
ANALYTICS = ["analytics/" + p for p in _pages(analytics_urls.urlpatterns)]
BUYER = ["s/<str:token>/", "s/<str:token>/file/"]


@pytest.fixture
def world(rep, marketer):
    deal = DealFactory(owner=rep)
    deal_stage_change(
        deal=deal, stage=FunnelStage.objects.get(slug="proposal"), entered_at=timezone.now() - timedelta(1)
    )
    asset = AssetFactory(slug="roi-calculator")
    link = share_link_create(asset=asset, deal=deal, by=rep)
    return {"rep": rep, "marketer": marketer, "deal": deal, "asset": asset, "link": link}


def _url(world: dict, pattern: str) -> str:
    values = {
        "<slug:slug>": world["asset"].slug,
        "<int:pk>": str(world["deal"].pk),
        "<str:token>": world["link"].token,
    }
    for name, value in values.items():
        pattern = pattern.replace(name, value)
    assert "<" not in pattern, f"No value for a parameter of {pattern}: add one to _url()."
    return "/" + pattern


def params_read(client, url: str, monkeypatch) -> set[str]:
    """The query parameters the page asks for (present or not) while answering a plain visit."""
    read: set[str] = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(MultiValueDict, method)

        def recording(self, key, *args, _original=original):
            if isinstance(self, QueryDict) and isinstance(key, str):
                read.add(key)
            return _original(self, key, *args)

        monkeypatch.setattr(MultiValueDict, method, recording)
    try:
        assert client.get(url).status_code < 400
    finally:
        monkeypatch.undo()
    return read


@pytest.mark.parametrize("pattern", PORTAL + ANALYTICS + BUYER)
def test_a_nul_in_any_query_parameter_a_page_reads_is_a_400(client, world, monkeypatch, pattern):
    client.force_login(world["marketer"] if pattern.startswith("analytics/") else world["rep"])
    url = _url(world, pattern)
    names = params_read(client, url, monkeypatch) | {"q"}
    for name in sorted(names):
        response = client.get(url, {name: "a\x00b"})
        assert response.status_code == 400, (name, response.status_code)
        assert "NUL character" in response.text and response["Content-Type"].startswith("text/html")


def test_the_sweep_sees_the_parameters_the_search_and_funnel_pages_read(client, world, monkeypatch):
    client.force_login(world["marketer"])
    assert {"q", "stage", "industry", "buyer_role", "page"} <= params_read(client, "/assets/", monkeypatch)
    assert {"start", "industry", "region", "team"} <= params_read(client, "/analytics/", monkeypatch)


def test_a_nul_in_a_parameter_name_in_the_path_or_in_the_session_cookie_is_a_400(client, world):
    client.force_login(world["rep"])
    assert client.get("/assets/", QUERY_STRING="q%00=x").status_code == 400
    assert client.get("/assets/roi%00calculator/").status_code == 400
    # A surrogate's UTF-8 bytes are not UTF-8: Django reads them as U+FFFD, which any page can take.
    assert client.get("/assets/", QUERY_STRING="q=%ED%A0%80").status_code == 200
    client.cookies["sessionid"] = "abcdefgh\x00"
    response = client.get("/")
    assert response.status_code == 400 and "clear this site" in response.text


POSTS = [
    ("asset-use", {"deal": "{deal}\x00", "action": "presented"}),
    ("asset-use", {"deal": "{deal}", "action": "presented\x00"}),
    ("asset-share", {"deal": "{deal}", "days": "30\x00"}),
    ("asset-share", {"deal": "\x00", "days": "30"}),
]


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_log_use_and_share_forms_with_a_nul_answer_400_and_store_nothing(client, world, name, data):
    client.force_login(world["rep"])
    before = (UsageEvent.objects.count(), ShareLink.objects.count())
    data = {k: v.replace("{deal}", str(world["deal"].pk)) for k, v in data.items()}
    response = client.post(reverse(name, args=[world["asset"].slug]), data)
    assert response.status_code == 400
    assert (UsageEvent.objects.count(), ShareLink.objects.count()) == before


def test_feedback_and_content_request_forms_with_a_nul_store_nothing(client, world):
    client.force_login(world["rep"])
    feedback = client.post(
        reverse("asset-feedback", args=[world["asset"].slug]), {"useful": "yes", "comment": "a\x00b"}
    )
    assert feedback.status_code in {200, 302, 400} and not AssetFeedback.objects.exists()
    response = client.post(reverse("content-requests"), {"title": "Pricing\x00 sheet", "stage": "\x00"})
    assert response.status_code == 200 and "Null characters are not allowed" in response.text
    assert not ContentRequest.objects.exists()


def test_a_form_post_larger_than_the_limit_is_a_413_page(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(world["rep"])
    response = client.post(reverse("content-requests"), {"title": "x" * 20_000})
    assert response.status_code == 413 and "larger than 10,000 bytes" in response.text
    assert not ContentRequest.objects.exists()
