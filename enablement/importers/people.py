"""enablement.people for the importers: an address it refuses is a bad row of the file."""

from __future__ import annotations

from django.contrib.auth.models import User

from enablement import people
from enablement.importers.base import RowInvalid


class People(people.People):
    def by_email(self, email: str, *, first_name: str = "", last_name: str = "") -> User:
        try:
            return super().by_email(email, first_name=first_name, last_name=last_name)
        except people.AddressRefused as exc:
            raise RowInvalid(str(exc)) from None
