"""The admin's import upload form."""

from __future__ import annotations

from django import forms

from assets.files import IMPORT_UPLOAD_EXTENSIONS, STAGE_MAP_UPLOAD_EXTENSIONS
from assets.forms import restrict_upload
from enablement.importers.models import ImportRun


class ImportRunForm(forms.ModelForm):
    """The admin's import upload: a zip or CSV export and an optional stage map CSV, size-capped."""

    class Meta:
        model = ImportRun
        fields = ["format", "file", "stage_map_file", "dry_run", "skip_invalid"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            restrict_upload(self.fields["file"], allowed=IMPORT_UPLOAD_EXTENSIONS)
        if "stage_map_file" in self.fields:
            restrict_upload(self.fields["stage_map_file"], allowed=STAGE_MAP_UPLOAD_EXTENSIONS)
            self.fields["stage_map_file"].help_text = (
                "Optional CSV with columns crm_stage,stage_slug; " + self.fields["stage_map_file"].help_text
            )
