"""The product's groups (Reps, Marketing, Admins) for people the identity provider manages.

SSO sign-ins and SCIM both end here, so a person's groups and staff flag follow one rule whichever
way the identity provider tells us: Marketing and Admins may use the admin (is_staff), Reps may not;
a superuser keeps the admin whatever the groups say.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from assets.choices import Role

PRODUCT_GROUPS = set(Role.values)
STAFF_GROUPS = {Role.MARKETING.value, Role.ADMINS.value}


def staff_sync(user) -> None:
    """is_staff from the product groups (the user's groups must be saved already)."""
    names = set(user.groups.values_list("name", flat=True))
    staff = user.is_superuser or bool(names & STAFF_GROUPS)
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


def product_groups_set(*, user, roles: set[str]) -> None:
    """Make `roles` the user's product groups; groups outside the product's are left alone."""
    unknown = roles - PRODUCT_GROUPS
    if unknown:
        raise ValueError(f"Not product groups: {', '.join(sorted(unknown))}.")
    current = set(user.groups.filter(name__in=PRODUCT_GROUPS).values_list("name", flat=True))
    if current != roles:
        user.groups.remove(*Group.objects.filter(name__in=current - roles))
        user.groups.add(*Group.objects.filter(name__in=roles - current))
    staff_sync(user)
