"""The studio's forms: what marketing edits on an asset, and a new version with its note."""

from __future__ import annotations

from django import forms
from django.conf import settings
from taggit.forms import TagField

from assets.admin_owner import possible_owners
from assets.choices import AssetKind, Audience
from assets.files import ASSET_UPLOAD_EXTENSIONS
from assets.forms import restrict_upload
from assets.models import Asset, BuyerRole, FunnelStage

TAGS_HELP = "Separate with commas: “Insight Edge, Forecast Pro”."


class AssetEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    guidance = forms.CharField(
        label="How to use it", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label="Asset type", choices=AssetKind.choices)
    buyer_roles = forms.ModelMultipleChoiceField(BuyerRole.objects.all(), label="Buyer roles", required=False)
    stages = forms.ModelMultipleChoiceField(FunnelStage.objects.open(), label="Funnel stages", required=False)
    audience = forms.ChoiceField(label="Audience", choices=Audience.choices)
    owner = forms.ModelChoiceField(possible_owners(), label="Owner", required=False, empty_label="No owner")
    review_by = forms.DateField(
        label="Review by", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    industries = TagField(label="Industries", required=False, help_text=TAGS_HELP)
    products = TagField(label="Products", required=False, help_text=TAGS_HELP)

    def __init__(self, *args, asset: Asset, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                **{f: getattr(asset, f) for f in ("title", "summary", "guidance", "kind", "audience")},
                "owner": asset.owner_id,
                "review_by": asset.review_by,
                "buyer_roles": list(asset.buyer_roles.all()),
                "stages": list(asset.stages.all()),
                "industries": list(asset.industries.all()),
                "products": list(asset.products.all()),
            },
        )
        super().__init__(*args, **kwargs)
        if asset.owner_id:  # a former colleague stays a valid choice until changed
            former = type(asset.owner).objects.filter(pk=asset.owner_id)
            self.fields["owner"].queryset = (possible_owners() | former).distinct()

    def changes(self) -> dict:
        """The cleaned form as asset_update takes it."""
        data = dict(self.cleaned_data)
        data["buyer_roles"] = list(data["buyer_roles"])
        data["stages"] = list(data["stages"])
        return data


class VersionForm(forms.Form):
    file = forms.FileField(label="File")
    note = forms.CharField(label="What changed", max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        restrict_upload(self.fields["file"], allowed=ASSET_UPLOAD_EXTENSIONS)


def upload_limits() -> dict:
    return {"max_mb": settings.UPLOAD_MAX_MB, "accept": ",".join(sorted(ASSET_UPLOAD_EXTENSIONS))}
