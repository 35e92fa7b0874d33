"""Uploads are private: a stored file's URL points at a view that checks who may see it.

Django's admin (and anything else calling `.url` on a file field) links to `storage.url(name)`.
With the plain FileSystemStorage that is MEDIA_URL + name, which no route serves (MEDIA_ROOT is
never public), so those links were dead; here they go through `enablement.portal.views.stored_file`.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateFileStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        return reverse("stored-file", kwargs={"name": name or ""})
