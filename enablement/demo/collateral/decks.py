"""The demo's PowerPoint decks (python-pptx): a coloured cover, then slides with headings, bullets, a
chart and a table, and a closing slide; six slides each, 16:9."""

from __future__ import annotations

import io
import random

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches, Pt

from assets.models import Asset
from enablement.demo.collateral.words import OUTCOMES, PAINS, STEPS, figures, points

BRAND = RGBColor(0x0B, 0x5C, 0xAD)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _band(slide, deck, height) -> None:
    band = slide.shapes.add_shape(1, 0, 0, deck.slide_width, height)
    band.fill.solid()
    band.fill.fore_color.rgb = BRAND
    band.line.fill.background()


def _text(slide, text: str, *, left, top, width, height, size: int, bold=False, color=None) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    if color is not None:
        run.font.color.rgb = color


def _bullets(deck, title: str, lines: list[str]):
    slide = _titled(deck, title)
    frame = slide.shapes.add_textbox(Inches(0.8), Inches(1.8), Inches(11.5), Inches(4.5)).text_frame
    frame.word_wrap = True
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.text = f"• {line}"
        paragraph.font.size = Pt(24)
        paragraph.space_after = Pt(12)
    return slide


def _titled(deck, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    heading = slide.shapes.title
    heading.text = title
    # The default template is 4:3; its title box is moved onto the 16:9 slide.
    heading.left, heading.top = Inches(0.8), Inches(0.45)
    heading.width, heading.height = deck.slide_width - Inches(1.6), Inches(1.1)
    _band(slide, deck, Inches(0.15))
    return slide


def _cover(deck, asset: Asset) -> None:
    cover = deck.slides.add_slide(deck.slide_layouts[6])
    _band(cover, deck, deck.slide_height)
    left, width = Inches(0.8), Inches(11.5)
    box = {"left": left, "width": width, "height": Inches(1.5), "color": WHITE}
    _text(cover, asset.title, top=Inches(2.4), size=44, bold=True, **box)
    _text(cover, asset.summary, top=Inches(4.1), size=20, **box)


def _chart(deck, product: str, quarters: list[int]) -> None:
    data = CategoryChartData()
    data.categories = ["Q1", "Q2", "Q3", "Q4"]
    data.add_series("Reports late", [max(2, 70 - v) for v in quarters])
    data.add_series(f"With {product}", [max(1, 30 - v // 3) for v in quarters])
    slide = _titled(deck, "The cost of waiting")
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.8), Inches(1.7), Inches(11.5), Inches(5.2), data
    ).chart
    chart.has_legend = True


def _plan(deck, n: dict, rng: random.Random) -> None:
    slide = _titled(deck, "The plan and what it returns")
    rows = [("Step", "Weeks", "Owner")] + [(s, str(rng.randint(1, 4)), "Joint team") for s in STEPS]
    table = slide.shapes.add_table(len(rows), 3, Inches(0.8), Inches(1.8), Inches(11.5), Inches(3.2)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    returns = f"Payback in {n['payback_months']} months; {n['three_year_roi']}% over three years."
    box = {"left": Inches(0.8), "top": Inches(5.6), "width": Inches(11.5), "height": Inches(0.8)}
    _text(slide, returns, size=22, bold=True, **box)


def _new_deck() -> Presentation:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    return deck


def _saved(deck) -> bytes:
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def story_deck(title: str, summary: str, slides: list[tuple[str, list[str]]]) -> bytes:
    """A deck in the demo's style: a cover, then one slide of bullets per (heading, lines)."""
    deck = _new_deck()
    _cover(deck, Asset(title=title, summary=summary))
    for heading, lines in slides:
        _bullets(deck, heading, lines)
    return _saved(deck)


def deck_pptx(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    n = figures(rng)
    product = words["product"]
    deck = _new_deck()
    _cover(deck, asset)
    _bullets(deck, "The problem", points(rng, PAINS, 3))
    _chart(deck, product, n["quarters"])
    _bullets(deck, "What good looks like", points(rng, OUTCOMES, 3))
    _plan(deck, n, rng)
    steps = ["A 45-minute discovery workshop", "Your data in a pilot workspace"]
    _bullets(deck, "Next steps", [*steps, f"A decision on {product} within the quarter"])
    return _saved(deck)
