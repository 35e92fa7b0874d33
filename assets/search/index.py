"""Keeping each asset's search document (and on PostgreSQL its weighted vector) current."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value

from assets.models import Asset

CONFIG = "english"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def asset_search_refresh(asset: Asset) -> None:
    """Rebuild the asset's search document (and vector on PostgreSQL) from its fields and file."""
    tags = " ".join(
        [asset.get_kind_display()]
        + [r.name for r in asset.buyer_roles.all()]
        + [s.name for s in asset.stages.all()]
        + [t.name for t in asset.industries.all()]
        + [t.name for t in asset.products.all()]
    )
    file_text = asset.current_version.text if asset.current_version_id else ""
    parts = {"A": asset.title, "B": f"{asset.summary} {tags}", "C": asset.guidance, "D": file_text}
    values: dict = {"search_document": "\n".join(p for p in parts.values() if p)}
    if is_postgres():
        vector = None
        for weight, text in parts.items():
            part = SearchVector(Value(text, output_field=TextField()), weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
        values["search_vector"] = vector
    Asset.objects.filter(pk=asset.pk).update(**values)
