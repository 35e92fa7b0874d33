"""Office files (DOCX, PPTX, XLSX, ODT, ODP, ODS) to PDF with LibreOffice, headless.

LibreOffice keeps state in a user profile and misbehaves when two conversions share one, and a
damaged file can make it hang. So each run gets a temporary directory with its own profile, runs
in a process group of its own that is killed whole after RENDITION_TIMEOUT seconds (soffice is a
shell script that starts soffice.bin; killing only the script would leave the converter running),
and one conversion runs at a time per worker (a file lock: a prefork worker's processes and a
threaded pool's threads all take turns).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from assets.renditions.failures import RenditionFailed

OFFICE_EXTENSIONS = {
    ".docx": "Word document",
    ".pptx": "PowerPoint deck",
    ".xlsx": "Excel workbook",
    ".odt": "OpenDocument text",
    ".odp": "OpenDocument presentation",
    ".ods": "OpenDocument spreadsheet",
}
# The part every such file holds: OOXML files list their parts, OpenDocument files name their type.
_MARKER = {".odt": "mimetype", ".odp": "mimetype", ".ods": "mimetype"}
LOCK_NAME = "enablement-office-conversion.lock"


def office_binary() -> str | None:
    """The soffice to run (the LIBREOFFICE setting, a name on PATH or a path), or None when absent."""
    name = settings.LIBREOFFICE
    if not name:
        return None
    return shutil.which(name)


def container_check(path: Path) -> None:
    """Refuse a file that is not the zip container its extension promises, before LibreOffice reads
    it: given garbage, LibreOffice would happily import it as plain text and render nonsense pages."""
    suffix = path.suffix.lower()
    what = OFFICE_EXTENSIONS[suffix]
    marker = _MARKER.get(suffix, "[Content_Types].xml")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RenditionFailed(f"The file is not a readable {what} (it may be damaged).") from None
    if marker not in names:
        raise RenditionFailed(f"The file is not a readable {what} (it may be damaged).")


@contextmanager
def one_at_a_time() -> Iterator[None]:
    lock_path = Path(tempfile.gettempdir()) / LOCK_NAME
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def office_to_pdf(source: Path, workdir: Path) -> Path:
    """Convert `source` to a PDF inside `workdir`; returns its path or raises RenditionFailed."""
    container_check(source)
    binary = office_binary()
    if binary is None:
        raise RenditionFailed(
            "LibreOffice is not installed on the server, so this file is shown as text "
            "(see the manual: Operations, Renditions, to add it)."
        )
    timeout = settings.RENDITION_TIMEOUT
    outdir = workdir / "out"
    profile = workdir / "profile"
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(source),
    ]
    env = {**os.environ, "HOME": str(workdir), "TMPDIR": str(workdir)}
    with one_at_a_time():
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=env,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise RenditionFailed(
                f"Converting took longer than {timeout:g} seconds (RENDITION_TIMEOUT) and was stopped."
            ) from None
        finally:
            _kill_group(process)  # anything the converter left running in its group
    result = outdir / f"{source.stem}.pdf"
    if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
        tail = (output or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RenditionFailed(f"LibreOffice could not convert the file ({tail[0][:200]}).")
    return result


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
