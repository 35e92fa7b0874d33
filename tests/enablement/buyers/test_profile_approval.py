"""The ideal buyer profile: Marketing proposes a version on its page, an admin approves or rejects it,
and every version stays in the history with who proposed and decided it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.buyers.models import BuyerProfile, ProfileStatus
from tests.enablement.buyers.conftest import role, stage

pytestmark = pytest.mark.django_db


def _proposal(**changes) -> dict:
    data = {
        "summary": "Software companies in EMEA.",
        "industries": "Software\nHealthcare",
        "size_bands": "201-1000, 1000+",
        "regions": "EMEA",
        "fit_threshold": "7",
        f"roles_{stage('sql').pk}": [str(role("champion").pk)],
    }
    return data | changes


def test_marketing_proposes_a_version_that_counts_only_once_an_admin_approves_it(
    client, marketer, admin_user
):
    client.force_login(marketer)
    response = client.post(reverse("buyer-profile-propose"), _proposal(), follow=True)
    assert "Version 1 is proposed" in response.content.decode()
    profile = BuyerProfile.objects.get()
    assert (profile.status, profile.proposed_by, profile.industries) == (
        ProfileStatus.PROPOSED,
        marketer,
        ["Software", "Healthcare"],
    )
    assert [(r.stage.slug, r.role.slug) for r in profile.roles.all()] == [("sql", "champion")]
    home = client.get(reverse("home")).content.decode()
    assert "No ideal buyer profile is approved yet" in home

    client.force_login(admin_user)
    response = client.post(
        reverse("buyer-profile-approve", args=[1]), {"note": "Agreed at the review"}, follow=True
    )
    assert "Version 1 is approved" in response.content.decode()
    profile.refresh_from_db()
    assert (profile.status, profile.decided_by, profile.decision_note) == (
        ProfileStatus.APPROVED,
        admin_user,
        "Agreed at the review",
    )
    assert "Software companies in EMEA." in client.get(reverse("home")).content.decode()


def test_approving_a_new_version_supersedes_the_old_one_and_both_stay_in_the_history(
    client, marketer, admin_user, approved_profile
):
    client.force_login(marketer)
    client.post(reverse("buyer-profile-propose"), _proposal(summary="Larger healthcare companies."))
    client.force_login(admin_user)
    client.post(reverse("buyer-profile-approve", args=[2]), {"note": ""})

    statuses = dict(BuyerProfile.objects.values_list("version", "status"))
    assert statuses == {1: ProfileStatus.SUPERSEDED, 2: ProfileStatus.APPROVED}
    page = client.get(reverse("buyer-profile")).content.decode()
    assert "Larger healthcare companies." in page
    assert "v1</td><td>Superseded" in page and "v2</td><td>Approved" in page


def test_a_rejected_proposal_leaves_the_approved_version_in_force(
    client, marketer, admin_user, approved_profile
):
    client.force_login(marketer)
    client.post(reverse("buyer-profile-propose"), _proposal(summary="Everyone everywhere."))
    client.force_login(admin_user)
    client.post(reverse("buyer-profile-reject", args=[2]), {"note": "Too broad"})

    assert dict(BuyerProfile.objects.values_list("version", "status")) == {
        1: ProfileStatus.APPROVED,
        2: ProfileStatus.REJECTED,
    }
    response = client.post(reverse("buyer-profile-approve", args=[2]), {"note": ""}, follow=True)
    assert "Version 2 is rejected, not proposed." in response.content.decode()
    assert BuyerProfile.objects.get(version=1).status == ProfileStatus.APPROVED


def test_reps_read_the_profile_but_neither_propose_nor_approve(client, rep, approved_profile):
    client.force_login(rep)
    page = client.get(reverse("buyer-profile"))
    assert (
        page.status_code == 200
        and "Mid-size software and healthcare companies in EMEA." in page.content.decode()
    )
    assert "Propose a new version" not in page.content.decode()
    assert client.get(reverse("buyer-profile-propose")).status_code == 403
    assert client.post(reverse("buyer-profile-propose"), _proposal()).status_code == 403
    assert client.post(reverse("buyer-profile-approve", args=[1]), {}).status_code == 403


def test_marketing_may_propose_but_not_approve(client, marketer):
    client.force_login(marketer)
    client.post(reverse("buyer-profile-propose"), _proposal())
    assert client.post(reverse("buyer-profile-approve", args=[1]), {}).status_code == 403
    assert BuyerProfile.objects.get().status == ProfileStatus.PROPOSED


def test_a_size_band_that_is_not_a_band_is_refused_by_name(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("buyer-profile-propose"), _proposal(size_bands="big, 51-200"))
    assert response.status_code == 400
    assert "Not a size band: big" in response.content.decode()
    assert not BuyerProfile.objects.exists()


def test_a_band_whose_upper_bound_is_below_its_lower_bound_is_refused(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("buyer-profile-propose"), _proposal(size_bands="51-200, 1000-500"))
    assert response.status_code == 400
    assert "Not a size band: 1000-500" in response.content.decode()
    assert not BuyerProfile.objects.exists()


def test_sizes_written_with_thousands_separators_stay_one_band_each(client, marketer):
    client.force_login(marketer)
    client.post(reverse("buyer-profile-propose"), _proposal(size_bands="201-1,000,1,001-5,000, 5,001+"))
    assert BuyerProfile.objects.get().size_bands == ["201-1,000", "1,001-5,000", "5,001+"]


def test_the_threshold_must_be_between_one_and_ten(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("buyer-profile-propose"), _proposal(fit_threshold="11"))
    assert response.status_code == 400
    assert not BuyerProfile.objects.exists()


def test_decided_versions_cannot_be_edited_or_deleted_in_the_admin(client, admin_user, approved_profile):
    client.force_login(admin_user)
    url = reverse("admin:enablement_buyerprofile_change", args=[approved_profile.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="summary"' not in page.content.decode()
    assert (
        client.post(reverse("admin:enablement_buyerprofile_delete", args=[approved_profile.pk])).status_code
        == 403
    )


def test_an_admin_who_proposed_a_version_cannot_approve_it_another_admin_can(client, admin_user):
    from tests.factories import UserFactory

    client.force_login(admin_user)
    client.post(reverse("buyer-profile-propose"), _proposal())
    page = client.get(reverse("buyer-profile")).content.decode()
    assert "You proposed version 1, so another admin approves it" in page
    assert "Approve version 1</button>" not in page
    refused = client.post(reverse("buyer-profile-approve", args=[1]), follow=True).content.decode()
    assert "You proposed version 1, so another admin approves it" in refused
    assert BuyerProfile.objects.get().status == ProfileStatus.PROPOSED

    colleague = UserFactory(role="Admins", is_staff=True, is_superuser=True)
    client.force_login(colleague)
    assert "Approve version 1</button>" in client.get(reverse("buyer-profile")).content.decode()
    client.post(reverse("buyer-profile-approve", args=[1]))
    assert BuyerProfile.objects.get().decided_by == colleague


def test_a_team_of_one_may_approve_its_own_proposal_when_the_setting_allows(client, admin_user, settings):
    settings.PROFILE_SELF_APPROVAL = True
    client.force_login(admin_user)
    client.post(reverse("buyer-profile-propose"), _proposal())
    client.post(reverse("buyer-profile-approve", args=[1]))
    assert BuyerProfile.objects.get().status == ProfileStatus.APPROVED


def test_the_admin_action_refuses_self_approval_too(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("buyer-profile-propose"), _proposal())
    profile = BuyerProfile.objects.get()
    response = client.post(
        reverse("admin:enablement_buyerprofile_changelist"),
        {"action": "approve", "_selected_action": [profile.pk]},
        follow=True,
    )
    assert "another admin approves it" in response.content.decode()
    assert BuyerProfile.objects.get().status == ProfileStatus.PROPOSED
