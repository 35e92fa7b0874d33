"""The demo's collateral, made at seed time so every preview, share link and room shows real pages:
PDFs (case studies, one-pagers, ROI worksheets, whitepapers, FAQs, battlecards; reportlab), PowerPoint
decks (python-pptx) and Markdown for email templates and demo scripts (rendered by the product, never
shown raw). Each file comes from the asset's own seeded generator, so it is the same on every machine."""

from __future__ import annotations

import random

from django.core.files.base import ContentFile

from assets.choices import AssetKind
from assets.models import Asset
from enablement.demo.collateral.decks import deck_pptx
from enablement.demo.collateral.pdfs import PDF_MAKERS
from enablement.demo.collateral.words import markdown_text


def collateral_file(asset: Asset, *, words: dict, rng: random.Random) -> ContentFile | None:
    """The file of the asset's first version, or None for a kind hosted elsewhere (video)."""
    if asset.kind == AssetKind.VIDEO:
        return None
    if asset.kind == AssetKind.DECK:
        return ContentFile(deck_pptx(asset, words=words, rng=rng), name=f"{asset.slug}.pptx")
    maker = PDF_MAKERS.get(asset.kind)
    if maker is not None:
        return ContentFile(maker(asset, words=words, rng=rng), name=f"{asset.slug}.pdf")
    return ContentFile(markdown_text(asset, words=words, rng=rng).encode(), name=f"{asset.slug}.md")
