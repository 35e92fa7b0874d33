"""Money on pages: compact, in the deal's currency, rounded half up, exact in the title."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from enablement.money import SumsCurrency, compact_money, exact_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("46653000"), "USD", "$46.7M"),
        (Decimal("1200"), "EUR", "€1.2K"),
        (Decimal("830"), "GBP", "£830"),
        (Decimal("12500"), "CHF", "CHF 12.5K"),
        (Decimal("999950"), "USD", "$1.0M"),  # not $1000.0K
        (Decimal("999949.99"), "USD", "$999.9K"),
        (Decimal("999.5"), "USD", "$1.0K"),  # 1000 whole units are a thousand
        (Decimal("999.49"), "USD", "$999"),
        (Decimal("1250"), "USD", "$1.3K"),  # half up, not to even
        (Decimal("1150"), "USD", "$1.2K"),
        (Decimal("999950000000"), "USD", "$1.0T"),
        (Decimal("0"), "USD", "$0"),
        (Decimal("-1250"), "EUR", "-€1.3K"),
        (Decimal("-0.2"), "USD", "$0"),  # rounds to nothing: no sign
        (None, "USD", "—"),
        ("not a number", "USD", "—"),
        (30005500.0, "usd", "$30.0M"),  # a float and a lower-case code
        (Decimal("5"), "", "5"),
    ],
)
def test_amounts_are_compact_and_rounded_half_up(amount, currency, shown):
    assert compact_money(amount, currency) == shown


def test_the_exact_amount_keeps_every_cent():
    assert exact_money(Decimal("46653000"), "USD") == "USD 46,653,000.00"
    assert exact_money(None, "USD") == ""


def test_sums_take_the_one_currency_or_say_they_are_mixed():
    assert SumsCurrency.of([("EUR", 40)]) == SumsCurrency(code="EUR", codes=("EUR",))
    mixed = SumsCurrency.of([("EUR", 3), ("USD", 40), ("GBP", 0)])
    assert (mixed.code, mixed.mixed, mixed.codes) == ("USD", True, ("USD", "EUR"))
    assert SumsCurrency.of([]).code == "USD"


def render(source: str, **context) -> str:
    return Template("{% load money %}" + source).render(Context(context))


def test_the_filter_shows_the_compact_amount_titled_with_the_exact_one():
    html = render("{{ amount|money:'USD' }}", amount=Decimal("46653000"))
    assert html == '<span class="money" title="USD 46,653,000.00">$46.7M</span>'
    assert render("{{ amount|money:'USD' }}", amount=None) == "—"


def test_a_sum_over_mixed_currencies_carries_the_code_and_says_so():
    sums = SumsCurrency.of([("USD", 5), ("EUR", 2)])
    html = render("{{ amount|money:sums }}", amount=Decimal("46653000"), sums=sums)
    assert ">USD 46.7M<" in html and "mixed currencies: USD, EUR added without conversion" in html
    assert ">€1.2K<" in render("{{ 1200|money:sums }}", sums=SumsCurrency.of([("EUR", 2)]))


@pytest.mark.django_db
def test_the_deal_admin_lists_amounts_compact_in_each_deals_currency(client, admin_user):
    from django.urls import reverse

    from tests.factories import DealFactory

    DealFactory(amount=Decimal("46653000"), currency="USD")
    DealFactory(amount=Decimal("12500"), currency="CHF")
    client.force_login(admin_user)
    page = client.get(reverse("admin:enablement_deal_changelist")).text
    assert 'title="USD 46,653,000.00">$46.7M<' in page and ">CHF 12.5K<" in page


@pytest.mark.django_db
def test_a_reps_home_and_deal_page_show_the_deals_amount_compact(client, rep):
    from django.urls import reverse

    from assets.models import FunnelStage
    from enablement.deals.history import deal_stage_change
    from tests.factories import DealFactory

    deal = DealFactory(owner=rep, amount=Decimal("1200"), currency="EUR")
    deal_stage_change(deal=deal, stage=FunnelStage.objects.get(slug="proposal"), entered_at=deal.created_at)
    client.force_login(rep)
    for url in [reverse("home"), reverse("deal-detail", args=[deal.pk])]:
        assert '<span class="money" title="EUR 1,200.00">€1.2K</span>' in client.get(url).text, url
