"""The audit log and the webhook delivery log as an administrator sees them in the admin."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from config.webhooks.models import Delivery, DeliveryStatus, Endpoint
from enablement.buyers.services import profile_approve, profile_propose
from tests.browser.logins import log_in
from tests.factories import UserFactory


def test_an_admin_filters_the_audit_log_and_reads_the_delivery_log(page: Page, live_server, screenshot):
    admin = UserFactory(username="ada", role="Admins", is_staff=True, is_superuser=True)
    marketer = UserFactory(username="mara", role="Marketing", is_staff=True)
    profile = profile_propose(by=marketer, summary="Mid-size software companies in EMEA")
    profile = profile_approve(profile=profile, by=admin, rescore=False)
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/x", events=["profile.approved"], secret="s"
    )
    Delivery.objects.create(
        endpoint=endpoint,
        event_type="profile.approved",
        event_at=profile.decided_at,
        retrying_since=profile.decided_at,
        status=DeliveryStatus.PENDING,
        attempts=2,
        last_status_code=500,
        last_error="HTTP 500: upstream down",
    )
    log_in(page, live_server.url, "ada")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/auditlog/logentry/?event=profile.approved")
    expect(page.get_by_role("cell", name="Buyer profile approved")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_contain_text("By event")
    screenshot("admin-audit-log-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("admin-audit-log-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/webhooks/delivery/")
    expect(page.get_by_role("cell", name="500")).to_be_visible()
    expect(page.locator("select[name=action]")).to_contain_text("Send again")
    screenshot("admin-webhook-deliveries-1280")
