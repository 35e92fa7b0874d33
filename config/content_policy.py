"""The Content Security Policy (django-csp) every page is sent with (read by config/settings.py).

Scripts, styles, frames and connections from this origin only, no inline script or style (base.html
turns off htmx's injected indicator style). A response that carries its own policy keeps it:
django-csp never overwrites the header, so asset files keep their `sandbox` (assets/files.py).
"""

from __future__ import annotations

from csp.constants import SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the favicon and Swagger UI's icons are data: URLs
        "object-src": [SELF],  # PDF previews are <object>s of the asset's own file view
        "frame-ancestors": [SELF],  # file views are framed by the asset and buyer pages
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
