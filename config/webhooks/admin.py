"""Webhook endpoints (URL, events, secret, format) and the delivery log with *Send again*."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from config.webhooks import services
from config.webhooks.events import EVENTS
from config.webhooks.models import Delivery, Endpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {label}") for name, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        help_text="Leave empty to have one made. The receiver checks each delivery's signature with it.",
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "format", "secret", "active"]

    def clean(self):
        data = super().clean()
        if data.get("url") and data.get("events"):
            try:
                services.endpoint_clean(
                    url=data["url"], events=data["events"], format=data.get("format", "json")
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        if not data.get("secret"):
            data["secret"] = self.instance.secret or services.new_secret()
        return data


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["__str__", "url", "format", "active", "created_at"]
    list_filter = ["active", "format"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not form.data.get("secret"):
            messages.info(
                request, f"Its secret is {obj.secret}; give it to the receiver to check signatures."
            )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only, with *Send again* for any delivery."""

    list_display = [
        "event_type",
        "endpoint",
        "event_at",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    date_hierarchy = "event_at"
    search_fields = ["event_id", "last_error"]
    list_select_related = ["endpoint"]
    actions = ["send_again"]
    readonly_fields = [
        "endpoint",
        "event_id",
        "event_type",
        "event_at",
        "data",
        "summary",
        "status",
        "attempts",
        "next_attempt_at",
        "retrying_since",
        "last_status_code",
        "last_error",
        "delivered_at",
        "log",
    ]
    exclude = ["claimed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_send_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_endpoint")

    @admin.action(description="Send again", permissions=["send"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        for delivery in queryset:
            services.delivery_send_again(delivery=delivery)
        self.message_user(
            request, f"{queryset.count()} delivery(ies) queued to be sent again.", messages.SUCCESS
        )
