"""The portal's forms: a rep picks one of their own open deals to log a use or share an asset."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from enablement.choices import UsageAction
from enablement.deals.selectors import open_deals_of
from enablement.sharing.services import SHARE_DAYS_DEFAULT, SHARE_DAYS_MAX, SHARE_DAYS_MIN


class DealChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, deal) -> str:
        stage = deal.current_stage.name if deal.current_stage else "no stage yet"
        return f"{deal.name} ({stage})"


class _RepDealForm(forms.Form):
    deal = DealChoiceField(queryset=None, label="Deal", empty_label="Choose one of your open deals")

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the rep's own open deals: another rep's deal id is simply not a valid choice.
        self.fields["deal"].queryset = open_deals_of(user)


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
