"""The demo's PDFs (reportlab): a coloured band with the product, headings, paragraphs, a table and a
chart where the document has numbers, and page numbers; one to four pages each."""

from __future__ import annotations

import io
import random

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assets.choices import AssetKind
from assets.models import Asset
from enablement.demo.collateral.words import OUTCOMES, PAINS, STEPS, customer_quote, figures, points

BRAND = colors.HexColor("#0b5cad")
INK = colors.HexColor("#1f2328")
STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle(
    "demo-title", parent=STYLES["Title"], alignment=0, textColor=BRAND, fontSize=24, leading=28
)
H2 = ParagraphStyle("demo-h2", parent=STYLES["Heading2"], textColor=BRAND)
BODY = ParagraphStyle("demo-body", parent=STYLES["BodyText"], textColor=INK, fontSize=10.5, leading=15)
LEAD = ParagraphStyle("demo-lead", parent=BODY, fontSize=13, leading=18)
QUOTE = ParagraphStyle(
    "demo-quote", parent=BODY, fontName="Helvetica-Oblique", fontSize=13, leading=18, leftIndent=18
)


def _document(asset: Asset, flow: list, words: dict) -> bytes:
    def page(canvas, doc) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFillColor(BRAND)
        canvas.rect(0, height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(18 * mm, height - 11.5 * mm, words["product"])
        canvas.setFont("Helvetica", 9)
        canvas.drawRightString(width - 18 * mm, height - 11.5 * mm, asset.get_kind_display())
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, asset.title)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=asset.title, topMargin=28 * mm, leftMargin=18 * mm, rightMargin=18 * mm
    )
    document.build(flow, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()


def _table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table([[Paragraph(str(c), BODY) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d3de")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _bars(values: list[int], labels: list[str]) -> Drawing:
    drawing = Drawing(440, 180)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, 380, 140
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BRAND
    drawing.add(chart)
    return drawing


def _line(values: list[float]) -> Drawing:
    drawing = Drawing(440, 180)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 40, 25, 380, 140
    plot.data = [list(enumerate(values, start=1))]
    plot.lines[0].strokeColor = BRAND
    plot.lines[0].strokeWidth = 2
    drawing.add(plot)
    return drawing


def _header(asset: Asset, lead: str) -> list:
    return [Paragraph(asset.title, TITLE), Spacer(1, 4), Paragraph(lead, LEAD), Spacer(1, 10)]


def case_study(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    n = figures(rng)
    glance = [
        ["Hours saved a month", "Payback", "Three-year return"],
        [str(n["hours_saved"]), f"{n['payback_months']} months", f"{n['three_year_roi']}%"],
    ]
    flow = [
        *_header(asset, asset.summary),
        _table(glance),
        Paragraph("The challenge", H2),
        *[Paragraph(p, BODY) for p in points(rng, PAINS, 2)],
        Paragraph("What they did", H2),
        *[Paragraph(f"{i + 1}. {step}.", BODY) for i, step in enumerate(STEPS)],
        PageBreak(),
        Paragraph("Results", H2),
        Paragraph(f"Reports delivered on time per quarter, after moving to {words['product']}:", BODY),
        _bars(n["quarters"], ["Q1", "Q2", "Q3", "Q4"]),
        Spacer(1, 12),
        Paragraph(customer_quote(words, rng), QUOTE),
        Paragraph(f"About {words['customer']}", H2),
        Paragraph(
            f"{words['customer']} is a {words['industry'].lower()} company with {n['teams']} teams.", BODY
        ),
    ]
    return _document(asset, flow, words)


def one_pager(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    n = figures(rng)
    flow = [
        *_header(asset, asset.summary),
        Paragraph("Three numbers that matter", H2),
        _table(
            [
                ["Hours back a month", "Forecast accuracy", "Payback"],
                [str(n["hours_saved"]), f"±{n['accuracy']}%", f"{n['payback_months']} months"],
            ]
        ),
        Paragraph("What changes", H2),
        *[Paragraph(f"• {o}", BODY) for o in points(rng, OUTCOMES)],
        Paragraph("Next step", H2),
        Paragraph("A 45-minute discovery workshop with your analytics lead.", BODY),
    ]
    return _document(asset, flow, words)


def roi_worksheet(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    people, hours, rate = rng.randint(6, 40), rng.randint(4, 12), rng.randint(55, 110)
    saving = people * hours * rate * 46
    cost = saving // rng.randint(3, 6)
    cumulative = [round(saving / 12 * m - cost - cost / 36 * m) for m in range(1, 37)]
    payback = next((m for m, v in enumerate(cumulative, start=1) if v >= 0), 36)
    flow = [
        *_header(asset, "Fill in the buyer's numbers with them; the worksheet shows payback and return."),
        Paragraph("Inputs", H2),
        _table(
            [
                ["Input", "Value"],
                ["Analysts on reporting", str(people)],
                ["Hours a week each", str(hours)],
                ["Loaded hourly cost", f"${rate}"],
                ["First-year cost", f"${cost:,}"],
            ]
        ),
        Paragraph("Results", H2),
        _table(
            [
                ["Result", "Value"],
                ["Yearly saving", f"${saving:,}"],
                ["Payback", f"month {payback}"],
                ["Three-year return", f"{round(100 * (3 * saving - cost * 2) / (cost * 2))}%"],
            ]
        ),
        PageBreak(),
        Paragraph("Cumulative return over 36 months", H2),
        _line(cumulative),
        Paragraph("Assumptions: 46 working weeks a year; saving reached in full from month one.", BODY),
    ]
    return _document(asset, flow, words)


def whitepaper(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    n = figures(rng)
    flow = [*_header(asset, asset.summary), Paragraph("Executive summary", H2)]
    flow += [Paragraph(p, BODY) for p in points(rng, PAINS, 3)]
    flow += [PageBreak(), Paragraph("Where the time goes", H2)]
    flow += [_bars([rng.randint(10, 40) for _ in range(4)], ["Collect", "Clean", "Reconcile", "Explain"])]
    flow += [Paragraph("Share of an analyst's week, by task.", BODY), Paragraph("What leaders do", H2)]
    flow += [Paragraph(f"• {o}", BODY) for o in OUTCOMES]
    flow += [PageBreak(), Paragraph("Method", H2)]
    flow += [
        Paragraph(
            f"We surveyed {n['hours_saved']} {words['industry'].lower()} firms in {words['year']}.", BODY
        )
    ]
    flow += [
        _table(
            [
                ["Firm size", "Respondents"],
                ["Under 500", str(rng.randint(40, 90))],
                ["500–5,000", str(rng.randint(40, 90))],
                ["Over 5,000", str(rng.randint(20, 60))],
            ]
        )
    ]
    return _document(asset, flow, words)


def faq(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    answers = [
        ("Where is our data stored?", "In the region you choose (EU or US), encrypted at rest with AES-256."),
        ("Do you hold SOC 2 Type II?", "Yes, renewed every year; the report is available under NDA."),
        ("How do users sign in?", "Single sign-on with SAML or OpenID Connect; SCIM for provisioning."),
        ("Who can see what?", "Roles per workspace, row-level rules per region, every access logged."),
        ("How are backups handled?", "Hourly snapshots kept 35 days, restore tested every quarter."),
        ("What happens when we leave?", "A full export in open formats, then deletion within 30 days."),
    ]
    flow = [*_header(asset, asset.summary)]
    for n, (question, answer) in enumerate(answers):
        flow += [Paragraph(question, H2), Paragraph(answer, BODY)]
        if n == 2:
            flow.append(PageBreak())
    return _document(asset, flow, words)


def battlecard(asset: Asset, *, words: dict, rng: random.Random) -> bytes:
    product = words["product"]
    flow = [
        *_header(asset, "Internal only: for the sales team, never for buyers."),
        Paragraph("Where we win", H2),
        _table(
            [
                ["", product, "The incumbent"],
                ["Time to first report", "Days", "Months"],
                ["Definitions shared across regions", "Yes", "Per team"],
                ["Pricing", "Per workspace", "Per seat"],
            ]
        ),
        Paragraph("Questions that expose the difference", H2),
        *[
            Paragraph(f"• How long does it take to {q}?", BODY)
            for q in ("add a source", "change a definition")
        ],
        PageBreak(),
        Paragraph("Objections", H2),
        Paragraph("“We already own it.” Ask what the last change request cost and how long it took.", BODY),
        Paragraph("Landmines to avoid", H2),
        Paragraph("Do not promise connectors that are on the roadmap.", BODY),
    ]
    return _document(asset, flow, words)


PDF_MAKERS = {
    AssetKind.CASE_STUDY: case_study,
    AssetKind.ONE_PAGER: one_pager,
    AssetKind.ROI_CALCULATOR: roi_worksheet,
    AssetKind.WHITEPAPER: whitepaper,
    AssetKind.FAQ: faq,
    AssetKind.BATTLECARD: battlecard,
}
