"""Money as pages show it: compact, in the deal's currency (`$46.7M`, `€1.2K`, `£830`, `CHF 12.5K`),
with the exact amount beside it for a title attribute. CSV and the API keep exact amounts.

Plain functions over `Decimal`, so rounding can be checked on its own: amounts are rounded half up,
and a value that rounds up to 1000 of a unit moves to the next unit (999,950 → $1.0M, not $1000.0K).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The symbols of the common currencies; any other is written as its ISO code and a space.
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "CNY": "CN¥",
    "KRW": "₩",
    "BRL": "R$",
}
UNITS = ("K", "M", "B", "T")
NOTHING = "—"


def as_decimal(value: object) -> Decimal | None:
    """A Decimal of `value` (floats through their shortest repr), or None when it is no number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def compact_number(value: Decimal) -> str:
    """|value| in at most four digits and a unit: 830, 1.2K, 46.7M, 3.0B (no sign)."""
    size = abs(value)
    whole = size.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if whole < 1000:
        return str(whole)
    for power, unit in enumerate(UNITS, start=1):
        scaled = (size / Decimal(1000) ** power).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if scaled < 1000 or unit == UNITS[-1]:
            return f"{scaled}{unit}"
    raise AssertionError("unreachable: the last unit takes any size")


def _prefix(currency: str) -> str:
    code = (currency or "").strip().upper()
    return SYMBOLS.get(code, f"{code} " if code else "")


def compact_money(amount: object, currency: str, *, code: bool = False) -> str:
    """`$46.7M`; `CHF 12.5K` for a currency without a common symbol (or every one with `code`);
    `-€1.2K` when negative; `—` when there is no amount."""
    number = as_decimal(amount)
    if number is None:
        return NOTHING
    digits = compact_number(number)
    prefix = f"{currency.strip().upper()} " if code and currency else _prefix(currency)
    negative = number < 0 and digits != "0"  # -0.2 rounds to 0: no sign on nothing
    return f"{'-' if negative else ''}{prefix}{digits}"


def exact_money(amount: object, currency: str) -> str:
    """`USD 46,653,000.00`: the exact amount, for a title attribute."""
    number = as_decimal(amount)
    if number is None:
        return ""
    return f"{(currency or '').strip().upper()} {number:,.2f}".strip()


@dataclass(frozen=True)
class SumsCurrency:
    """The currency in which to show sums over many deals (the analytics' influenced and won amounts).

    The sums add deal amounts as recorded, without conversion. When every deal with an amount has
    one currency, that is it; when they differ (`mixed`), sums are labelled with the code of the
    currency most deals use, and pages say "mixed currencies"."""

    code: str
    mixed: bool = False
    codes: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, deals_per_currency: list[tuple[str, int]]) -> SumsCurrency:
        """From (currency, deals with an amount) pairs, most deals first; none: US dollars."""
        ranked = sorted(((c.upper(), n) for c, n in deals_per_currency if n), key=lambda p: (-p[1], p[0]))
        if not ranked:
            return cls(code="USD", codes=("USD",))
        return cls(code=ranked[0][0], mixed=len(ranked) > 1, codes=tuple(c for c, _ in ranked))
