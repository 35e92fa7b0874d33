"""Every write to the catalogue goes through these functions."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from assets.audience import audience_default
from assets.choices import AssetKind, AssetStatus, Audience
from assets.files import ASSET_UPLOAD_EXTENSIONS, upload_check
from assets.models import (
    Asset,
    AssetVersion,
    BuyerRole,
    FunnelStage,
)
from assets.renditions.queue import rendition_queue
from assets.search import asset_search_refresh
from assets.version_text import extract_version_text
from config.audit.services import audit_record
from config.outbox.services import enqueue
from config.webhooks.services import webhook_emit


def asset_unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:180] or "asset"
    slug, n = base, 2
    taken = Asset.objects.exclude(pk=exclude_pk) if exclude_pk else Asset.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def asset_create(
    *,
    title: str,
    kind: str,
    owner: AbstractBaseUser | None = None,
    slug: str | None = None,
    summary: str = "",
    guidance: str = "",
    external_url: str = "",
    buyer_roles: list[BuyerRole] | None = None,
    stages: list[FunnelStage] | None = None,
    industries: list[str] | None = None,
    products: list[str] | None = None,
    review_by: date | None = None,
    audience: str | None = None,
) -> Asset:
    """Create a draft asset; publish it with asset_publish once it has content. Without an
    `audience`, competitive kinds (battlecards) start internal and the rest shareable."""
    if kind not in AssetKind.values:
        raise ValidationError({"kind": f"Unknown asset kind {kind!r}."})
    if audience is not None and audience not in Audience.values:
        raise ValidationError({"audience": f"Unknown audience {audience!r}; use internal or external."})
    asset = Asset(
        title=title,
        slug=slug or asset_unique_slug(title),
        kind=kind,
        owner=owner,
        summary=summary,
        guidance=guidance,
        external_url=external_url,
        review_by=review_by,
        audience=audience or audience_default(kind),
    )
    asset.full_clean(exclude=["current_version"])
    asset.save()
    asset.buyer_roles.set(buyer_roles or [])
    asset.stages.set(stages or [])
    asset.industries.set(industries or [])
    asset.products.set(products or [])
    asset_search_refresh(asset)
    audit_record(event="asset.created", target=asset, by=owner, data={"kind": kind, "slug": asset.slug})
    return asset


@transaction.atomic
def asset_version_add(
    *, asset: Asset, file: File, author: AbstractBaseUser | None = None, note: str = ""
) -> AssetVersion:
    """Keep a new upload as the asset's next version and make it the current one.

    Only the formats of assets.files.ASSET_UPLOAD_EXTENSIONS, up to UPLOAD_MAX_MB, are accepted, so
    the admin, the API and any later path refuse the same files with the same message.
    """
    upload_check(file, allowed=ASSET_UPLOAD_EXTENSIONS)
    # Lock the asset so two uploads at once cannot take the same number.
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    last = locked.versions.aggregate(n=Max("number"))["n"] or 0
    version = AssetVersion(asset=locked, number=last + 1, author=author, note=note)
    version.file.save(file.name.rsplit("/", 1)[-1], file, save=False)
    version.save()
    Asset.objects.filter(pk=asset.pk).update(current_version=version, updated_at=timezone.now())
    asset.current_version = version
    audit_record(
        event="asset.version_uploaded",
        target=locked,
        by=author,
        data={"version": version.number, "file": version.file.name.rsplit("/", 1)[-1], "note": note},
    )
    # After commit, so the worker sees the version; reading a large PDF must not hold up the upload.
    enqueue(extract_version_text, version.pk)
    rendition_queue(version=version)
    return version


def asset_data(asset: Asset) -> dict:
    return {
        "slug": asset.slug,
        "title": asset.title,
        "kind": asset.kind,
        "status": asset.status,
        "owner": asset.owner.email if asset.owner_id else None,
        "published_at": asset.published_at,
        "review_by": asset.review_by,
    }


def asset_publish(*, asset: Asset, by: AbstractBaseUser | None = None) -> Asset:
    """Make an asset visible to reps. It needs content: a file version or an external URL."""
    if not asset.has_content:
        raise ValidationError(f"“{asset}” has no file and no external URL, so there is nothing to publish.")
    before = asset.status
    asset.status = AssetStatus.PUBLISHED
    asset.published_at = asset.published_at or timezone.now()
    asset.save(update_fields=["status", "published_at", "updated_at"])
    if before != asset.status:
        audit_record(event="asset.published", target=asset, by=by, changes={"status": (before, asset.status)})
        webhook_emit(
            event="asset.published", data=asset_data(asset), summary=f"“{asset.title}” was published."
        )
    return asset


def asset_archive(*, asset: Asset, by: AbstractBaseUser | None = None) -> Asset:
    """Withdraw an asset from reps; its history and usage stay."""
    before = asset.status
    asset.status = AssetStatus.ARCHIVED
    asset.save(update_fields=["status", "updated_at"])
    if before != asset.status:
        audit_record(event="asset.archived", target=asset, by=by, changes={"status": (before, asset.status)})
    return asset


def asset_submit_for_review(*, asset: Asset, by: AbstractBaseUser | None = None) -> Asset:
    if asset.status == AssetStatus.ARCHIVED:
        raise ValidationError(f"“{asset}” is archived; restore it as a draft first.")
    asset.status = AssetStatus.IN_REVIEW
    asset.save(update_fields=["status", "updated_at"])
    return asset


def asset_return_to_draft(*, asset: Asset, by: AbstractBaseUser | None = None) -> Asset:
    asset.status = AssetStatus.DRAFT
    asset.save(update_fields=["status", "updated_at"])
    return asset


@transaction.atomic
def asset_save(*, asset: Asset, changes: dict[str, tuple], by: AbstractBaseUser | None = None) -> Asset:
    """Save an asset's edited fields (the admin's form; `changes` is {field: (before, after)}), but not
    its status: that goes through asset_status_set once the versions uploaded with the edit are stored,
    so an asset published in the form of its first upload passes the rule that it has content. A new
    asset starts as a draft."""
    created = asset.pk is None
    if created:
        asset.status = AssetStatus.DRAFT
    else:
        asset.status = Asset.objects.values_list("status", flat=True).get(pk=asset.pk)
    asset.save()
    if created:
        audit_record(event="asset.created", target=asset, by=by, data={"slug": asset.slug})
    elif changes:
        audit_record(event="asset.changed", target=asset, by=by, changes=changes)
    return asset


def asset_status_set(*, asset: Asset, status: str, by: AbstractBaseUser | None = None) -> Asset:
    """Move an asset to `status` under that status's rule (publishing needs content, an archived asset
    goes back to draft before review). The one dispatch from a status to its service."""
    services = {
        AssetStatus.PUBLISHED: asset_publish,
        AssetStatus.ARCHIVED: asset_archive,
        AssetStatus.IN_REVIEW: asset_submit_for_review,
        AssetStatus.DRAFT: asset_return_to_draft,
    }
    if status not in services:
        raise ValidationError({"status": f"Unknown status {status!r}; use one of {', '.join(services)}."})
    return services[status](asset=asset, by=by)


ASSET_EDITABLE = (
    "title",
    "slug",
    "kind",
    "summary",
    "guidance",
    "external_url",
    "review_by",
    "audience",
    "owner",
)
ASSET_RELATIONS = ("buyer_roles", "stages")
ASSET_TAGS = ("industries", "products")


@transaction.atomic
def asset_update(*, asset: Asset, data: dict, by: AbstractBaseUser | None = None) -> tuple[Asset, bool]:
    """Change an asset: the fields of ASSET_EDITABLE, `buyer_roles` and `stages` (replaced),
    `industries` and `products` (tag names, replaced) and `status` (through asset_status_set);
    returns (asset, whether anything changed). The search index follows. The callers check the
    values' form (serializer, importer, studio form); a status the asset cannot take is a
    ValidationError on `status`, emptying the URL of a published asset with no file one on
    `external_url`, and nothing of the change is kept."""
    unknown = set(data) - {*ASSET_EDITABLE, *ASSET_RELATIONS, *ASSET_TAGS, "status"}
    if unknown:
        raise ValueError(f"asset_update cannot change {', '.join(sorted(unknown))}.")
    if "audience" in data and data["audience"] not in Audience.values:
        unknown_audience = f"Unknown audience {data['audience']!r}; use internal or external."
        raise ValidationError({"audience": unknown_audience})
    fields = [f for f in ASSET_EDITABLE if f in data and getattr(asset, f) != data[f]]
    relations = [r for r in ASSET_RELATIONS if r in data and set(getattr(asset, r).all()) != set(data[r])]
    relations += [
        t for t in ASSET_TAGS if t in data and {x.name for x in getattr(asset, t).all()} != set(data[t])
    ]
    changes = {f: (getattr(asset, f), data[f]) for f in fields}
    changes |= {r: (sorted(map(str, getattr(asset, r).all())), sorted(map(str, data[r]))) for r in relations}
    for name in fields:
        setattr(asset, name, data[name])
    stays_published = asset.status == AssetStatus.PUBLISHED and data.get("status") in (None, asset.status)
    if stays_published and not asset.has_content:  # the rule asset_publish applies, kept afterwards
        raise ValidationError(
            {"external_url": f"“{asset}” is published, so it needs a file or an external URL."}
        )
    if fields or relations:
        asset.save(update_fields=[*fields, "updated_at"])
    for name in relations:
        getattr(asset, name).set(data[name])
    status_changed = "status" in data and data["status"] != asset.status
    if status_changed:
        try:
            asset_status_set(asset=asset, status=data["status"], by=by)
        except ValidationError as exc:
            raise ValidationError({"status": exc.messages}) from None
    changed = bool(fields or relations or status_changed)
    if changes:
        audit_record(event="asset.changed", target=asset, by=by, changes=changes)
    if "audience" in changes:  # who may send it to buyers: its own event, to find in the trail
        audit_record(
            event="asset.audience_changed", target=asset, by=by, changes={"audience": changes["audience"]}
        )
    if changed:
        asset_search_refresh(asset)
    return asset, changed
