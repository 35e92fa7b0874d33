"""The asset admin's form data, as the admin's change form posts it."""

from __future__ import annotations


def asset_form(**overrides) -> dict:
    data = {
        "title": "Globex case study",
        "slug": "globex-case-study",
        "kind": "case_study",
        "status": "draft",
        "audience": "external",
        "owner": "",
        "summary": "",
        "guidance": "",
        "external_url": "",
        "review_by": "",
        "industries": "",
        "products": "",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-note": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data
