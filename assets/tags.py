"""How industries and products are typed as text (admin, studio): separated by commas, never by
spaces, so "Insight Edge" is one product. A name holding a comma is written in double quotes."""

from __future__ import annotations

import csv


def tags_from_string(text: str) -> list[str]:
    names = next(csv.reader([text or ""], skipinitialspace=True), [])
    return sorted({" ".join(name.split()) for name in names if name.strip()})


def string_from_tags(tags) -> str:
    names = sorted(tag.name for tag in tags)
    return ", ".join(f'"{name}"' if "," in name else name for name in names)
