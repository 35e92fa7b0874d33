"""Request bodies sent in chunks (`Transfer-Encoding: chunked`, no `Content-Length`), as many HTTP
clients stream a JSON body. gunicorn decodes the chunks and says so (`wsgi.input_terminated`), but
Django reads a body only as far as `CONTENT_LENGTH` says: without one it read nothing, and a batch of
usage events arrived as an empty request ("Send between 1 and 1000 events."). This WSGI wrapper
reads such a body first, up to the largest body the site takes, and gives Django its length; a
longer one is refused with 413 before Django runs.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable

from django.conf import settings

CHUNK = 64 * 1024

# The most files one portal form takes, each up to UPLOAD_MAX_MB: the import form's file, stage map and
# role map (the admin's ImportRunForm, enablement.importers.forms).
FILES_PER_FORM = 3

# Transfer codings that change nothing in the body gunicorn hands over (it decodes chunked only).
PLAIN_CODINGS = frozenset({"chunked", "identity", ""})


def body_limit(path: str) -> int:
    """The largest body a request to `path` may carry: the API takes no uploads, so
    DATA_UPLOAD_MAX_MEMORY_SIZE (as config.input_hygiene); elsewhere a form's fields and its files of
    up to UPLOAD_MAX_MB each, as Django takes them with a Content-Length. DATA_UPLOAD_MAX_MEMORY_SIZE =
    None (Django: no limit) counts as much as the files: a spooled body needs a bound."""
    files = FILES_PER_FORM * settings.UPLOAD_MAX_MB * 1024 * 1024
    data = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if data is None:
        data = files
    if path.startswith("/api/"):
        return data
    return files + data


class ChunkedBodies:
    """Wraps the WSGI application (config.wsgi)."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        codings = {c.strip(" \t").lower() for c in environ.get("HTTP_TRANSFER_ENCODING", "").split(",")}
        chunked = "chunked" in codings
        if not chunked or environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
            return self.application(environ, start_response)
        if not codings <= PLAIN_CODINGS:
            # `gzip, chunked`: gunicorn takes it and hands over the body still compressed.
            detail = "Transfer-Encoding other than chunked is not supported; send the body uncompressed."
            return _refused(environ, start_response, "501 Not Implemented", detail)
        limit = body_limit(environ.get("PATH_INFO", ""))
        # In memory up to the size Django keeps uploads in memory, on disk beyond (where Django puts
        # uploads). Closed with the response: the request that reads it is collected only with its
        # reference cycles (request.user), which could keep many bodies and their files open.
        body = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        try:
            size = _copied(environ["wsgi.input"], body, limit + 1)
            if size > limit:
                body.close()
                detail = f"The request body is larger than {limit:,} bytes, the most this site accepts."
                return _refused(environ, start_response, "413 Request Entity Too Large", detail)
            body.seek(0)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = body, str(size)
            return _closing(self.application(environ, start_response), body)
        except BaseException:
            body.close()
            raise


def _copied(source, target, most: int) -> int:
    """Copy at most `most` bytes; the number copied."""
    size = 0
    while size < most and (block := source.read(min(CHUNK, most - size))):
        target.write(block)
        size += len(block)
    return size


def _closing(reply: Iterable[bytes], body) -> Iterable[bytes]:
    """The application's reply, whose close() (the server calls it once the response is sent, PEP 3333)
    closes the body too. Set on the reply itself, as gunicorn's FileWrapper does: a server knows its
    wsgi.file_wrapper by its type."""
    inner = getattr(reply, "close", None)

    def close() -> None:
        try:
            if inner is not None:
                inner()
        finally:
            body.close()

    try:
        reply.close = close  # type: ignore[attr-defined]
    except AttributeError:  # a list or a generator
        return _Closing(reply, close)
    return reply


class _Closing:
    def __init__(self, reply: Iterable[bytes], close: Callable[[], None]) -> None:
        self.reply, self.close = reply, close

    def __iter__(self):
        return iter(self.reply)


def _refused(environ: dict, start_response: Callable, status: str, detail: str) -> list[bytes]:
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body, kind = json.dumps({"detail": detail}).encode(), "application/json"
    else:
        body, kind = detail.encode(), "text/plain; charset=utf-8"
    headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]
