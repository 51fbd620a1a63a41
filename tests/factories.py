"""factory_boy factories: tests build their own rows; fixtures/ is reference data only."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cities.models import City, Province, Region, RegionMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for role in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=role)[0])


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "320000"
    name_zh = "江苏省"
    name_en = "Jiangsu"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"32{(n % 90) + 1:02d}00")
    name_zh = factory.Sequence(lambda n: f"测试市{n}")
    name_en = factory.Sequence(lambda n: f"Testcity {n}")
    province = factory.SubFactory(ProvinceFactory)
    level = City.Level.PREFECTURE
    latitude = Decimal("32.0000")
    longitude = Decimal("119.0000")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n}")
    name_zh = factory.Sequence(lambda n: f"测试区域{n}")
    name_en = factory.Sequence(lambda n: f"Test region {n}")
    kind = Region.Kind.CUSTOM


class RegionMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionMembership

    region = factory.SubFactory(RegionFactory)
    city = factory.SubFactory(CityFactory)
