"""Collecting the Content Security Policy violations a page reports."""

from __future__ import annotations

# Every violation, with the page it happened on; an init script runs before any page script, on
# every document the page opens.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${location.pathname}: ${event.violatedDirective} ${event.blockedURI}`);
});
"""
