from __future__ import annotations


class RenditionFailed(Exception):
    """A version cannot be made viewable; the message is the reason shown to marketing."""
