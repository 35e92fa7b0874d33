"""`one_of`, the batch lookups' filter (`= ANY` of one typed array on PostgreSQL, `IN` elsewhere):
the same rows as `__in` for keys and text, with several sources, none, or an empty set."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enablement.choices import DealSource
from enablement.deals.models import Deal
from enablement.usage.bulk import one_of
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def _pks(**lookup) -> set[int]:
    return set(Deal.objects.filter(**lookup).values_list("pk", flat=True))


def test_one_of_finds_what_in_finds_by_key_and_by_text():
    deals = [DealFactory(external_id=f"X-{n}") for n in range(40)]
    DealFactory(external_id="X-3", source=DealSource.HUBSPOT)  # the same id from another CRM
    DealFactory(external_id="Dëal “7”")
    keys = {d.pk for d in deals[::3]} | {10**12}  # one that names no deal, beyond an integer's range
    names = {"X-3", "X-11", "Dëal “7”", "nobody"}

    assert _pks(**one_of("pk", keys)) == _pks(pk__in=keys) == {d.pk for d in deals[::3]}
    assert _pks(**one_of("external_id", names)) == _pks(external_id__in=names)
    assert len(_pks(**one_of("external_id", names))) == 4


def test_one_of_an_empty_set_finds_nothing():
    DealFactory()
    assert _pks(**one_of("pk", set())) == set()
    assert _pks(**one_of("external_id", set())) == set()


def test_one_of_combines_with_other_conditions():
    open_deal, closed = DealFactory(), DealFactory(closed_at=timezone.now())
    assert _pks(**one_of("pk", {open_deal.pk, closed.pk}), closed_at__isnull=False) == {closed.pk}
