from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from assets.defaults import catalogue_defaults_after_migrate
        from assets.roles import roles_sync_after_migrate

        # Permissions exist only after migrate; keep the three groups' permissions in step with them.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="assets.roles_sync")
        post_migrate.connect(catalogue_defaults_after_migrate, sender=self, dispatch_uid="assets.defaults")
