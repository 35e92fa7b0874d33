"""Every write to renditions: queued with each new version, made by the task, made again on demand."""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from assets.choices import RenditionStatus
from assets.files import suffix_of
from assets.models import AssetVersion
from assets.renditions.failures import RenditionFailed
from assets.renditions.markdown import markdown_html, markdown_pdf
from assets.renditions.models import Rendition
from assets.renditions.office import OFFICE_EXTENSIONS, office_to_pdf
from assets.renditions.pages import PageFacts, image_facts, pdf_facts

log = logging.getLogger(__name__)
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
UNEXPECTED = "The file could not be processed (an unexpected error, logged on the server)."
STOPPED = (
    "Rendering stopped before it finished (its worker ended); the pages show the file's text. "
    "Render it again from the admin."
)


def rendition_kind(name: str) -> str:
    """ "pdf", "office", "markdown", "image", or "" for a format shown as it is (text, video)."""
    suffix = suffix_of(name)
    if suffix == ".pdf":
        return "pdf"
    if suffix in OFFICE_EXTENSIONS:
        return "office"
    if suffix == ".md":
        return "markdown"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    return ""


def versions_to_render(*, missing: bool = False) -> QuerySet[AssetVersion]:
    """Every version, or with `missing` those without a rendition yet (stored before renditions, or
    whose task never ran), in upload order."""
    versions = AssetVersion.objects.select_related("asset").order_by("pk")
    return versions.filter(rendition__isnull=True) if missing else versions


def rendition_render(*, version_id: int) -> Rendition:
    """Make the version's rendition now: the task's work, also `render_assets`'. A failure is recorded
    with its reason (the pages then show the file's text); it is never raised."""
    version = AssetVersion.objects.select_related("asset").get(pk=version_id)
    rendition, _ = Rendition.objects.get_or_create(version=version)
    kind = rendition_kind(version.file.name)
    if not kind:
        return _finish(rendition, status=RenditionStatus.NONE)
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.RENDERING, error="", started_at=timezone.now(), finished_at=None
    )
    try:
        with tempfile.TemporaryDirectory(prefix="rendition-") as tmp:
            made = _made(version, kind, Path(tmp))
    except RenditionFailed as exc:
        return _finish(rendition, status=RenditionStatus.FAILED, error=str(exc))
    except Exception:  # a user's file must never take the worker down; the reason is logged
        log.exception("Rendition of version %s failed", version_id)
        return _finish(rendition, status=RenditionStatus.FAILED, error=UNEXPECTED)
    return _finish(rendition, status=RenditionStatus.READY, **made)


def renditions_sweep(*, now=None) -> int:
    """End renditions left *rendering* by a worker that died (killed, out of memory, restarted):
    a conversion is stopped after RENDITION_TIMEOUT seconds, so one still rendering well past that
    has no process behind it. Marked failed with the reason, not queued again, so a file that kills
    its worker cannot do it in a loop. Returns how many were ended."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=2 * settings.RENDITION_TIMEOUT + 60)
    return Rendition.objects.filter(status=RenditionStatus.RENDERING, started_at__lt=cutoff).update(
        status=RenditionStatus.FAILED, error=STOPPED, finished_at=now
    )


def _made(version: AssetVersion, kind: str, workdir: Path) -> dict:
    """The rendition's files and facts, made in `workdir` from a local copy of the upload."""
    source = workdir / f"source{suffix_of(version.file.name)}"
    with version.file.open("rb") as stored, open(source, "wb") as local:
        shutil.copyfileobj(stored, local)
    stem = Path(version.file.name).stem or "document"
    if kind == "image":
        return _facts(image_facts(source), pdf=None, stem=stem)
    if kind == "pdf":
        return _facts(pdf_facts(source), pdf=None, stem=stem)
    if kind == "office":
        converted = office_to_pdf(source, workdir)
        return _facts(pdf_facts(converted), pdf=converted.read_bytes(), stem=stem)
    text = source.read_bytes().decode("utf-8", errors="replace")
    html = markdown_html(text)
    try:
        pdf = markdown_pdf(text, title=version.asset.title)
    except Exception:  # the HTML stands on its own; a PDF is made only where the Markdown is simple
        log.warning("No PDF of the Markdown of version %s", version.pk, exc_info=True)
        return {"html": html}
    pdf_path = workdir / "markdown.pdf"
    pdf_path.write_bytes(pdf)
    return {**_facts(pdf_facts(pdf_path), pdf=pdf, stem=stem), "html": html}


def _facts(facts: PageFacts, *, pdf: bytes | None, stem: str) -> dict:
    made = {"page_count": facts.page_count, "thumbnail": ContentFile(facts.thumbnail, name="thumbnail.webp")}
    if pdf is not None:
        made["pdf"] = ContentFile(pdf, name=f"{stem}.pdf")
    return made


@transaction.atomic
def _finish(rendition: Rendition, *, status: str, error: str = "", **made) -> Rendition:
    rendition = Rendition.objects.select_for_update().get(pk=rendition.pk)
    for field in ("pdf", "thumbnail"):
        old = getattr(rendition, field)
        if old.name:
            old.storage.delete(old.name)
        setattr(rendition, field, None)
        if made.get(field) is not None:
            getattr(rendition, field).save(made[field].name, made[field], save=False)
    rendition.status = status
    rendition.error = error[:500]
    rendition.html = made.get("html", "")
    rendition.page_count = made.get("page_count")
    rendition.finished_at = timezone.now()
    rendition.save()
    return rendition
