"""User provisioning, one rule for every path that names a person (imports, the API): deal owners and
reps found by email or CRM user name; unknown ones become active Reps with no usable password."""

from __future__ import annotations

from hashlib import sha1

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from assets.choices import Role


class AddressRefused(ValueError):
    """The text given for a person is not an email address that can name one; the message says why."""


class People:
    """Finds deal owners and reps; unknown ones become active Reps with no usable password."""

    def __init__(self) -> None:
        self._cache: dict[str, User] = {}
        self._given: dict[str, User] = {}  # by the address as written, so it is checked once
        self._reps = Group.objects.get(name=Role.REPS)

    def by_email(self, email: str, *, first_name: str = "", last_name: str = "") -> User:
        if email in self._given:  # a file names its few reps again and again
            return self._given[email]
        given, email = email, email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise AddressRefused(f"{email!r} is not an email address.") from None
        if len(email) > User._meta.get_field("email").max_length:
            raise AddressRefused(f"{email!r} is longer than an email address may be (254 characters).")
        if email not in self._cache:
            user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
            self._cache[email] = user or self._create(
                _username_for(email), email=email, first_name=first_name, last_name=last_name
            )
        self._given[given] = self._cache[email]
        return self._cache[email]

    def by_username(self, username: str, *, first_name: str = "", last_name: str = "") -> User:
        username = username[:150]
        if username not in self._cache:
            user = User.objects.filter(username=username).first()
            self._cache[username] = user or self._create(username, first_name=first_name, last_name=last_name)
        return self._cache[username]

    def _create(self, username: str, **fields: str) -> User:
        user = User(username=username, **fields)
        user.set_unusable_password()
        user.save()
        user.groups.add(self._reps)
        return user


def _username_for(email: str) -> str:
    """The email itself, or for one longer than a username may be, its start and a hash of the
    rest, so two long addresses that share their first 150 characters stay two users."""
    if len(email) <= 150:
        return email
    return f"{email[:141]}-{sha1(email.encode()).hexdigest()[:8]}"
