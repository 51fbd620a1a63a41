"""Writes of reference data. Every import runs in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from cities.models import City, Province, Region, RegionMembership
from cities.reference_import import CityRow, MemberRow, RegionRow, RowProblem


class ReferenceImportError(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)


def cities_import(*, rows: list[CityRow], problems: list[RowProblem]) -> ImportSummary:
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
            existing = City.objects.filter(code=row.code).first()
            if existing is None:
                city = City(code=row.code, **values)
                city.full_clean()
                city.save()
                summary.created += 1
            elif any(getattr(existing, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.full_clean()
                existing.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
    return summary


def regions_import(
    *,
    regions: list[RegionRow],
    members: list[MemberRow],
    problems: list[RowProblem],
) -> ImportSummary:
    """Create or update regions and set their members exactly as the file lists them."""
    problems = list(problems)
    known_regions = {row.code for row in regions} | set(Region.objects.values_list("code", flat=True))
    member_codes = {row.city_code for row in members}
    known_cities = set(City.objects.filter(code__in=member_codes).values_list("code", flat=True))
    for row in members:
        if row.region_code not in known_regions:
            problems.append(
                RowProblem(row.line, "region_code", _("unknown region %(code)s") % {"code": row.region_code})
            )
        if row.city_code not in known_cities:
            problems.append(RowProblem(row.line, "city_code", _("unknown city %(code)s") % {"code": row.city_code}))
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
                    region_id=region_code, city_id=row.city_code, defaults={"joined_on": row.joined_on}
                )
            summary.details.append(_("%(region)s: %(count)d members") % {"region": region_code, "count": len(rows)})
    return summary
