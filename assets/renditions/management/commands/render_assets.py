from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from assets.renditions.services import rendition_render, versions_to_render


class Command(BaseCommand):
    help = (
        "Make the renditions (viewable PDF, page count, thumbnail) of stored versions now, one at a "
        "time; --missing: only versions that have none yet (stored before renditions existed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missing", action="store_true", help="only versions without a rendition yet")

    def handle(self, *args, **options) -> None:
        versions = list(versions_to_render(missing=options["missing"]).values_list("pk", flat=True))
        counts: dict[str, int] = {}
        for n, version_id in enumerate(versions, start=1):
            rendition = rendition_render(version_id=version_id)
            counts[rendition.status] = counts.get(rendition.status, 0) + 1
            line = f"[{n}/{len(versions)}] {rendition.version}: {rendition.get_status_display()}"
            if rendition.error:
                line += f" ({rendition.error})"
            self.stdout.write(line)
        summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "nothing to do"
        self.stdout.write(self.style.SUCCESS(f"Renditions: {summary}."))
