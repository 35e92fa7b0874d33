"""Deals, stage history and usage for integrations; analytics out for BI tools."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.models import Asset
from config.api.common import ERRORS, ModelPermissionsForWrites
from enablement.analytics import selectors as analytics
from enablement.analytics.report import asset_metrics, asset_object, stage_metrics, stage_object
from enablement.api import serializers as s
from enablement.api.permissions import CanSeeAnalytics
from enablement.choices import UsageSource, UsageStatus
from enablement.deals.history import deal_stage_change
from enablement.deals.models import Deal, StageChange
from enablement.deals.selectors import deals_visible_to
from enablement.deals.services import account_upsert, deal_upsert
from enablement.importers.base import People, RowInvalid, StageResolver
from enablement.usage.services import usage_record_many


def _deal(request: Request, deal_id: str) -> Deal:
    if "\x00" in deal_id or len(deal_id) > 100:
        raise exceptions.NotFound(f"No deal {deal_id[:100]!r} that you may see.")
    deals = deals_visible_to(request.user).filter(external_id=deal_id)
    if request.query_params.get("source"):
        deals = deals.filter(source=request.query_params["source"])
    found = list(deals[:2])
    if not found:
        raise exceptions.NotFound(f"No deal {deal_id!r} that you may see.")
    if len(found) > 1:
        raise exceptions.ValidationError(
            {"source": [f"Deal id {deal_id!r} exists in several sources; say which with ?source=."]}
        )
    return found[0]


@extend_schema_view(
    list=extend_schema(summary="Deals (reps: their own)", responses={200: s.DealSerializer, **ERRORS}),
    retrieve=extend_schema(
        summary="One deal",
        parameters=[OpenApiParameter("source", str, required=False)],
        responses={200: s.DealSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Create or update a deal by its CRM id (idempotent)",
        responses={200: s.DealSerializer, 201: s.DealSerializer, **ERRORS},
    ),
    partial_update=extend_schema(summary="Change a deal", responses={200: s.DealSerializer, **ERRORS}),
)
class DealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.DealSerializer
    permission_classes = [ModelPermissionsForWrites]
    lookup_field = "external_id"
    lookup_url_kwarg = "deal_id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["source"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Deal.objects.none()
        return deals_visible_to(self.request.user).order_by("-created_at", "pk")

    def get_object(self) -> Deal:
        deal = _deal(self.request, self.kwargs["deal_id"])
        self.check_object_permissions(self.request, deal)
        return deal

    def _save(self, data: dict, *, source: str, external_id: str, partial_of: Deal | None = None):
        account = data.get("account", {})
        account_name = account.get("name") if isinstance(account, dict) else None
        owner = None
        if data.get("owner_email"):
            try:
                owner = People().by_email(data["owner_email"])
            except RowInvalid as exc:
                raise exceptions.ValidationError({"owner_email": [str(exc)]}) from None
        base = partial_of
        return deal_upsert(
            source=source,
            external_id=external_id,
            name=data.get("name", base.name if base else ""),
            owner=owner if owner is not None else (base.owner if base else None),
            account=account_upsert(source=source, external_id=account_name, name=account_name)
            if account_name
            else (base.account if base and "account" not in data else None),
            amount=data.get("amount", base.amount if base else None),
            currency=data.get("currency", base.currency if base else "USD"),
            created_at=data.get("created_at"),
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        deal, created = self._save(data, source=data["source"], external_id=data["external_id"])
        return Response(self.get_serializer(deal).data, status=status.HTTP_201_CREATED if created else 200)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        deal = self.get_object()
        serializer = self.get_serializer(deal, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if (
            data.get("external_id", deal.external_id) != deal.external_id
            or data.get("source", deal.source) != deal.source
        ):
            raise exceptions.ValidationError({"deal_id": ["A deal's id and source cannot change."]})
        deal, _ = self._save(data, source=deal.source, external_id=deal.external_id, partial_of=deal)
        return Response(self.get_serializer(deal).data)


class StageChangeList(generics.GenericAPIView):
    """A deal's stage history; POST appends a row (sending the same row again changes nothing)."""

    serializer_class = s.StageChangeSerializer
    queryset = StageChange.objects.none()  # rows are read through the deal
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        summary="A deal's stage history, oldest first",
        responses={200: s.StageChangeOutSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, deal_id: str) -> Response:
        deal = _deal(request, deal_id)
        return Response(
            s.StageChangeOutSerializer(deal.stage_changes.select_related("stage"), many=True).data
        )

    @extend_schema(
        summary="Append a stage change (stage names go through the stage map)",
        request=s.StageChangeSerializer,
        responses={200: s.StageChangeOutSerializer, 201: s.StageChangeOutSerializer, **ERRORS},
    )
    def post(self, request: Request, deal_id: str) -> Response:
        if not request.user.has_perm("enablement.add_stagechange"):
            raise exceptions.PermissionDenied(
                "Only integrations acting for an admin may write stage history."
            )
        deal = _deal(request, deal_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stage = StageResolver(deal.source).get(data["stage"])
        if stage is None:
            raise exceptions.ValidationError(
                {
                    "stage": [
                        f"No funnel stage or {deal.get_source_display()} stage mapping for {data['stage']!r}."
                    ]
                }
            )
        change, created = deal_stage_change(
            deal=deal, stage=stage, entered_at=data["entered_at"], external_id=data.get("external_id")
        )
        return Response(s.StageChangeOutSerializer(change).data, status=201 if created else 200)


class UsageEventIngest(APIView):
    """POST one usage event or a list of up to 1,000; each is judged on its own."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Record usage events (idempotent by event_id)",
        request=s.UsageEventInSerializer(many=True),
        responses={200: s.UsageEventReplySerializer, **ERRORS},
        description="The body is one event object or a list of at most 1,000. The reply lists, in order, "
        "whether each event was created, a duplicate (its event_id was already recorded with the same "
        "content) or rejected (with a message per field: among others, the same event_id with different "
        "content, or an occurred_at at or after the deal closed). Events are stored before the reply.",
    )
    def post(self, request: Request) -> Response:
        if not request.user.has_perm("enablement.add_usageevent"):
            raise exceptions.PermissionDenied(
                "Recording usage is for reps and integrations acting for admins."
            )
        payload = request.data
        many = isinstance(payload, list)
        items = payload if many else [payload]
        if not items or len(items) > s.MAX_EVENTS:
            raise exceptions.ValidationError({"detail": f"Send between 1 and {s.MAX_EVENTS} events."})
        results, accepted = self._validate(request, items)
        outcomes = usage_record_many(events=[event for _, event in accepted])
        for (index, event), outcome in zip(accepted, outcomes, strict=True):
            results[index] = {"event_id": event["event_id"], "status": outcome.status}
            if outcome.errors:
                results[index]["errors"] = outcome.errors
        counts = {k: sum(r["status"] == k for r in results) for k in UsageStatus.values}
        return Response({**counts, "results": results})

    def _validate(self, request: Request, items: list) -> tuple[list[dict], list[tuple[int, dict]]]:
        user = request.user
        sees_all = user.has_perm("assets.view_unpublished_asset") or user.is_superuser
        valid = []
        results: list[dict] = [{}] * len(items)
        # One serializer for the whole batch: building one per event would copy its fields every time.
        validator = s.UsageEventInSerializer()
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                results[index] = {
                    "event_id": None,
                    "status": "rejected",
                    "errors": {"detail": ["Not an object."]},
                }
                continue
            try:
                data = validator.run_validation(item)
            except serializers.ValidationError as exc:
                results[index] = {
                    "event_id": str(item.get("event_id"))[:100] if item.get("event_id") else None,
                    "status": "rejected",
                    "errors": {k: [str(m) for m in v] for k, v in exc.detail.items()},
                }
            else:
                valid.append((index, data))
        deal_keys = {d["deal_id"] for _, d in valid}
        deals: dict[tuple[str, str], Deal] = {}
        for deal in deals_visible_to(user).filter(external_id__in=deal_keys):
            deals[(deal.source, deal.external_id)] = deals.get((deal.source, deal.external_id), deal)
        by_id: dict[str, list[Deal]] = {}
        for (_, external_id), deal in deals.items():
            by_id.setdefault(external_id, []).append(deal)
        assets = {a.slug: a for a in Asset.objects.filter(slug__in={d["asset"] for _, d in valid})}
        reps = {
            u.username: u
            for u in User.objects.filter(
                Q(username__in={d["rep"] for _, d in valid if "rep" in d})
                | Q(email__in={d["rep"] for _, d in valid if "rep" in d})
            )
        }
        reps.update({u.email: u for u in reps.values() if u.email})
        accepted = []
        for index, d in valid:
            errors = {}
            candidates = by_id.get(d["deal_id"], [])
            if d.get("deal_source"):
                candidates = [c for c in candidates if c.source == d["deal_source"]]
            if len(candidates) != 1:
                errors["deal_id"] = [
                    "No deal with this id that you may see."
                    if not candidates
                    else "Several sources have this deal id; give deal_source."
                ]
            asset = assets.get(d["asset"])
            if asset is None or (asset.status != "published" and not sees_all):
                errors["asset"] = [f"No asset {d['asset']!r}."]
            rep = reps.get(d["rep"]) if "rep" in d else user
            if rep is None:
                errors["rep"] = [f"No user {d['rep']!r}."]
            elif not sees_all and rep != user:
                errors["rep"] = ["Reps record their own usage."]
            if errors:
                results[index] = {"event_id": d["event_id"], "status": "rejected", "errors": errors}
                continue
            accepted.append(
                (
                    index,
                    {
                        "event_id": d["event_id"],
                        "asset_id": asset.pk,
                        "asset_version_id": asset.current_version_id,
                        "deal_id": candidates[0].pk,
                        "rep_id": rep.pk,
                        "action": d["action"],
                        "occurred_at": d.get("occurred_at"),  # none: now, and not compared on a re-send
                        "source": UsageSource.API,
                    },
                )
            )
        return results, accepted


class AnalyticsStages(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Stage conversion (CONTRACT section 3)",
        responses={200: s.StageAnalyticsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response([stage_object(m) for m in stage_metrics(analytics.current_run())])


class AnalyticsAssets(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Assets and conversion per stage (CONTRACT section 3)",
        parameters=[
            OpenApiParameter("stage", str, required=False),
            OpenApiParameter("asset", str, required=False),
        ],
        responses={200: s.AssetAnalyticsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = asset_metrics(analytics.current_run(), stage=request.query_params.get("stage") or None)
        if request.query_params.get("asset"):
            rows = rows.filter(asset__slug=request.query_params["asset"])
        return Response([asset_object(m) for m in rows])


def _cell(c) -> dict:
    return {
        "buyer_role": c.role.slug,
        "stage": c.stage.slug,
        "assets": c.assets,
        "used": c.used,
        "best_lift": None if c.best_lift is None else round(c.best_lift, 4),
        "higher_conversion": c.higher,
        "conversion_rate": None if c.conversion is None else round(c.conversion, 4),
        "entered": c.entered,
        "requests": c.requests,
        "votes": c.votes,
        "no_result_searches": c.searches,
    }


class AnalyticsGaps(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="The buyer role × stage coverage grid", responses={200: s.GapSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        roles, stages, cells = analytics.coverage(analytics.current_run())
        return Response([_cell(cells[(r.pk, st.pk)]) for r in roles for st in stages])


class AnalyticsBuildNext(APIView):
    permission_classes = [CanSeeAnalytics]

    @extend_schema(
        summary="Where a new asset would matter most, ranked",
        responses={200: s.BuildNextSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _, _, cells = analytics.coverage(analytics.current_run())
        return Response(
            [
                {**_cell(c), "score": round(c.score, 2), "reason": c.reasons[0]}
                for c in analytics.build_next(cells)
            ]
        )
