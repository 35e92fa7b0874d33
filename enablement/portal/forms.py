"""The portal's forms: a rep picks one of their own open deals to log a use or share an asset."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from enablement.choices import UsageAction
from enablement.deals.selectors import open_deals_of
from enablement.sharing.services import SHARE_DAYS_DEFAULT, SHARE_DAYS_MAX, SHARE_DAYS_MIN


class DealChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, deal) -> str:
        stage = deal.current_stage.name if deal.current_stage else "no stage yet"
        return f"{deal.name} ({stage})"


# The chooser lists this many of the rep's open deals, most recently active first; its search field
# finds any other (deal_choices), so the page is the same size for 10 open deals or 2,000.
DEAL_CHOICES = 10


def deal_choices(user: AbstractBaseUser, q: str = "") -> list:
    """Up to DEAL_CHOICES of the user's open deals whose name or account holds `q`."""
    deals = open_deals_of(user)
    if q := q.strip()[:100]:
        deals = deals.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    return list(deals[:DEAL_CHOICES])


class _RepDealForm(forms.Form):
    deal = DealChoiceField(queryset=None, label="Deal", empty_label="Choose one of your open deals")

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the rep's own open deals: another rep's deal id is simply not a valid choice.
        self.fields["deal"].queryset = open_deals_of(user)
        self.user = user

    def shown_deals(self) -> list:
        return deal_choices(self.user)


class LogUseForm(_RepDealForm):
    action = forms.ChoiceField(label="How", choices=UsageAction.choices, initial=UsageAction.PRESENTED)


class ShareForm(_RepDealForm):
    days = forms.IntegerField(
        label="Link works for (days)",
        min_value=SHARE_DAYS_MIN,
        max_value=SHARE_DAYS_MAX,
        initial=SHARE_DAYS_DEFAULT,
    )
    allow_download = forms.BooleanField(label="Buyer may download the file", required=False, initial=True)
