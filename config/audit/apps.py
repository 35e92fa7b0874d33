from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "config.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from auditlog import get_logentry_model
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model, signals
        from django.contrib.auth.models import Group
        from django.db.models.signals import pre_save

        from config.audit import context, sign_ins

        # People and groups are audited wherever they change (admin, SCIM, SSO); a password is only
        # ever shown as changed, and the time of the last login is noise (sign-ins have their events).
        auditlog.register(
            get_user_model(),
            m2m_fields={"groups", "user_permissions"},
            exclude_fields=["last_login"],
            mask_fields=["password"],
        )
        auditlog.register(Group, m2m_fields={"permissions"})
        pre_save.connect(context.entry_stamp, sender=get_logentry_model(), dispatch_uid="audit.entry_stamp")
        signals.user_logged_in.connect(sign_ins.signed_in, dispatch_uid="audit.signed_in")
        signals.user_login_failed.connect(sign_ins.sign_in_failed, dispatch_uid="audit.sign_in_failed")
        signals.user_logged_out.connect(sign_ins.signed_out, dispatch_uid="audit.signed_out")
