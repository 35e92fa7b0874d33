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
    related = {
        "r": list(asset.buyer_roles.all()),
        "s": list(asset.stages.all()),
        "i": list(asset.industries.all()),
        "p": list(asset.products.all()),
    }
    tags = " ".join([asset.get_kind_display()] + [o.name for objects in related.values() for o in objects])
    file_text = asset.current_version.text if asset.current_version_id else ""
    parts = {"A": asset.title, "B": f"{asset.summary} {tags}", "C": asset.guidance, "D": file_text}
    values: dict = {
        "search_document": "\n".join(p for p in parts.values() if p),
        "facet_keys": " ".join(f"{key}{o.pk}" for key, objects in related.items() for o in objects),
    }
    if is_postgres():
        vector = None
        for weight, text in parts.items():
            part = SearchVector(Value(text, output_field=TextField()), weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
        values["search_vector"] = vector
    Asset.objects.filter(pk=asset.pk).update(**values)
