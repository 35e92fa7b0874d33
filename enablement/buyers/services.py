"""Writes of the buyer profile, the buying committee and qualification; each keeps deals' fit current."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assets.choices import StageOutcome
from assets.models import BuyerRole, FunnelStage
from config.audit.services import audit_record
from enablement import webhook_events
from enablement.buyers import events
from enablement.buyers.fit import DealFacts, ProfileTerms, band_range, deal_fit
from enablement.buyers.models import (
    FOUR_AS,
    BuyerProfile,
    DealRole,
    ProfileRole,
    ProfileStatus,
    Qualification,
    RoleSource,
)
from enablement.buyers.selectors import roles_in_room
from enablement.deals.models import Deal

FIT_BATCH = 2000


def current_profile() -> BuyerProfile | None:
    """The approved profile, if any."""
    return BuyerProfile.objects.filter(status=ProfileStatus.APPROVED).first()


def _clean_list(values: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for v in values:
        v = " ".join(str(v).split())
        if v and v.lower() not in seen:
            seen.add(v.lower())
            out.append(v[:120])
    return out


@transaction.atomic
def profile_propose(
    *,
    by: AbstractBaseUser,
    summary: str,
    industries: Iterable[str] = (),
    size_bands: Iterable[str] = (),
    regions: Iterable[str] = (),
    roles_by_stage: dict[FunnelStage, Iterable[BuyerRole]] | None = None,
    fit_threshold: int = 7,
) -> BuyerProfile:
    """A new version, proposed by `by` (Marketing); it counts only once an admin approves it."""
    bands = _clean_list(size_bands)
    bad = [b for b in bands if band_range(b) is None]
    if bad:
        raise ValidationError({"size_bands": f"Not a size band: {', '.join(bad)} (use 51-200 or 5001+)."})
    if not 1 <= int(fit_threshold) <= 10:
        raise ValidationError({"fit_threshold": "The threshold is a whole number from 1 to 10."})
    if not summary.strip():
        raise ValidationError({"summary": "Say who we sell to in a sentence or two."})
    last = BuyerProfile.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    profile = BuyerProfile.objects.create(
        version=last + 1,
        summary=summary.strip(),
        industries=_clean_list(industries),
        size_bands=bands,
        regions=_clean_list(regions),
        fit_threshold=int(fit_threshold),
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    ProfileRole.objects.bulk_create(
        ProfileRole(profile=profile, stage=stage, role=role)
        for stage, roles in (roles_by_stage or {}).items()
        for role in set(roles)
    )
    audit_record(event="profile.proposed", target=profile, by=by, data={"version": profile.version})
    return profile


def _decide(profile: BuyerProfile, by: AbstractBaseUser, note: str, status: str) -> None:
    if profile.status != ProfileStatus.PROPOSED:
        raise ValidationError(
            f"Version {profile.version} is {profile.get_status_display().lower()}, not proposed."
        )
    profile.status, profile.decided_by, profile.decided_at = status, by, timezone.now()
    profile.decision_note = note.strip()
    profile.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        event=f"profile.{status}",
        target=profile,
        by=by,
        changes={"status": (ProfileStatus.PROPOSED, status)},
        data={"version": profile.version, "note": profile.decision_note},
    )


def self_approval_refusal(*, profile: BuyerProfile, by: AbstractBaseUser) -> str | None:
    """Why `by` may not approve `profile`: a second person approves what one proposed, unless
    PROFILE_SELF_APPROVAL allows it (a team of one). Rejecting one's own proposal is always allowed."""
    if profile.proposed_by_id is None or profile.proposed_by_id != by.pk or settings.PROFILE_SELF_APPROVAL:
        return None
    return (
        f"You proposed version {profile.version}, so another admin approves it "
        "(a team of one can allow this with PROFILE_SELF_APPROVAL=true)."
    )


@transaction.atomic
def profile_approve(
    *, profile: BuyerProfile, by: AbstractBaseUser, note: str = "", rescore: bool = True
) -> BuyerProfile:
    """Make `profile` the current one; the one approved before is superseded. Every deal is re-scored
    (`rescore=False`: the caller scores them itself — the demo seeder, inside its transaction)."""
    profile = BuyerProfile.objects.select_for_update().get(pk=profile.pk)
    if problem := self_approval_refusal(profile=profile, by=by):
        raise ValidationError(problem)
    BuyerProfile.objects.filter(status=ProfileStatus.APPROVED).update(status=ProfileStatus.SUPERSEDED)
    _decide(profile, by, note, ProfileStatus.APPROVED)
    webhook_events.profile_approved(profile)
    # Every deal is scored again, then the analytics run again, after the commit (a worker's job:
    # on a large CRM it takes a while, and the admin's answer should not wait for it).
    if rescore:
        events.profile_approved.send(sender=BuyerProfile, profile=profile)
    return profile


@transaction.atomic
def profile_reject(*, profile: BuyerProfile, by: AbstractBaseUser, note: str = "") -> BuyerProfile:
    profile = BuyerProfile.objects.select_for_update().get(pk=profile.pk)
    _decide(profile, by, note, ProfileStatus.REJECTED)
    return profile


