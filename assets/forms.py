from __future__ import annotations

from django import forms

from assets.models import BuyerRole, ContentRequest, FunnelStage


class ContentRequestForm(forms.ModelForm):
    title = forms.CharField(label="What do you need?", max_length=200)
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    buyer_role = forms.ModelChoiceField(BuyerRole.objects.all(), label="Buyer role", required=False)
    stage = forms.ModelChoiceField(
        FunnelStage.objects.filter(outcome="open"), label="Funnel stage", required=False
    )

    class Meta:
        model = ContentRequest
        fields = ["title", "details", "buyer_role", "stage"]


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")
    comment = forms.CharField(required=False, max_length=500)
