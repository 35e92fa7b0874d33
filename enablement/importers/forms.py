"""The admin's import upload form."""

from __future__ import annotations

from django import forms

from assets.files import IMPORT_UPLOAD_EXTENSIONS, STAGE_MAP_UPLOAD_EXTENSIONS
from assets.forms import restrict_upload
from enablement.importers.models import ImportRun

# The optional map files and their columns.
MAP_FILES = {"stage_map_file": "crm_stage,stage_slug", "role_map_file": "crm_role,role_slug"}


class ImportRunForm(forms.ModelForm):
    """The admin's import upload: a zip or CSV export and optional stage and role map CSVs, size-capped."""

    class Meta:
        model = ImportRun
        fields = ["format", "file", "stage_map_file", "role_map_file", "dry_run", "skip_invalid"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            restrict_upload(self.fields["file"], allowed=IMPORT_UPLOAD_EXTENSIONS)
        for name, columns in MAP_FILES.items():
            if name in self.fields:
                restrict_upload(self.fields[name], allowed=STAGE_MAP_UPLOAD_EXTENSIONS)
                self.fields[
                    name
                ].help_text = f"Optional CSV with columns {columns}; {self.fields[name].help_text}"