def profile_terms(profile: BuyerProfile) -> ProfileTerms:
    expected = tuple(
        ProfileRole.objects.filter(profile=profile)
        .order_by("stage__order", "role__name")
        .values_list("stage__order", "stage__name", "role_id", "role__name")
    )
    return ProfileTerms(
        industries=tuple(profile.industries),
        size_bands=tuple(profile.size_bands),
        regions=tuple(profile.regions),
        threshold=profile.fit_threshold,
        expected=expected,
    )


def fit_follows_deals(*, deal_ids: Iterable[int], **kwargs) -> None:
    """deals.events.fit_facts_changed: those deals are scored again at once."""
    deals_fit_refresh(deal_ids)


def deals_fit_refresh(deal_ids: Iterable[int] | None = None) -> int:
    """Score `deal_ids` (all deals when None) against the approved profile; without one, clear the
    scores; returns how many deals were scored or cleared. Reads and writes FIT_BATCH deals at a
    time (a statement never names more ids than that), so memory stays flat in the number of deals."""
    profile = current_profile()
    if deal_ids is None:
        ids = list(Deal.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(deal_ids))
    if profile is not None:
        terms = profile_terms(profile)
        role_names = dict(BuyerRole.objects.values_list("pk", "name"))
    done = 0
    for start in range(0, len(ids), FIT_BATCH):
        chunk = ids[start : start + FIT_BATCH]
        if profile is None:
            done += (
                Deal.objects.filter(pk__in=chunk)
                .exclude(fit_score=None)
                .update(fit_score=None, in_profile=None, fit_reasons=None)
            )
        else:
            done += _score_batch(chunk, terms, role_names)
    return done


def _score_batch(ids: list[int], terms: ProfileTerms, role_names: dict[int, str]) -> int:
    roles = roles_in_room(ids)
    batch = list(
        Deal.objects.filter(pk__in=ids)
        .select_related("account", "current_stage")
        .only(
            "pk",
            "account__industry",
            "account__size",
            "account__region",
            "current_stage__order",
            "current_stage__name",
            "current_stage__outcome",
        )
    )
    for deal in batch:
        account, stage = deal.account, deal.current_stage
        is_open = stage is not None and stage.outcome == StageOutcome.OPEN
        # Closed: every role the profile lists was due; no history yet: none is.
        order = stage.order if is_open else (-1 if stage is None else None)
        facts = DealFacts(
            industry=account.industry if account else "",
            size=account.size if account else "",
            region=account.region if account else "",
            stage_order=order,
            stage_name=stage.name if is_open else "",
            roles=roles.get(deal.pk, set()),
        )
        deal.fit_score, deal.fit_reasons = deal_fit(terms, facts, role_names)
        deal.in_profile = deal.fit_score >= terms.threshold
    Deal.objects.bulk_update(batch, ["fit_score", "in_profile", "fit_reasons"])
    return len(batch)


def committee_member_key(*, role: BuyerRole, contact: str) -> tuple[str, str]:
    """The contact as stored (spaces collapsed) and the member's natural key `role-slug|contact`, by
    which a second add of the same person in the same role, or a re-import of it, finds the first.
    The key is cut to fit its column (a slug and 255 characters of name would not)."""
    contact = " ".join(contact.split())[:255]
    return contact, f"{role.slug}|{contact.lower()}"[: DealRole._meta.get_field("external_id").max_length]


@transaction.atomic
def deal_role_add(
    *,
    deal: Deal,
    role: BuyerRole,
    contact: str = "",
    by: AbstractBaseUser | None = None,
    source: str = RoleSource.PORTAL,
) -> tuple[DealRole, bool]:
    """Put `role` (and the contact, where given) on the deal's buying committee; re-score its fit."""
    contact, key = committee_member_key(role=role, contact=contact)
    member, created = DealRole.objects.get_or_create(
        deal=deal,
        external_id=key,
        defaults={"role": role, "contact": contact, "source": source, "added_by": by},
    )
    if created:
        deals_fit_refresh([deal.pk])
    return member, created


@transaction.atomic
def deal_role_remove(*, member: DealRole) -> None:
    deal_id = member.deal_id
    member.delete()
    deals_fit_refresh([deal_id])


def qualification_set(*, deal: Deal, by: AbstractBaseUser | None, **ratings: int | None) -> Qualification:
    """Set the 4 As (and/or the CRM score) of a deal; each 0–10 or None to clear it."""
    unknown = set(ratings) - {*FOUR_AS, "crm_score"}
    if unknown:
        raise ValidationError(f"Unknown rating(s): {', '.join(sorted(unknown))}.")
    errors = {
        k: "A rating is a number from 0 to 10."
        for k, v in ratings.items()
        if v is not None and not 0 <= v <= 10
    }
    if errors:
        raise ValidationError(errors)
    qualification, _ = Qualification.objects.update_or_create(
        deal=deal, defaults={**ratings, "updated_by": by}
    )
    return qualification
