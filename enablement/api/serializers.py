from __future__ import annotations

from rest_framework import serializers

from enablement.choices import DealSource, UsageStatus
from enablement.deals.models import Deal, StageChange
from enablement.moments import MomentField


class DealInSerializer(serializers.Serializer):
    """A deal as an integration sends it (POST: create or update by source and id; PATCH: a change)."""

    deal_id = serializers.CharField(max_length=100)
    source = serializers.ChoiceField(choices=DealSource.choices, default=DealSource.API)
    name = serializers.CharField(max_length=255)
    account = serializers.CharField(required=False, allow_null=True, max_length=255)
    owner_email = serializers.EmailField(required=False, help_text="Unknown owners become reps.")
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="USD")
    created_at = MomentField(required=False)


class DealRoleOutSerializer(serializers.Serializer):
    """A buyer role on the deal's committee (fit to the ideal buyer profile: `fit_score`, 0–10)."""

    role = serializers.CharField(source="role.slug")
    contact = serializers.CharField()
    is_primary = serializers.BooleanField()


class DealOutSerializer(serializers.ModelSerializer):
    """A deal as the API answers it, with its current stage and close time from its history."""

    deal_id = serializers.CharField(source="external_id")
    account = serializers.CharField(source="account.name", allow_null=True)
    owner = serializers.CharField(source="owner.username", allow_null=True)
    current_stage = serializers.CharField(source="current_stage.slug", allow_null=True)
    buying_committee = DealRoleOutSerializer(source="roles", many=True, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "deal_id",
            "source",
            "name",
            "account",
            "owner",
            "amount",
            "currency",
            "created_at",
            "current_stage",
            "closed_at",
            "fit_score",
            "in_profile",
            "fit_reasons",
            "buying_committee",
        ]
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    stage = serializers.CharField(
        max_length=255,
        help_text="A funnel stage slug or name, or a CRM stage name mapped in the deal source's stage map.",
    )
    id = serializers.CharField(
        source="external_id",
        max_length=255,
        required=False,
        help_text="The CRM's id of this history row; makes re-sending safe.",
    )
    entered_at = MomentField()

    class Meta:
        model = StageChange
        fields = ["id", "stage", "entered_at"]


class StageChangeOutSerializer(serializers.ModelSerializer):
    stage = serializers.CharField(source="stage.slug")
    id = serializers.CharField(source="external_id")

    class Meta:
        model = StageChange
        fields = ["id", "stage", "entered_at"]


class StageChangePageSerializer(serializers.Serializer):
    """A cursor page of a deal's history."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StageChangeOutSerializer(many=True)


class UsageEventResultSerializer(serializers.Serializer):
    event_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=UsageStatus.choices)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class UsageEventReplySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = UsageEventResultSerializer(many=True)


class GroupSerializer(serializers.Serializer):
    deals = serializers.IntegerField()
    advanced = serializers.IntegerField()
    lost = serializers.IntegerField()
    open = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)


class StageAnalyticsSerializer(serializers.Serializer):
    stage = serializers.CharField()
    entered = serializers.IntegerField()
    advanced = serializers.IntegerField()
    lost = serializers.IntegerField()
    open = serializers.IntegerField()
    conversion_rate = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    landmark_days = serializers.IntegerField(allow_null=True)


class AssetAnalyticsSerializer(serializers.Serializer):
    asset = serializers.CharField()
    stage = serializers.CharField()
    exposed = GroupSerializer()
    unexposed = GroupSerializer()
    lift = serializers.FloatField(allow_null=True)
    lift_ci = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2
    )
    adjusted_lift = serializers.FloatField(allow_null=True)
    adjusted_lift_ci = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2
    )
    p_value = serializers.FloatField(allow_null=True)
    q_value = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField()
    verdict = serializers.CharField()
    influenced_amount = serializers.FloatField()
    won_amount = serializers.FloatField()
    used_only_after_landmark = serializers.IntegerField()


class GapSerializer(serializers.Serializer):
    buyer_role = serializers.CharField()
    stage = serializers.CharField()
    assets = serializers.IntegerField()
    used = serializers.IntegerField()
    best_lift = serializers.FloatField(allow_null=True)
    higher_conversion = serializers.BooleanField()
    conversion_rate = serializers.FloatField(allow_null=True)
    entered = serializers.IntegerField()
    present = serializers.IntegerField(
        allow_null=True,
        help_text="Deals that entered the stage with this buyer role on their buying committee (in profile "
        "when a buyer profile is approved); null while no deal has a committee role recorded.",
    )
    present_of = serializers.IntegerField(
        allow_null=True, help_text="Deals that entered the stage (in profile when a profile is approved)."
    )
    present_advanced = serializers.IntegerField(allow_null=True)
    present_lost = serializers.IntegerField(allow_null=True)
    in_profile_only = serializers.BooleanField(
        help_text="The presence figures count only deals in the approved buyer profile."
    )
    requests = serializers.IntegerField()
    votes = serializers.IntegerField()
    no_result_searches = serializers.IntegerField()


class BuildNextSerializer(GapSerializer):
    score = serializers.FloatField()
    reason = serializers.CharField()
