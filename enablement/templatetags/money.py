"""`{{ deal.amount|money:deal.currency }}`: compact money with the exact amount in its title."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from enablement.money import NOTHING, SumsCurrency, compact_money, exact_money

register = template.Library()


@register.filter
def money(amount: object, currency: str | SumsCurrency) -> SafeString | str:
    """`$46.7M` in a span titled `USD 46,653,000.00`; `—` without an amount.

    `currency` is the deal's ISO code, or a SumsCurrency for sums over many deals: when those deals
    are in mixed currencies the sum carries the code (`USD 46.7M`) and the title says so."""
    note, code_prefix = "", False
    if isinstance(currency, SumsCurrency):
        if currency.mixed:
            note = f" (mixed currencies: {', '.join(currency.codes)} added without conversion)"
            code_prefix = True
        currency = currency.code
    text = compact_money(amount, currency, code=code_prefix)
    if text == NOTHING:
        return text
    return format_html('<span class="money" title="{}">{}</span>', exact_money(amount, currency) + note, text)
