"""The two rules of recording usage, kept by the services for every path in (portal, admin, API,
imports): usage on a closed deal only from before it closed, and an event_id is one event forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import Deal, UsageEvent
from enablement.usage.services import usage_record, usage_record_many
from tests.enablement.importing import FIXTURES, copy_fixture, counts_line, import_crm
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def move(deal: Deal, slug: str, when: datetime) -> None:
    deal_stage_change(deal=deal, stage=FunnelStage.objects.get(slug=slug), entered_at=when)


def use(deal: Deal, when: datetime | None, event_id: str = "e-1", asset=None, action: str = "presented"):
    return usage_record(
        event_id=event_id,
        asset=asset or AssetFactory(),
        deal=deal,
        rep=deal.owner,
        action=action,
        occurred_at=when,
    )


@pytest.fixture
def won_deal() -> Deal:
    """A deal that entered proposal on 1 March and was won on 5 March at noon."""
    deal = DealFactory(external_id="W-1")
    move(deal, "proposal", at(1))
    move(deal, "closed-won", at(5))
    return deal


def test_usage_from_before_the_deal_closed_is_recorded(won_deal):
    event, created = use(won_deal, at(5, 11))
    assert created and event.stage.slug == "proposal"


@pytest.mark.parametrize("when", [at(5), at(9)], ids=["as-it-closed", "after"])
def test_usage_at_or_after_the_deal_closed_is_refused_saying_when_it_closed(won_deal, when):
    with pytest.raises(ValidationError) as refused:
        use(won_deal, when)
    assert refused.value.message_dict == {
        "occurred_at": ["Deal W-1 closed on 2025-03-05 12:00 UTC; usage after that is not recorded."]
    }
    assert not UsageEvent.objects.exists()


def test_usage_without_a_time_on_a_closed_deal_is_refused(won_deal):
    with pytest.raises(ValidationError, match="without occurred_at happens now"):
        use(won_deal, None)
    assert not UsageEvent.objects.exists()


def test_a_reopened_deal_takes_usage_again(won_deal):
    move(won_deal, "negotiation", at(7))
    assert use(won_deal, at(6))[1] and use(won_deal, None, "later")[1]


def test_usage_recorded_before_the_history_that_closes_its_deal_is_kept():
    deal = DealFactory()
    move(deal, "proposal", at(1))
    event, _ = use(deal, at(9))
    move(deal, "closed-lost", at(5))  # arrives after the event: the deal was open when it was recorded
    event.refresh_from_db()
    assert event.stage.slug == "closed-lost" and UsageEvent.objects.count() == 1


def test_an_event_stored_before_its_deal_closed_sent_again_is_a_duplicate_not_a_refusal():
    deal = DealFactory()
    asset = AssetFactory()
    first, _ = use(deal, at(9), asset=asset)
    move(deal, "closed-won", at(5))
    again, created = use(deal, at(9), asset=asset)
    assert not created and again.pk == first.pk


def test_the_same_event_id_with_other_content_is_refused_and_the_stored_event_kept():
    deal, asset = DealFactory(), AssetFactory()
    use(deal, at(3), asset=asset)
    assert use(deal, at(3), asset=asset)[1] is False  # the same event again
    assert use(deal, None, asset=asset)[1] is False  # re-sent without its time: still the same event
    with pytest.raises(ValidationError) as refused:
        use(deal, at(4), asset=asset, action="emailed")
    assert refused.value.message_dict == {
        "event_id": [
            "event_id 'e-1' was already recorded with different content (action, occurred_at); "
            "a recorded event is never changed."
        ]
    }
    with pytest.raises(ValidationError, match=r"different content \(deal_id, asset, rep\)"):
        use(DealFactory(), at(3))
    stored = UsageEvent.objects.get()
    assert (stored.action, stored.occurred_at, stored.deal, stored.asset) == ("presented", at(3), deal, asset)


def test_a_batch_judges_each_event_and_a_repeat_within_it_by_its_first_mention():
    deal, asset = DealFactory(), AssetFactory()
    closed = DealFactory(external_id="C-1")
    move(closed, "closed-lost", at(2))
    base = {"asset_id": asset.pk, "deal_id": deal.pk, "rep_id": deal.owner.pk, "action": "viewed"}
    outcomes = usage_record_many(
        events=[
            {**base, "event_id": "a", "occurred_at": at(3)},
            {**base, "event_id": "a", "occurred_at": at(3)},  # the same again: duplicate
            {**base, "event_id": "a", "occurred_at": at(4)},  # same id, other time: rejected
            {**base, "event_id": "b", "deal_id": closed.pk, "occurred_at": at(3)},  # after close
            {**base, "event_id": "b", "deal_id": closed.pk, "occurred_at": at(3)},  # and its repeat
            {**base, "event_id": "c", "action": "printed", "occurred_at": at(3)},
            {**base, "event_id": "b", "deal_id": closed.pk, "occurred_at": at(1)},  # b, differing
        ]
    )
    assert [o.status for o in outcomes] == ["created", "duplicate"] + ["rejected"] * 5
    assert outcomes[2].errors == {
        "event_id": [
            "event_id 'a' was already recorded with different content (occurred_at); "
            "a recorded event is never changed."
        ]
    }
    assert "'b' appears earlier in this batch with different content (occurred_at)" in outcomes[6].message
    assert (
        outcomes[3].errors
        == outcomes[4].errors
        == {"occurred_at": ["Deal C-1 closed on 2025-03-02 12:00 UTC; usage after that is not recorded."]}
    )
    assert set(outcomes[5].errors) == {"action"}
    assert list(UsageEvent.objects.values_list("event_id", flat=True)) == ["a"]


def log_use_on_a_deal_closed_yesterday(client):
    rep = UserFactory(role="Reps")
    deal = DealFactory(owner=rep)
    move(deal, "closed-won", timezone.now() - timedelta(days=1))
    client.force_login(rep)
    return client.post(
        reverse("asset-use", args=[AssetFactory().slug]), {"deal": deal.pk, "action": "presented"}
    )


def test_a_rep_cannot_log_use_in_the_portal_on_a_closed_deal(client):
    response = log_use_on_a_deal_closed_yesterday(client)
    assert response.status_code == 400 and "Select a valid choice" in response.text
    assert not UsageEvent.objects.exists()


def test_the_portal_keeps_the_rule_when_a_deal_closes_after_the_form_was_checked(client, monkeypatch):
    # As if the deal closed between the form's check and the write.
    monkeypatch.setattr("enablement.portal.forms.open_deals_of", lambda user: Deal.objects.filter(owner=user))
    response = log_use_on_a_deal_closed_yesterday(client)
    assert response.status_code == 400 and "usage after that is not recorded" in response.text
    assert not UsageEvent.objects.exists()


def test_the_admin_refuses_usage_after_the_deal_closed_with_a_message_on_the_form(client, won_deal):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "event_id": "admin-1",
        "asset": AssetFactory().pk,
        "deal": won_deal.pk,
        "rep": won_deal.owner.pk,
        "action": "presented",
        "occurred_at_0": "2025-03-06",
        "occurred_at_1": "09:00:00",
    }
    response = client.post("/admin/enablement/usageevent/add/", form)
    assert response.status_code == 200
    assert "Deal W-1 closed on 2025-03-05 12:00 UTC; usage after that is not recorded." in response.text
    assert not UsageEvent.objects.exists()
    form["occurred_at_0"] = "2025-03-04"
    assert client.post("/admin/enablement/usageevent/add/", form).status_code == 302
    assert UsageEvent.objects.get().stage.slug == "proposal"


def _import_with_usage(tmp_path, rows: str, *args: str) -> tuple[str, str]:
    folder = copy_fixture("native", tmp_path)
    usage = folder / "usage.csv"
    usage.write_text(usage.read_text() + rows)
    return import_crm("native", str(folder), *args)


def test_an_import_refuses_usage_after_its_deal_closed_naming_file_and_line(tmp_path):
    # N-1 closed won on 1 March 2025 at 10:00 (stage_history.csv of the fixture).
    late = "u-5,N-1,roi-calculator,ana@example.com,emailed,2025-03-02T09:00:00Z\n"
    out, err = _import_with_usage(tmp_path, late, "--skip-invalid")
    assert "usage.csv:6: Deal N-1 closed on 2025-03-01 10:00 UTC; usage after that is not recorded." in err
    assert counts_line(out, "usage.csv") == [4, 0, 0, 1]
    assert not UsageEvent.objects.filter(event_id="u-5").exists()


def test_a_reimport_with_an_event_changed_is_refused_and_the_same_events_are_unchanged(tmp_path):
    import_crm("native", str(FIXTURES / "native"))
    folder = copy_fixture("native", tmp_path)
    usage = folder / "usage.csv"
    usage.write_text(usage.read_text().replace("ana@example.com,emailed", "ana@example.com,viewed"))
    out, err = import_crm("native", str(folder), "--skip-invalid")
    assert (
        "usage.csv:3: event_id 'u-2' was already recorded with different content (action); "
        "a recorded event is never changed." in err
    )
    assert counts_line(out, "usage.csv") == [0, 0, 3, 1]
    assert UsageEvent.objects.get(event_id="u-2").action == "emailed"
