from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from assets.files import IMPORT_UPLOAD_EXTENSIONS, STAGE_MAP_UPLOAD_EXTENSIONS
from assets.forms import restrict_upload
from enablement.choices import UsageAction
from enablement.models import ImportRun
from enablement.selectors import open_deals_of


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
    days = forms.IntegerField(label="Link works for (days)", min_value=1, max_value=365, initial=30)
    allow_download = forms.BooleanField(label="Buyer may download the file", required=False, initial=True)


class ImportRunForm(forms.ModelForm):
    """The admin's import upload: a zip or CSV export and an optional stage map CSV, size-capped."""

    class Meta:
        model = ImportRun
        fields = ["format", "file", "stage_map_file", "dry_run", "skip_invalid"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            restrict_upload(self.fields["file"], allowed=IMPORT_UPLOAD_EXTENSIONS)
        if "stage_map_file" in self.fields:
            restrict_upload(self.fields["stage_map_file"], allowed=STAGE_MAP_UPLOAD_EXTENSIONS)
            self.fields["stage_map_file"].help_text = (
                "Optional CSV with columns crm_stage,stage_slug; " + self.fields["stage_map_file"].help_text
            )
