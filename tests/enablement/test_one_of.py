"""`one_of` and its `__any_of` lookup, the batch lookups' filter (`= ANY` of one typed array on
PostgreSQL, `IN` elsewhere): the same rows as `__in` for keys, text and amounts, with several
sources, none, an empty set, a None, values longer or finer than the column holds, and numbers
outside its range."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from enablement.choices import DealSource
from enablement.deals.models import Deal
from enablement.lookups import one_of
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def _pks(*args, **lookup) -> set[int]:
    return set(Deal.objects.filter(*args, **lookup).values_list("pk", flat=True))


def test_one_of_finds_what_in_finds_by_key_and_by_text():
    deals = [DealFactory(external_id=f"X-{n}") for n in range(40)]
    DealFactory(external_id="X-3", source=DealSource.HUBSPOT)  # the same id from another CRM
    DealFactory(external_id="Dëal “7”")
    keys = {d.pk for d in deals[::3]} | {10**12}  # one that names no deal
    names = {"X-3", "X-11", "Dëal “7”", "nobody"}

    assert _pks(**one_of("pk", keys)) == _pks(pk__in=keys) == {d.pk for d in deals[::3]}
    assert _pks(**one_of("external_id", names)) == _pks(external_id__in=names)
    assert len(_pks(**one_of("external_id", names))) == 4
    # The lookup itself, on every database (one_of picks it on PostgreSQL only).
    assert _pks(pk__any_of=keys) == _pks(pk__in=keys)
    assert _pks(external_id__any_of=names) == _pks(external_id__in=names)


def test_one_of_an_empty_set_finds_nothing():
    DealFactory()
    assert _pks(**one_of("pk", set())) == set()
    assert _pks(**one_of("external_id", set())) == set()


def test_one_of_combines_with_other_conditions():
    open_deal, closed = DealFactory(), DealFactory(closed_at=timezone.now())
    assert _pks(**one_of("pk", {open_deal.pk, closed.pk}), closed_at__isnull=False) == {closed.pk}


def test_any_of_does_not_cut_text_to_the_column_length_nor_round_amounts():
    DealFactory(external_id="X" * 100, currency="USD", amount=Decimal("1.01"))
    longer = ["X" * 100 + "-another-deal"]
    assert _pks(external_id__any_of=longer) == _pks(external_id__in=longer) == set()
    assert _pks(currency__any_of=["USDX"]) == _pks(currency__in=["USDX"]) == set()
    assert _pks(amount__any_of=[Decimal("1.009")]) == _pks(amount__in=[Decimal("1.009")]) == set()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("fit_score", 40000),
        ("amount", Decimal("1e20")),
        # SQLite's driver cannot send it at all, with `__in` either.
        pytest.param("pk", 2**63, marks=pytest.mark.postgres),
    ],
)
def test_any_of_with_a_value_out_of_the_columns_range_finds_what_in_finds(column, value):
    deal = DealFactory(fit_score=5, amount=Decimal("2"))
    values = [value, getattr(deal, column)]
    assert _pks(**{f"{column}__any_of": values}) == _pks(**{f"{column}__in": values}) == {deal.pk}


def test_excluding_any_of_with_a_none_among_the_values_keeps_the_other_rows():
    """In an array a NULL would make `NOT (id = ANY('{1,NULL}'))` null, not true, for every other
    row; `__in` drops the None."""
    named, other = DealFactory(), DealFactory()
    values = [named.pk, None]
    assert _pks(~Q(pk__any_of=values)) == _pks(~Q(pk__in=values)) == {other.pk}


def test_any_of_refuses_what_is_not_a_number_for_a_key_as_in_does():
    with pytest.raises(ValueError, match="expected a number"):
        _pks(pk__in=["abc"])
    with pytest.raises(ValueError, match="expected a number"):
        _pks(pk__any_of=["abc"])
