"""What the rep's home and deal page show of the buyer profile, the committee and qualification."""

from __future__ import annotations

from django.http import HttpRequest

from enablement.buyers import selectors
from enablement.buyers.forms import DealRoleForm, QualificationForm
from enablement.buyers.models import FOUR_AS
from enablement.buyers.services import current_profile
from enablement.deals.models import Deal


def for_home(request: HttpRequest) -> dict:
    return {"buyer_profile": current_profile()}


def for_deal(request: HttpRequest, deal: Deal) -> dict:
    qualification = selectors.qualification_of(deal)
    initial = {a: getattr(qualification, a) for a in FOUR_AS} if qualification else {}
    return {
        "committee": selectors.committee_of(deal),
        "role_form": DealRoleForm(),
        "qualification": qualification,
        "qualification_form": QualificationForm(initial=initial),
        "buyer_profile": current_profile(),
    }
