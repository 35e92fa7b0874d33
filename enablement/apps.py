from __future__ import annotations

from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Deals and usage"
