"""Forms of the buyer profile (Marketing proposes, an admin decides), the buying committee and the 4 As."""

from __future__ import annotations

import re

from django import forms

from assets.models import BuyerRole, FunnelStage
from enablement.buyers.models import FOUR_AS, BuyerProfile

# A comma between items, not one in a number's thousands ("1,001-5,000"): one not followed by exactly
# three digits. "1000,500+" stays one (refused) item; "1000, 500+" is two.
_ITEM_COMMA = re.compile(r",(?!\d{3}(?!\d))")


def _lines(value: str, *, separator: re.Pattern[str] | None = None) -> list[str]:
    """One item per line or comma (`separator`: a pattern of the commas that separate)."""
    split = separator.split if separator else (lambda line: line.split(","))
    return [part.strip() for line in value.splitlines() for part in split(line) if part.strip()]


class ProfileForm(forms.Form):
    summary = forms.CharField(
        label="Who we sell to",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Two or three sentences every rep and marketer can repeat.",
    )
    industries = forms.CharField(
        label="Industries",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line or comma-separated, as the CRM spells them. Empty: any industry.",
    )
    size_bands = forms.CharField(
        label="Company sizes (employees)",
        required=False,
        help_text="Bands such as 201-1000, 1001-5000, 5001+. Empty: any size.",
    )
    regions = forms.CharField(
        label="Regions", required=False, help_text="As the CRM spells them. Empty: any region."
    )
    fit_threshold = forms.IntegerField(
        label="In profile from a fit of",
        min_value=1,
        max_value=10,
        initial=7,
        help_text="out of 10",
    )

    def __init__(self, *args, stages: list[FunnelStage], roles: list[BuyerRole], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stages = stages
        for stage in stages:
            self.fields[f"roles_{stage.pk}"] = forms.ModelMultipleChoiceField(
                queryset=BuyerRole.objects.filter(pk__in=[r.pk for r in roles]),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=f"Buyer roles expected by {stage.name}",
            )

    @classmethod
    def initial_from(cls, profile: BuyerProfile | None) -> dict:
        if profile is None:
            return {}
        initial = {
            "summary": profile.summary,
            "industries": "\n".join(profile.industries),
            "size_bands": ", ".join(profile.size_bands),
            "regions": ", ".join(profile.regions),
            "fit_threshold": profile.fit_threshold,
        }
        for pr in profile.roles.all():
            initial.setdefault(f"roles_{pr.stage_id}", []).append(pr.role_id)
        return initial

    def role_fields(self) -> list:
        return [self[f"roles_{stage.pk}"] for stage in self.stages]

    def proposal(self) -> dict:
        data = self.cleaned_data
        return {
            "summary": data["summary"],
            "industries": _lines(data["industries"]),
            "size_bands": _lines(data["size_bands"], separator=_ITEM_COMMA),
            "regions": _lines(data["regions"]),
            "fit_threshold": data["fit_threshold"],
            "roles_by_stage": {stage: list(data[f"roles_{stage.pk}"]) for stage in self.stages},
        }


class DecisionForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=2000)


class DealRoleForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=BuyerRole.objects.all(), label="Buyer role", empty_label="Choose a buyer role"
    )
    contact = forms.CharField(label="Contact (optional)", required=False, max_length=255)


RATING_CHOICES = [("", "Not rated"), *((str(n), str(n)) for n in range(11))]


def _rating(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, help_text=help_text
    )


class QualificationForm(forms.Form):
    """The 4 As, 0–10 each; "Not rated" leaves one unrated."""

    alignment = _rating("Alignment", "Our offer fits their problem.")
    appropriateness = _rating("Appropriateness", "Right time, budget and size.")
    authority = _rating("Authority", "We reach the people who decide.")
    action = _rating("Action", "They are acting on it now.")

    def ratings(self) -> dict[str, int | None]:
        return {a: self.cleaned_data[a] for a in FOUR_AS}
