"""Writes of accounts and deals (their stage history: enablement.deals.history)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from enablement.deals import events
from enablement.deals.models import Account, Deal
from enablement.people import AddressRefused, People


def account_upsert(
    *, source: str, external_id: str, name: str, industry: str = "", size: str = "", region: str = ""
) -> Account:
    account, _ = Account.objects.update_or_create(
        source=source,
        external_id=external_id,
        defaults={"name": name, "industry": industry, "size": size, "region": region},
    )
    return account


# The account's facts a deal's fit is scored on (buyers.fit).
FIT_FIELDS = frozenset({"industry", "size", "region"})


def account_update(*, account: Account, changed: Iterable[str]) -> Account:
    """Save an account whose `changed` fields were set (the admin's form sets them); its deals are
    scored again at once when one of those is a fact their fit is scored on."""
    account.save()
    if FIT_FIELDS & set(changed):
        deal_ids = list(account.deals.values_list("pk", flat=True))
        events.fit_facts_changed.send(sender=Account, deal_ids=deal_ids)
    return account


def deal_upsert(
    *,
    source: str,
    external_id: str,
    name: str,
    owner: AbstractBaseUser | None = None,
    account: Account | None = None,
    amount: Decimal | None = None,
    currency: str = "USD",
    created_at: datetime | None = None,
) -> tuple[Deal, bool]:
    """Create or update a deal by the source's id; returns (deal, created)."""
    if amount is not None and amount < 0:
        raise ValidationError({"amount": "A deal's amount cannot be negative."})
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": f"{currency!r} is not a three-letter currency code."})
    defaults = {
        "name": name,
        "owner": owner,
        "account": account,
        "amount": amount,
        "currency": currency.upper(),
    }
    if created_at is not None:
        defaults["created_at"] = created_at
    return Deal.objects.update_or_create(source=source, external_id=external_id, defaults=defaults)


@transaction.atomic
def deal_apply(
    *, source: str, external_id: str, fields: dict, current: Deal | None = None
) -> tuple[Deal, bool]:
    """Create or update a deal from what an integration sent; returns (deal, created).

    `fields` holds any of deal_id and source (with `current`: only its own), name, account (the
    account's name; None takes the deal off its account), owner_email (an unknown address becomes a
    rep, as in imports), amount, currency and created_at. With `current` the change is partial: what
    `fields` leaves out keeps its value.
    """
    if current is not None and (
        fields.get("deal_id", current.external_id) != current.external_id
        or fields.get("source", current.source) != current.source
    ):
        # Both are the deal's key in its CRM: a change would be another deal.
        raise ValidationError({"deal_id": "A deal's id and source cannot change."})
    owner = None
    if fields.get("owner_email"):
        try:
            owner = People().by_email(fields["owner_email"])
        except AddressRefused as exc:
            raise ValidationError({"owner_email": str(exc)}) from None
    account = current.account if current is not None and "account" not in fields else None
    if fields.get("account"):
        account = account_upsert(source=source, external_id=fields["account"], name=fields["account"])
    deal, created = deal_upsert(
        source=source,
        external_id=external_id,
        name=fields.get("name", current.name if current else ""),
        owner=owner if owner is not None else (current.owner if current else None),
        account=account,
        amount=fields.get("amount", current.amount if current else None),
        currency=fields.get("currency", current.currency if current else "USD"),
        created_at=fields.get("created_at"),
    )
    # Its account may have changed, and a new deal needs a score at once.
    events.fit_facts_changed.send(sender=Deal, deal_ids=[deal.pk])
    deal.refresh_from_db(fields=["fit_score", "in_profile", "fit_reasons"])
    return deal, created
