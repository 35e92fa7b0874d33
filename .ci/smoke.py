"""Production smoke test: the product as deployed (gunicorn, DJANGO_DEBUG=false, collected static files).

Logs in as a rep and as marketing through the login form (CSRF token and all), opens their pages and
checks that each answers 200 with the production headers and that the stylesheet it links answers
200 as text/css. Talks plain HTTP to gunicorn but sends `X-Forwarded-Proto: https`, as the TLS proxy
of the production set-up (docs/operations.md) does; secure cookies are therefore kept by hand (a cookie jar
would not send them over http://).

    python .ci/smoke.py http://127.0.0.1:PORT
"""

from __future__ import annotations

import http.client
import re
import sys
from urllib.parse import urlencode, urlsplit

PASSWORD = "demo1234"  # seed_demo's logins
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SmokeFailure(Exception):
    pass


class Browser:
    """One person's session against the server: cookies kept, every request as if through the proxy."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{parts.hostname}:{parts.port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, proxied: bool = True):
        headers = {"Host": f"{self.host}:{self.port}"}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            }
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, text

    def page(self, path: str) -> str:
        """GET a page: 200, the security headers, and a stylesheet that answers 200 as text/css."""
        response, text = self.request("GET", path)
        if response.status != 200:
            raise SmokeFailure(f"{path} answered {response.status}")
        for header in ("Content-Security-Policy", "Strict-Transport-Security"):
            if not response.getheader(header):
                raise SmokeFailure(f"{path} has no {header} header")
        sheets = STYLESHEET.findall(text)
        if not sheets:
            raise SmokeFailure(f"{path} links no stylesheet")
        for href in sheets:
            css, _ = self.request("GET", href)
            kind = css.getheader("Content-Type") or ""
            if css.status != 200 or not kind.startswith("text/css"):
                raise SmokeFailure(f"{path}: stylesheet {href} answered {css.status} {kind!r}")
        print(f"smoke: {path} 200, stylesheet {sheets[0]} 200 text/css")
        return text

    def error_page(self, path: str, status: int, heading: str) -> None:
        """The site's own error page: the status, its policy header and heading, and the navigation."""
        response, text = self.request("GET", path)
        if response.status != status or heading not in text or 'aria-label="Main"' not in text:
            raise SmokeFailure(f"{path} answered {response.status} without the site's {status} page")
        if not response.getheader("Content-Security-Policy"):
            raise SmokeFailure(f"{path} has no Content-Security-Policy header")
        print(f"smoke: {path} {status}, the site's page with its navigation")

    def log_in(self, username: str) -> None:
        response, text = self.request("GET", "/accounts/login/")
        token = CSRF_FIELD.search(text)
        if response.status != 200 or not token:
            raise SmokeFailure(f"login page answered {response.status} without a CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
        response, _ = self.request("POST", "/accounts/login/", form)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SmokeFailure(f"logging in as {username} answered {response.status}, no session")
        print(f"smoke: logged in as {username}")


def first_link(text: str, pattern: str, where: str) -> str:
    found = re.search(rf'href="({pattern})"', text)
    if not found:
        raise SmokeFailure(f"{where} links no {pattern}")
    return found.group(1)


def smoke(base: str) -> int:
    anonymous = Browser(base)
    anonymous.page("/accounts/login/")
    response, _ = anonymous.request("GET", "/accounts/login/", proxied=False)
    if response.status != 301 or not (response.getheader("Location") or "").startswith("https://"):
        raise SmokeFailure(f"plain HTTP answered {response.status}, not a redirect to HTTPS")

    rep = Browser(base)
    rep.log_in("rep1")
    home = rep.page("/")
    search = rep.page("/assets/?q=roi")
    rep.page(first_link(search, r"/assets/[\w-]+/", "the search for roi"))
    rep.page(first_link(home, r"/deals/\d+/", "rep1's home"))
    rep.page("/deals/")
    rep.page("/shares/")
    rep.error_page("/analytics/", 403, "This page is not open to you")
    rep.error_page("/no-such-page/", 404, "There is nothing here")

    marketing = Browser(base)
    marketing.log_in("marketing")
    funnel = marketing.page("/analytics/")
    tabs = sorted(set(re.findall(r'href="(/analytics/[\w-]+/)"', funnel)))
    if len(tabs) < 5:
        raise SmokeFailure(f"the analytics page links {len(tabs)} analytics pages, not 5")
    pages = {tab: marketing.page(tab) for tab in tabs}
    marketing.page(
        first_link(pages["/analytics/assets/"], r"/analytics/assets/[\w-]+/", "asset effectiveness")
    )
    return 11 + len(tabs)


def main() -> int:
    try:
        pages = smoke(sys.argv[1].rstrip("/"))
    except (SmokeFailure, OSError) as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"smoke: {pages} pages answered as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
