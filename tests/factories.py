"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone

from assets.choices import AssetKind, AssetStatus, StageOutcome
from assets.models import Asset, AssetVersion, BuyerRole, FunnelStage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class FunnelStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunnelStage
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"stage-{n}")
    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: 1000 + n)
    outcome = StageOutcome.OPEN


class BuyerRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerRole
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"role-{n}")
    name = factory.Sequence(lambda n: f"Role {n}")


class AssetFactory(factory.django.DjangoModelFactory):
    """A published asset with an external URL unless told otherwise."""

    class Meta:
        model = Asset
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Asset number {n}")
    slug = factory.Sequence(lambda n: f"asset-{n}")
    kind = AssetKind.CASE_STUDY
    summary = factory.Faker("sentence")
    external_url = factory.LazyAttribute(lambda a: f"https://media.example.com/{a.slug}")
    status = AssetStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    owner = factory.SubFactory(UserFactory)

    class Params:
        draft = factory.Trait(status=AssetStatus.DRAFT, published_at=None)

    @factory.post_generation
    def buyer_roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.buyer_roles.set(extracted)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if create and extracted:
            self.stages.set(extracted)

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        # Last hook: roles and stages are set, so the asset is found as the portal would find it.
        if create:
            from assets.search import asset_search_refresh

            asset_search_refresh(self)


class AssetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetVersion
        skip_postgeneration_save = True

    asset = factory.SubFactory(AssetFactory)
    number = factory.Sequence(lambda n: n + 1)
    file = factory.LazyAttribute(lambda v: ContentFile(b"Hello buyers", name="v.txt"))

    @factory.post_generation
    def current(self, create, extracted, **kwargs):
        # The factory stores any file, past the upload allow-list: `current=True` plants a version
        # as files were stored before it (legacy data), as the asset's current one.
        if create and extracted:
            Asset.objects.filter(pk=self.asset_id).update(current_version=self)
            self.asset.current_version = self


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enablement.Account"

    source = "native"
    external_id = factory.Sequence(lambda n: f"ACC-{n}")
    name = factory.Faker("company")
    industry = "Software"


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enablement.Deal"

    source = "native"
    external_id = factory.Sequence(lambda n: f"D-{n}")
    name = factory.Sequence(lambda n: f"Deal number {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.SubFactory(UserFactory, role="Reps")
    amount = 10000
    currency = "USD"
