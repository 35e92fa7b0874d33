"""Who may open a deal room and send its events: live rooms only, behind their passcode and email gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enablement.rooms import gate, services
from enablement.rooms.models import DealRoom, PageView, PasscodeFailure, Visit
from tests.enablement.rooms.conftest import make_room, page_event, post_events, tracking_of

pytestmark = pytest.mark.django_db


def test_the_buyer_opens_a_room_without_logging_in_and_each_asset_opens_from_its_title(client, room, assets):
    page = client.get(reverse("room-buyer", args=[room.token]))
    assert page.status_code == 200
    for asset in assets:
        assert f'href="{reverse("room-asset", args=[room.token, asset.pk])}"' in page.text
        assert asset.title in page.text and f"Why {asset.title}" in page.text
    assert "What this page records" in page.text and "IP address" in page.text
    opened = client.get(reverse("room-asset", args=[room.token, assets[0].pk]))
    assert opened.status_code == 200 and 'class="pdf-viewer"' in opened.text
    assert Visit.objects.filter(room=room).count() == 1  # moving between the room's pages is one visit


@pytest.mark.parametrize("how", ["expired", "withdrawn"])
def test_an_expired_or_withdrawn_room_refuses_the_page_the_files_and_events(client, room, assets, how):
    visit = tracking_of(client.get(reverse("room-buyer", args=[room.token])))["visit"]
    if how == "expired":
        DealRoom.objects.filter(pk=room.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        services.room_revoke(room=room)
    assert client.get(reverse("room-buyer", args=[room.token])).status_code == 410
    assert client.get(reverse("room-asset", args=[room.token, assets[0].pk])).status_code == 410
    assert client.get(reverse("room-file", args=[room.token, assets[0].pk])).status_code == 410
    response = post_events(client, room, [page_event(visit, assets[0], 1, 5)])
    assert response.status_code == 410 and how in response.json()["detail"]
    assert not PageView.objects.exists()


def test_a_passcode_room_refuses_views_and_events_until_the_passcode_is_given(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, passcode="blue-heron")
    gate = client.get(reverse("room-buyer", args=[room.token]))
    assert "Passcode" in gate.text and assets[0].title not in gate.text
    assert not Visit.objects.exists()
    assert client.get(reverse("room-asset", args=[room.token, assets[0].pk])).status_code == 302
    assert client.get(reverse("room-file", args=[room.token, assets[0].pk])).status_code == 403
    wrong = client.post(reverse("room-buyer", args=[room.token]), {"passcode": "red-heron"})
    assert wrong.status_code == 403 and "not right" in wrong.text
    response = post_events(client, room, [page_event("guessed", assets[0], 1, 5)])
    assert response.status_code == 403
    assert room.passcode_hash and "blue-heron" not in room.passcode_hash

    client.post(reverse("room-buyer", args=[room.token]), {"passcode": "blue-heron"})
    page = client.get(reverse("room-buyer", args=[room.token]))
    assert assets[0].title in page.text
    visit = tracking_of(page)["visit"]
    assert post_events(client, room, [page_event(visit, assets[0], 1, 5)]).status_code == 200


def test_a_passcode_room_tells_nothing_of_the_deal_before_its_passcode(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, passcode="blue-heron", email_gate=True)
    for page in (
        client.get(reverse("room-buyer", args=[room.token])),
        client.post(reverse("room-buyer", args=[room.token]), {"passcode": "wrong"}),
    ):
        assert "A deal room shared with you" in page.text and "Passcode" in page.text
        assert room.title not in page.text and deal.account.name not in page.text
        assert deal.name not in page.text
    client.post(reverse("room-buyer", args=[room.token]), {"passcode": "blue-heron"})
    email_step = client.get(reverse("room-buyer", args=[room.token])).text
    assert "Work email" in email_step and room.title in email_step  # past the passcode, the room is named


def test_the_email_gate_sends_a_code_and_opens_the_room_with_it(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True, allowed_domains="initech.com")
    url = reverse("room-buyer", args=[room.token])
    assert "Work email" in client.get(url).text
    sent = client.post(url, {"email": "Peter@Initech.com"})
    assert sent.status_code == 200 and "Code" in sent.text
    (message,) = mail.outbox
    code = next(word for word in message.body.split() if word.isdigit() and len(word) == 6)
    assert message.to == ["peter@initech.com"]
    refused = client.post(
        url, {"email": "peter@initech.com", "code": "000000" if code != "000000" else "111111"}
    )
    assert refused.status_code == 403
    client.post(url, {"email": "peter@initech.com", "code": code})
    page = client.get(url)
    assert assets[0].title in page.text
    assert Visit.objects.get().viewer.email == "peter@initech.com"


def test_a_viewer_from_a_domain_not_on_the_allow_list_is_refused(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True, allowed_domains="initech.com")
    refused = client.post(reverse("room-buyer", args=[room.token]), {"email": "bill@competitor.io"})
    assert refused.status_code == 403
    assert "open to addresses at initech.com only" in refused.text
    assert not mail.outbox and not Visit.objects.exists()


def test_a_code_stops_working_after_five_wrong_tries(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True)
    gate.email_challenge_send(room=room, email="peter@initech.com", client="a-client")
    code = next(w for w in mail.outbox[0].body.split() if w.isdigit() and len(w) == 6)
    wrong = "1" * 6 if code != "1" * 6 else "2" * 6
    for _ in range(5):
        assert not gate.email_challenge_verify(room=room, email="peter@initech.com", code=wrong)
    assert not gate.email_challenge_verify(room=room, email="peter@initech.com", code=code)


def test_a_view_only_room_serves_a_pdf_inline_and_refuses_the_download(client, room, assets):
    client.get(reverse("room-buyer", args=[room.token]))
    inline = client.get(reverse("room-file", args=[room.token, assets[0].pk]))
    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert (
        client.get(reverse("room-file", args=[room.token, assets[0].pk]), {"download": "1"}).status_code
        == 403
    )


def test_an_asset_not_in_the_room_is_not_served_through_it(client, room, deal, rep):
    from tests.factories import AssetFactory

    other = AssetFactory(title="Not for them")
    assert client.get(reverse("room-asset", args=[room.token, other.pk])).status_code == 410
    assert client.get(reverse("room-file", args=[room.token, other.pk])).status_code == 410


def test_many_wrong_passcodes_pause_that_client_even_for_the_right_one(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, passcode="blue-heron")
    url = reverse("room-buyer", args=[room.token])
    for _ in range(gate.PASSCODE_FAILURES):
        assert client.post(url, {"passcode": "guess"}).status_code == 403
    paused = client.post(url, {"passcode": "blue-heron"})
    assert paused.status_code == 403 and "Too many wrong passcodes" in paused.text
    PasscodeFailure.objects.update(failed_at=timezone.now() - timedelta(minutes=16))
    client.post(url, {"passcode": "blue-heron"})
    assert assets[0].title in client.get(url).text


def test_the_email_gate_sends_an_address_only_a_few_codes_an_hour(client, rep, deal, assets):
    room = make_room(rep=rep, deal=deal, assets=assets, email_gate=True)
    url = reverse("room-buyer", args=[room.token])
    for _ in range(gate.CODES_PER_ADDRESS_HOUR):
        assert client.post(url, {"email": "peter@initech.com"}).status_code == 200
    refused = client.post(url, {"email": "peter@initech.com"})
    assert refused.status_code == 403 and "Too many codes" in refused.text
    assert len(mail.outbox) == gate.CODES_PER_ADDRESS_HOUR
