"""Production static files: collectstatic with the hashed manifest storage, then pages served with it.

The manifest storage rewrites every reference inside CSS and JS (url(), sourceMappingURL) and refuses
a reference to a file that is not shipped, so collecting is the check that no vendored file names a
missing one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from tests.factories import AssetFactory, DealFactory

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A STATIC_ROOT filled by collectstatic with the production storage, once for the module."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES={"staticfiles": {"BACKEND": MANIFEST_STORAGE}}):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production(settings, collected):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return collected


def assert_stylesheet_is_collected(client, page_text: str, root) -> None:
    href = STYLESHEET.search(page_text).group(1)
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", href), href
    assert (root / href.removeprefix("/static/")).is_file()
    css = client.get(href)
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")


def test_collectstatic_with_the_manifest_storage_finds_every_file_each_static_file_names(production):
    manifest = (production / "staticfiles.json").read_text()
    assert "vendor/chart.umd.min.js" in manifest and "css/app.css" in manifest


def test_login_page_in_production_mode_links_the_collected_stylesheet(client, production):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_stylesheet_is_collected(client, response.text, production)


def test_a_reps_home_in_production_mode_renders_with_the_collected_stylesheet(client, rep, production):
    stage = FunnelStage.objects.get(slug="discovery")
    deal = DealFactory(owner=rep, name="Initech rollout")
    deal_stage_change(deal=deal, stage=stage, entered_at=timezone.now() - timedelta(days=3))
    AssetFactory(title="Initech discovery guide", stages=[stage])
    client.force_login(rep)
    response = client.get("/")
    assert response.status_code == 200
    assert "Initech rollout" in response.text
    assert_stylesheet_is_collected(client, response.text, production)


def test_analytics_pages_in_production_mode_load_the_collected_chart_script(client, marketer, production):
    client.force_login(marketer)
    response = client.get("/analytics/")
    assert response.status_code == 200
    chart = re.search(r'<script src="(/static/vendor/chart\.umd\.min\.[0-9a-f]{12}\.js)"', response.text)
    assert chart and client.get(chart.group(1)).status_code == 200
