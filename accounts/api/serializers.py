"""Account bodies shared by several endpoints; what only one endpoint uses is nested in its view."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import Account, AccountStatus, Segment, Tier
from kernel.api.versioning import version_field
from organization.models import User

# The API names tiers as words (`"strategic"`), in output and in the `tier` filter alike.
TIER_NAMES: dict[int, str] = {tier.value: tier.name.lower() for tier in Tier}
TIERS_BY_NAME: dict[str, int] = {name: value for value, name in TIER_NAMES.items()}


class HealthSignalSerializer(serializers.Serializer[Any]):
    key = serializers.ChoiceField(choices=["contact", "ratings", "escalations", "promises", "critical"])
    name = serializers.CharField(source="label")
    points = serializers.FloatField()
    max = serializers.IntegerField(help_text="The signal's weight: the most points it can give.")
    detail = serializers.CharField()


@extend_schema_serializer(component_name="Account")
class AccountSerializer(serializers.ModelSerializer[Account]):
    """A customer account, ranked by strategic priority (rank 1 is the most strategic)."""

    # The API's contract (the schema's source). Lists and GET write it from lean rows (accounts.api.rows); writes
    # serialize with it, given `cadence_days` (tier → days) and `today` in the context, computed once per request.

    segment: serializers.SlugRelatedField[Segment] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    executive_sponsor = serializers.IntegerField(source="executive_sponsor_id", read_only=True, allow_null=True)
    tier = serializers.SerializerMethodField()
    cadence_days = serializers.SerializerMethodField(help_text="How often an account of this tier must be contacted.")
    overdue = serializers.SerializerMethodField(help_text="The next contact was due before today.")
    needs = serializers.ListField(child=serializers.CharField(), read_only=True)
    wants = serializers.ListField(child=serializers.CharField(), read_only=True)
    health = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Account health 0–100, recomputed nightly; null before its first run.",
    )
    health_band = serializers.ChoiceField(
        choices=["green", "yellow", "red"], read_only=True, allow_null=True, help_text="70–100, 40–69, 0–39."
    )
    health_signals = HealthSignalSerializer(many=True, read_only=True, help_text="Each signal's share of the health.")
    satisfied_but_at_risk = serializers.BooleanField(
        source="health_at_risk",
        read_only=True,
        help_text="Good ratings, but contact is falling or overdue, or a promise was broken.",
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "segment",
            "industry",
            "region",
            "status",
            "owner",
            "owner_name",
            "executive_sponsor",
            "is_confidential",
            "rank",
            "tier",
            "score",
            "cadence_days",
            "last_contact_at",
            "next_contact_due",
            "overdue",
            "needs",
            "wants",
            "health",
            "health_band",
            "health_signals",
            "satisfied_but_at_risk",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=list(TIER_NAMES.values())))
    def get_tier(self, account: Account) -> str:
        return TIER_NAMES[account.tier]

    def get_cadence_days(self, account: Account) -> int:
        cadence: dict[int, int] = self.context["cadence_days"]
        return cadence[account.tier]

    def get_overdue(self, account: Account) -> bool:
        return account.is_overdue(self.context["today"])


@extend_schema_serializer(component_name="AccountDetail")
class AccountDetailSerializer(AccountSerializer):
    """A customer account with the ids of its active contacts."""

    # GET writes this body from lean rows (accounts.api.rows); after a write the contacts are one query.

    contacts = serializers.SerializerMethodField(help_text="Ids of the account's active contacts.")

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "contacts"]
        read_only_fields = fields

    def get_contacts(self, account: Account) -> list[int]:
        return [contact.pk for contact in account.contacts.all() if contact.is_active]


class AccountFieldsSerializer(serializers.Serializer[Any]):
    # The editable fields that create, update and upsert accept; each write adds its own (external id, version).

    name = serializers.CharField(max_length=200)
    segment: serializers.SlugRelatedField[Segment] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Segment.objects.all(), help_text="The segment's slug."
    )
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=AccountStatus.choices, required=False)
    owner: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="The id of the account manager who owns it."
    )
    executive_sponsor: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    is_confidential = serializers.BooleanField(required=False)
    needs = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=100)
    wants = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=100)


class VersionedFieldsSerializer(AccountFieldsSerializer):
    # Updates name the version they edited (optimistic locking).
    version = version_field()


class VisibleAccountField(serializers.PrimaryKeyRelatedField[Account]):
    """An account id, looked up among the accounts the caller may see: a hidden one reads as one that does not
    exist, so the error reveals nothing."""

    def get_queryset(self) -> QuerySet[Account]:
        # With its owner: a write by an API client is made on the owner's behalf (no second query for them).
        return Account.objects.visible_to(self.context["request"].user).select_related("owner")
