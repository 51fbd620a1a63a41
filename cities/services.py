"""Writes of reference data and agreements. Every import runs in one transaction."""

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from assessment.scoring.errors import Problem
from cities.agreement_import import AgreementRow, read_agreements
from cities.models import (
    Agreement,
    AgreementParty,
    City,
    CityAttribute,
    PeerGroup,
    Province,
    Region,
    RegionMembership,
)
from cities.reference_import import AttributeRow, CityRow, MemberRow, PeerGroupRow, RegionRow, row_problem


class ReferenceImportError(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    def count(self, outcome: "Outcome") -> None:
        """Count one row by what its import did."""
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


class Outcome(StrEnum):
    """What importing one row did to its stored object."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _upsert[M: models.Model](model: type[M], values: dict[str, Any], **key: Any) -> tuple[M, Outcome]:
    """Create the object the key names, or update it where a value differs; an unchanged one is not saved.

    Not update_or_create: that saves every time, and an unchanged row would add history.
    """
    stored = model._default_manager.filter(**key).first()
    if stored is None:
        created = model(**key, **values)
        created.full_clean()
        created.save()
        return created, Outcome.CREATED
    if all(getattr(stored, name) == value for name, value in values.items()):
        return stored, Outcome.UNCHANGED
    for name, value in values.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save()
    return stored, Outcome.UPDATED


def cities_import(*, rows: list[CityRow], problems: list[Problem]) -> ImportSummary:
    """Create or update provinces and cities; refuse everything if any row is bad."""
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for row in rows:
            province, _created = Province.objects.update_or_create(
                code=row.province_code,
                defaults={"name_zh": row.province_zh, "name_en": row.province_en},
            )
            values = {
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "province": province,
                "level": row.level,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "population": row.population,
                "population_year": row.population_year,
                "population_source": row.population_source,
            }
            _city, outcome = _upsert(City, values, code=row.code)
            summary.count(outcome)
    return summary


def regions_import(
    *,
    regions: list[RegionRow],
    members: list[MemberRow],
    problems: list[Problem],
) -> ImportSummary:
    """Create or update regions and set their members exactly as the file lists them."""
    problems = list(problems)
    known_regions = {row.code for row in regions} | set(Region.objects.values_list("code", flat=True))
    member_codes = {row.city_code for row in members}
    known_cities = set(City.objects.filter(code__in=member_codes).values_list("code", flat=True))
    for row in members:
        if row.region_code not in known_regions:
            problems.append(
                row_problem(row.line, "region_code", _("unknown region %(code)s") % {"code": row.region_code})
            )
        if row.city_code not in known_cities:
            problems.append(row_problem(row.line, "city_code", _("unknown city %(code)s") % {"code": row.city_code}))
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for row in regions:
            _region, created = Region.objects.update_or_create(
                code=row.code,
                defaults={
                    "name_zh": row.name_zh,
                    "name_en": row.name_en,
                    "kind": row.kind,
                    "description_zh": row.description_zh,
                    "description_en": row.description_en,
                },
            )
            if created:
                summary.created += 1
            else:
                summary.updated += 1
        by_region: dict[str, list[MemberRow]] = {}
        for row in members:
            by_region.setdefault(row.region_code, []).append(row)
        for region_code, rows in by_region.items():
            RegionMembership.objects.filter(region_id=region_code).exclude(
                city_id__in=[row.city_code for row in rows]
            ).delete()
            for row in rows:
                RegionMembership.objects.update_or_create(
                    region_id=region_code,
                    city_id=row.city_code,
                    defaults={"joined_on": row.joined_on, "note_zh": row.note_zh, "note_en": row.note_en},
                )
            summary.details.append(_("%(region)s: %(count)d members") % {"region": region_code, "count": len(rows)})
    return summary


def agreements_import(*, rows: list[AgreementRow], problems: list[Problem]) -> ImportSummary:
    """Create or update agreements by key and set their parties as the file lists them.

    Refuses everything while any problem remains; an unchanged row is not saved,
    so importing the same file twice adds no history.
    """
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for row in rows:
            agreement, outcome = _upsert(Agreement, row.values(), key=row.key)
            stored_parties = (
                ()
                if outcome == Outcome.CREATED
                else tuple(agreement.party_links.order_by("city_id").values_list("city_id", "role"))
            )
            if outcome == Outcome.UNCHANGED and stored_parties != row.parties:
                outcome = Outcome.UPDATED
            summary.count(outcome)
            if stored_parties != row.parties:
                agreement.party_links.exclude(city_id__in=[code for code, _role in row.parties]).delete()
                for code, role in row.parties:
                    AgreementParty.objects.update_or_create(agreement=agreement, city_id=code, defaults={"role": role})
    return summary


def import_agreements_file(path: Path) -> ImportSummary:
    """Read, check and import one file; raises ReferenceImportError with every problem."""
    rows, problems = read_agreements(path)
    return agreements_import(rows=rows, problems=problems)


def peer_groups_import(*, rows: list[PeerGroupRow], problems: list[Problem]) -> ImportSummary:
    """Create or update the listed peer groups (by code); groups not in the file stay. All or nothing."""
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for order, row in enumerate(rows, start=1):
            values = {
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "description_zh": row.description_zh,
                "description_en": row.description_en,
                "attribute": row.attribute,
                "values": list(row.values),
                "minimum": row.minimum,
                "maximum": row.maximum,
                "order": order,
            }
            _group, outcome = _upsert(PeerGroup, values, code=row.code)
            summary.count(outcome)
    return summary


def city_attributes_import(*, rows: list[AttributeRow], problems: list[Problem]) -> ImportSummary:
    """Create or update city attributes (by city and key). All or nothing."""
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for row in rows:
            values = {"value": row.value, "year": row.year, "source": row.source}
            _attribute, outcome = _upsert(CityAttribute, values, city_id=row.city_code, key=row.key)
            summary.count(outcome)
    return summary
