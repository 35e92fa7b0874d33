from __future__ import annotations

from django import forms
from django.conf import settings

from assets.files import ASSET_UPLOAD_EXTENSIONS, upload_check
from assets.models import AssetVersion, BuyerRole, ContentRequest, FunnelStage


class ContentRequestForm(forms.ModelForm):
    title = forms.CharField(label="What do you need?", max_length=200)
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    buyer_role = forms.ModelChoiceField(
        BuyerRole.objects.all(), label="Buyer role", required=False, empty_label="No particular buyer role"
    )
    stage = forms.ModelChoiceField(
        FunnelStage.objects.open(),
        label="Funnel stage",
        required=False,
        empty_label="No particular stage",
    )

    class Meta:
        model = ContentRequest
        fields = ["title", "details", "buyer_role", "stage"]


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")
    comment = forms.CharField(required=False, max_length=500)


def restrict_upload(field: forms.FileField, *, allowed: frozenset[str]) -> None:
    """Check an upload field's file with assets.files.upload_check, and say on the form what it takes."""
    field.validators.append(lambda file: upload_check(file, allowed=allowed))
    kinds = ", ".join(sorted(allowed))
    field.widget.attrs["accept"] = ",".join(sorted(allowed))
    field.help_text = f"{kinds}; up to {settings.UPLOAD_MAX_MB} MB."


class AssetVersionForm(forms.ModelForm):
    """A new version in the admin's inline: refused on the field when the service would refuse it."""

    class Meta:
        model = AssetVersion
        fields = ["file", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            restrict_upload(self.fields["file"], allowed=ASSET_UPLOAD_EXTENSIONS)
