"""What the read API returns, as django-ninja schemas (they make the OpenAPI document)."""

import datetime as dt
from decimal import Decimal

from ninja import Schema

from cities.models import City, Region


class RegionOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    member_count: int


class MemberOut(Schema):
    code: str
    name_zh: str
    name_en: str
    province: str
    level: str


class RegionDetailOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    description_zh: str
    description_en: str
    members: list[MemberOut]

    @staticmethod
    def resolve_members(region: Region) -> list[dict[str, str]]:
        return [
            {
                "code": membership.city.code,
                "name_zh": membership.city.name_zh,
                "name_en": membership.city.name_en,
                "province": membership.city.province_id,
                "level": membership.city.level,
            }
            for membership in region.memberships.all()
        ]


class CityOut(Schema):
    code: str
    name_zh: str
    name_en: str
    province: str
    province_name_zh: str
    province_name_en: str
    level: str
    latitude: Decimal
    longitude: Decimal
    population: int | None
    population_year: int | None
    regions: list[str]

    @staticmethod
    def resolve_province(city: City) -> str:
        return city.province_id

    @staticmethod
    def resolve_province_name_zh(city: City) -> str:
        return city.province.name_zh

    @staticmethod
    def resolve_province_name_en(city: City) -> str:
        return city.province.name_en

    @staticmethod
    def resolve_regions(city: City) -> list[str]:
        return sorted(region.code for region in city.regions.all())


class FrameworkOut(Schema):
    code: str
    version: str
    status: str
    name_zh: str
    name_en: str
    normalisation: str
    published_at: dt.datetime | None


class RankIntervalOut(Schema):
    p05: float
    median: float
    p95: float


class CityResultOut(Schema):
    city_code: str
    city_name_zh: str
    city_name_en: str
    stage: str
    index_score: float | None
    scores: dict[str, float | None]
    rank: int | None
    rank_interval: RankIntervalOut | None


class RegionResultsOut(Schema):
    region_code: str
    period: int
    framework_code: str
    framework_version: str
    kind: str
    ranked_cities: int
    monte_carlo_runs: int
    seed: int
    rows: list[CityResultOut]


class PeriodResultOut(Schema):
    period: int
    kind: str
    revision: int
    framework_code: str
    framework_version: str
    stage: str
    index_score: float | None
    scores: dict[str, float | None]
    published_at: dt.datetime | None


class ErrorOut(Schema):
    detail: str
