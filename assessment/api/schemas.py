"""What the read API returns, as django-ninja schemas (they make the OpenAPI document).

The results' schemas are derived from the dataclasses the results selectors
return (`assessment.selectors.results`), not copied: a field added there
reaches the API and its document.
"""

import dataclasses
import datetime as dt
import functools
import operator
import types
import typing
from decimal import Decimal
from typing import Any

import pydantic
from ninja import Schema

from assessment.selectors.results import CityResult, PeriodResult, RankInterval, RegionResults
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


def _schema_of(source: type, name: str, nested: dict[type, type[Schema]]) -> type[Schema]:
    """A ninja schema with the fields of a result dataclass, in its order; nested results as their schemas.

    Every field is required, as the results always carry them (``rows`` too,
    though the dataclass has a default).
    """
    hints = typing.get_type_hints(source)
    fields: dict[str, Any] = {
        item.name: (_with_schemas(hints[item.name], nested), ...) for item in dataclasses.fields(source)
    }
    return pydantic.create_model(name, __base__=Schema, __module__=__name__, **fields)


def _with_schemas(hint: Any, nested: dict[type, type[Schema]]) -> Any:
    """``hint`` with each result dataclass in it replaced by its schema (inside ``X | None`` and ``list[X]`` too)."""
    if hint in nested:
        return nested[hint]
    arguments = typing.get_args(hint)
    if not arguments:
        return hint
    replaced = tuple(_with_schemas(argument, nested) for argument in arguments)
    if isinstance(hint, types.UnionType):
        return functools.reduce(operator.or_, replaced)
    return typing.get_origin(hint)[replaced]


# The results the selectors return are the source; these follow their fields.
RankIntervalOut = _schema_of(RankInterval, "RankIntervalOut", {})
CityResultOut = _schema_of(CityResult, "CityResultOut", {RankInterval: RankIntervalOut})
RegionResultsOut = _schema_of(RegionResults, "RegionResultsOut", {CityResult: CityResultOut})
PeriodResultOut = _schema_of(PeriodResult, "PeriodResultOut", {})


class ErrorOut(Schema):
    detail: str
