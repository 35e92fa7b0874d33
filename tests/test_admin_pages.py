"""Every admin page an administrator can reach answers 200."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTERED = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


# Logs that are only read (searches, downloads, feedback, analytics runs) offer no add form, by
# design; nor do tasks waiting for the worker, which only the outbox writes.
READ_ONLY = {
    ("assets", "searchlog"),
    ("assets", "assetdownload"),
    ("assets", "assetfeedback"),
    ("enablement", "analyticsrun"),
    ("outbox", "pendingtask"),
}


# Nor do django-axes' records of logins, which only axes writes.
READ_ONLY |= {("axes", "accessattempt"), ("axes", "accesslog"), ("axes", "accessfailurelog")}
# Nor do deal rooms (made on the deal page) and their viewers and visits (only buyers make those).
READ_ONLY |= {("enablement", "dealroom"), ("enablement", "viewer"), ("enablement", "visit")}
# Nor do buyer profile versions: proposed on the profile page, which numbers them; decided by actions.
READ_ONLY |= {("enablement", "buyerprofile")}
# Nor do the audit trail, webhook deliveries (sent by events) and SCIM's ids (written by provisioning).
READ_ONLY |= {("auditlog", "logentry"), ("webhooks", "delivery"), ("identity", "scimuser")}


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_and_add_form_answer_200_for_an_admin(client, admin_user, app_label, model_name):
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code == (403 if (app_label, model_name) in READ_ONLY else 200)


def test_changelist_search_and_filters_answer_200(client, admin_user):
    from tests.factories import AssetFactory

    AssetFactory(title="Globex ROI calculator")
    client.force_login(admin_user)
    url = reverse("admin:assets_asset_changelist")
    response = client.get(url, {"q": "globex", "status__exact": "published", "kind__exact": "case_study"})
    assert response.status_code == 200
    assert "Globex ROI calculator" in response.text


def test_admin_index_lists_catalogue(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Funnel stages" in response.text and "Assets" in response.text
