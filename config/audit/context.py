"""Who is acting: a person in the portal or admin, an integration's API token, SCIM, or the system.

auditlog's middleware knows the signed-in user only. API tokens are checked later, by the API's
authentication, and SCIM requests carry a bearer token that is no user at all, so each request runs
in a context of its own here, which those authentications fill in. Every audit entry written while
it lasts is stamped with it; entries written outside any request (Celery tasks, commands) are the
system's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse

from config.client_address import client_address

USER, ANONYMOUS, API_TOKEN, SCIM, SYSTEM = "user", "anonymous", "api_token", "scim", "system"
_acting: ContextVar[dict[str, Any] | None] = ContextVar("audit_acting", default=None)


@contextmanager
def acting(*, via: str, name: str = "", user=None) -> Iterator[None]:
    """Everything audited inside is done through `via` (named `name`, for `user` if one)."""
    token = _acting.set({"via": via, "via_name": name, "user": user})
    try:
        yield
    finally:
        _acting.reset(token)


def acting_as(*, via: str, name: str = "", user=None) -> None:
    """Name who acts for the rest of the current request (its authentication just learnt it)."""
    current = _acting.get()
    if current is not None:
        current.update(via=via, via_name=name, user=user)


def entry_stamp(sender, instance, **kwargs) -> None:
    """pre_save of every audit entry: who acted, unless the entry says so itself."""
    if instance.pk is not None:
        return
    # Outside any request (a task, a command): the system's doing, unless the writer named a person.
    current = _acting.get() or {"via": USER if instance.actor_id else SYSTEM, "via_name": "", "user": None}
    data = dict(instance.additional_data or {})
    anonymous = current["via"] == USER and current["user"] is None
    data.setdefault("via", ANONYMOUS if anonymous else current["via"])
    if current["via_name"]:
        data.setdefault("via_name", current["via_name"])
    instance.additional_data = data
    if instance.actor_id is None and current["user"] is not None:
        instance.actor = current["user"]
        instance.actor_email = getattr(current["user"], "email", None) or None


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (actor, address, correlation id) with the project's reading of the client's
    address, and a context of its own for each request: it acts as its signed-in user until an
    authentication says otherwise, and leaves nothing behind for the next request on the thread."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        # auditlog trusts the first X-Forwarded-For entry, which the client writes itself.
        return client_address(request) or None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = self._get_actor(request)
        with acting(via=USER, user=user):
            return super().__call__(request)
