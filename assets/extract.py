"""Plain text out of uploaded files (PDF, DOCX, PPTX, TXT, HTML), for search.

A file that cannot be read gives empty text and a log line: a broken upload must not break the
catalogue, it only cannot be found by its content.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import PurePath
from typing import IO

from django.utils.html import strip_tags

log = logging.getLogger(__name__)
MAX_CHARS = 500_000  # enough for any sales asset; keeps one odd file from bloating the index


def _pdf(stream: IO[bytes]) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(stream).pages)


def _docx(stream: IO[bytes]) -> str:
    from docx import Document

    document = Document(stream)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _pptx(stream: IO[bytes]) -> str:
    from pptx import Presentation

    parts = []
    for slide in Presentation(stream).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def _text(stream: IO[bytes]) -> str:
    return stream.read().decode("utf-8", errors="replace")


def _html(stream: IO[bytes]) -> str:
    raw = _text(stream)
    raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
    return html.unescape(strip_tags(raw))


READERS = {
    ".pdf": _pdf,
    ".docx": _docx,
    ".pptx": _pptx,
    ".txt": _text,
    ".md": _text,
    ".csv": _text,
    ".html": _html,
    ".htm": _html,
}


def extract_text(stream: IO[bytes], filename: str) -> str:
    reader = READERS.get(PurePath(filename).suffix.lower())
    if reader is None:
        return ""
    try:
        text = reader(stream)
    except Exception:  # any parser failure on a user's file means "no text", never a crash
        log.warning("Could not read text from %s", filename, exc_info=True)
        return ""
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()[:MAX_CHARS]
