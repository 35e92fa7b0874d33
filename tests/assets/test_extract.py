"""Text is read out of every supported file type, and a broken file gives no text, not an error."""

from __future__ import annotations

import io

import pytest

from assets.extract import extract_text
from tests.files import docx_with_text, pdf_with_text, pptx_with_text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("brief.pdf", pdf_with_text("Zanzibar freight savings"), "Zanzibar freight savings"),
        ("brief.docx", docx_with_text("Quarterly uplift story", "Table cell fact"), "Table cell fact"),
        ("deck.pptx", pptx_with_text("Onboarding in ten days", "Speaker notes on pricing"), "Speaker notes"),
        ("notes.txt", "Plain words, accents café".encode(), "accents café"),
        (
            "page.HTML",
            b"<html><style>p{}</style><p>Fish &amp; chips</p><script>evil()</script></html>",
            "Fish & chips",
        ),
    ],
)
def test_text_is_read_from_each_supported_type(name, content, expected):
    text = extract_text(io.BytesIO(content), name)
    assert expected in text
    assert "evil()" not in text and "p{}" not in text


def test_docx_paragraphs_are_read_too():
    assert "Quarterly uplift story" in extract_text(
        io.BytesIO(docx_with_text("Quarterly uplift story", "x")), "a.docx"
    )


def test_a_corrupt_file_gives_no_text_and_does_not_raise():
    assert extract_text(io.BytesIO(b"%PDF-1.4 this is not really a pdf"), "broken.pdf") == ""
    assert extract_text(io.BytesIO(b"PK\x03\x04 not a zip"), "broken.docx") == ""


def test_unknown_types_give_no_text():
    assert extract_text(io.BytesIO(b"\x00\x01binary"), "video.mov") == ""
