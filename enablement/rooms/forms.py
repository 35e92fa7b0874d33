from __future__ import annotations

from django import forms

from enablement.rooms.gate import email_normal


class RoomForm(forms.Form):
    title = forms.CharField(label="Room title", max_length=200)
    note = forms.CharField(label="Note to the buyer", required=False, max_length=2000, widget=forms.Textarea)
    days = forms.IntegerField(label="Room works for (days)", min_value=1, max_value=365, initial=30)
    allow_download = forms.BooleanField(label="Buyer may download files", required=False)
    passcode = forms.CharField(label="Passcode (optional)", required=False, max_length=128)
    email_gate = forms.BooleanField(label="Ask for a verified work email", required=False)
    allowed_domains = forms.CharField(
        label="Allowed email domains (optional)", required=False, max_length=1000
    )


class RoomItemForm(forms.Form):
    room = forms.IntegerField(min_value=1)
    asset = forms.IntegerField(min_value=1)
    reason = forms.CharField(label="Why this asset (one line)", required=False, max_length=200)


class PasscodeForm(forms.Form):
    passcode = forms.CharField(label="Passcode", max_length=128)


class EmailForm(forms.Form):
    email = forms.CharField(label="Work email", max_length=254)

    def clean_email(self) -> str:
        return email_normal(self.cleaned_data["email"])


class CodeForm(forms.Form):
    email = forms.CharField(max_length=254, widget=forms.HiddenInput)
    code = forms.CharField(label="Code", max_length=12)

    def clean_email(self) -> str:
        return email_normal(self.cleaned_data["email"])
