"""Reads a page as a person would: wherever a verdict is worded beside an interval (a table row, a
list item, a paragraph), the interval must say the same as the words."""

from __future__ import annotations

import re

import lxml.html

# What each wording claims of the interval beside it.
WORDS = {
    "higher conversion": "above",
    "lower conversion": "below",
    "no clear difference": "spans",
    "advanced more often": "above",
    "advanced less often": "below",
}
NUMBER = r"[+\-−]?\d+(?:\.\d+)?"
INTERVAL = re.compile(rf"({NUMBER}) to ({NUMBER})")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _agrees(claim: str, low: float, high: float) -> bool:
    if claim == "above":
        return low > 0 and high > 0
    if claim == "below":
        return low < 0 and high < 0
    return low <= 0 <= high


def contradictions(html: str) -> tuple[list[str], int]:
    """The contradictions found, and how many worded intervals were checked."""
    doc = lxml.html.fromstring(html)
    for hidden in doc.xpath("//script|//style"):
        hidden.drop_tree()
    problems, checked = [], 0
    for element in doc.iter("tr", "li", "p"):
        if element.xpath(".//tr|.//li|.//p"):
            continue  # the innermost container holds the verdict and the interval it sits beside
        text = " ".join(element.text_content().split())
        intervals = INTERVAL.findall(text)
        claims = {claim for words, claim in WORDS.items() if words in text.lower()}
        if not intervals or not claims:
            continue
        if len(claims) > 1:
            problems.append(f"several verdicts beside intervals: {text[:300]}")
            continue
        claim = claims.pop()
        for low, high in intervals:
            checked += 1
            if not _agrees(claim, _number(low), _number(high)):
                problems.append(f"{claim} beside {low} to {high}: {text[:300]}")
    return problems, checked
