"""Plain words for the figures: what the numbers allow us to say, and never more (an association in
past deals, never a cause). Marketing reads the adjusted lift with the interval shown beside its
verdict; reps read one sentence per stage, without intervals or q-values."""

from __future__ import annotations

from django.conf import settings

from enablement.analytics.models import AssetStageMetric
from enablement.choices import ExposureKind, Verdict

MINUS = "−"


def points(value: float) -> str:
    """A difference of rates in percentage points, signed: "+15", "−8", "0". Whole points, unless
    that would show a difference that is not 0 as 0 (or a bound on one side of 0 as on the other):
    then as many decimals as it takes."""
    shown = value * 100
    for places in range(7):
        text = f"{abs(shown):.{places}f}"
        if float(text) != 0 or shown == 0:
            break
    if float(text) == 0:
        return "0"
    return f"{'+' if shown > 0 else MINUS}{text}"


def interval(low: float, high: float) -> str:
    return f"{points(low)} to {points(high)}"


def comparisons(m: AssetStageMetric) -> str:
    n = m.comparisons
    return f"adjusted for {n} comparison{'' if n == 1 else 's'}"


def shown_interval(m: AssetStageMetric) -> str:
    """The interval beside a verdict, as every page words it."""
    return f"95% interval, {comparisons(m)}: {interval(m.adjusted_fcr_low, m.adjusted_fcr_high)}"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _read(m: AssetStageMetric) -> bool:
    return m.exposure == ExposureKind.READ


def _who(m: AssetStageMetric) -> str:
    """The exposed deals, as the row's kind has them."""
    if _read(m):
        return f"Deals whose buyer read it ({settings.ANALYTICS_READ_SECONDS} s or more before the landmark)"
    return "Deals that used it"


def _later(m: AssetStageMetric) -> str:
    if not m.later_deals:
        return ""
    n = m.later_deals
    did = "read it long enough" if _read(m) else "used it"
    return f" {n} other deal{'s' if n != 1 else ''} {did} only after the landmark."


def _too_little(m: AssetStageMetric, stage: str) -> str:
    return (
        f"At {stage}: too few closed deals to tell yet ({m.exposed_deals} with it, {m.unexposed_deals} "
        f"without; {settings.ANALYTICS_MIN_DEALS} of each are needed where a rep and quarter have both)."
    )


def verdict_sentence(m: AssetStageMetric) -> str:
    """Marketing's sentence for one (asset, stage) row: the rates, the adjusted lift and the interval
    beside the verdict."""
    stage = m.stage.name
    if m.verdict == Verdict.TOO_LITTLE or m.adjusted_lift is None:
        return _too_little(m, stage) + _later(m)
    rates = (
        f"{_who(m)} advanced {percent(m.exposed_rate)} of the time, comparable deals without it "
        f"{percent(m.unexposed_rate)}; comparing deals of the same rep and quarter, "
        f"{points(m.adjusted_lift)} points ({shown_interval(m)})"
    )
    if m.verdict == Verdict.NO_EVIDENCE:
        return f"At {stage}: no clear difference. {rates}, which could be chance.{_later(m)}"
    word = "higher" if m.verdict == Verdict.HELPS else "lower"
    return (
        f"At {stage}: {word} conversion. {rates}. This is an association with "
        f"{'buyers reading' if _read(m) else 'using'} it, not proof that the asset caused it.{_later(m)}"
    )


def rep_sentence(m: AssetStageMetric) -> str:
    """A rep's one plain sentence per stage: no intervals, no q-values."""
    stage = m.stage.name
    if m.verdict == Verdict.TOO_LITTLE or m.adjusted_lift is None:
        n = m.exposed_deals
        return (
            f"At {stage}: too few closed deals to tell yet ({n} deal{'s' if n != 1 else ''} used it "
            "there before the usual point of comparison)."
        )
    rates = f"{percent(m.exposed_rate)} against {percent(m.unexposed_rate)} for comparable deals"
    if m.verdict == Verdict.NO_EVIDENCE:
        return f"Deals that used it at {stage} advanced {rates} — no clear difference yet."
    more = m.verdict == Verdict.HELPS
    word = "more" if more else "less"
    crude_agrees = m.lift is not None and (m.lift > 0) == more
    if crude_agrees:
        return f"Deals that used it at {stage} advanced {word} often — {rates}; likely not chance."
    # Crude rates can point the other way when the reps who used it differ: say only what holds.
    return (
        f"Deals that used it at {stage} advanced {word} often than comparable deals of the same rep and "
        "quarter; likely not chance."
    )


def duration(seconds: float | None) -> str:
    """Seconds as people read them: "29 s", "2 min 5 s", "1 h 4 min"."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def plural(n: int, word: str, words: str | None = None) -> str:
    """ "1 asset", "3 assets"; `words` where adding an s is wrong ("1 search", "2 searches")."""
    return f"{n} {word if n == 1 else words or word + 's'}"
