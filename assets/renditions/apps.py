from __future__ import annotations

from django.apps import AppConfig


class RenditionsConfig(AppConfig):
    name = "assets.renditions"
    label = "renditions"
    verbose_name = "Renditions"
