"""What a reader asked a dashboard for: region, framework version, kind, period and what-if weights.

The one reader of a dashboard's query string. The region and city pages and
the compare page share its rules: a framework the reader may not choose (or
does not name) falls back to a readable one, and a period without results
("abc", 1999) to the default, each with a problem the page prints.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from assessment.dashboards.frames import Structure
from assessment.dashboards.what_if import clean_weights
from assessment.framework_cache import framework_scoring_tree
from assessment.models import Assessment, Framework
from assessment.selectors import results as result_selectors
from cities import selectors as city_selectors
from cities.models import City, Region

User = AbstractBaseUser | AnonymousUser
MIN_COMPARED, MAX_COMPARED = 2, 6


@dataclass
class Filters:
    """A region page's request: what is shown, what could be, and what was wrong with the asking."""

    region: Region
    framework: Framework
    kind: str
    periods: list[int]
    period: int | None
    frameworks: list[Framework]
    weights: dict[str, float]
    problems: list[str]

    def query(self, **overrides: Any) -> str:
        """These filters as a query string, some values overridden (None leaves one out)."""
        values: dict[str, Any] = {
            "region": self.region.code,
            "framework": self.framework.code,
            "version": self.framework.version,
            "period": self.period or "",
        }
        values.update({f"w.{code}": f"{weight:g}" for code, weight in self.weights.items()})
        values.update(overrides)
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    @property
    def published_query(self) -> str:
        """The same filters with the framework's weights: what "reset" links to."""
        return self.query(**{f"w.{code}": None for code in self.weights})


@dataclass(frozen=True)
class PeriodLink:
    """A period another than the one shown, with how many of its cities are published, and its address."""

    period: int
    published: int
    cities: int
    query: str


@dataclass(frozen=True)
class Periods:
    """Why the page shows its period, and what it says about the periods around it.

    ``shown`` is the region's coverage of the period shown; ``newer`` the later
    periods the default passed over because too few members are published in
    them; ``ranked`` the latest period with enough members published, offered
    when the period shown has too few; ``asked``: the period came from the
    address, so links that reset something else keep it.
    """

    asked: bool
    shown: result_selectors.PeriodCoverage | None
    newer: list[PeriodLink]
    ranked: PeriodLink | None


def _framework(
    query: QueryDict, problems: list[str], *, city_ids: Collection[str] | None = None
) -> tuple[Framework, list[Framework]]:
    """The framework version asked for, else the default one (with a problem); and every readable one.

    Without a version, the latest readable version with published results of these cities, in the period
    asked for when there is one (``Framework.objects.latest_with_results``): a period published under an
    earlier version opens in that version instead of empty.
    """
    frameworks = list(Framework.objects.readable().order_by("code", "-published_at"))
    code = query.get("framework") or settings.DUALSPACE_DEFAULT_FRAMEWORK
    version = query.get("version") or None
    if version is None:
        asked = query.get("period") or ""
        default = Framework.objects.latest_with_results(
            code, period=int(asked) if asked.isdigit() else None, city_ids=city_ids
        )
        version = default.version if default is not None and default.code == code else None
    # The list is ordered by code and newest publication first, so the first match is the version asked for.
    framework = next((item for item in frameworks if item.code == code and version in (None, item.version)), None)
    if framework is None:
        if not frameworks:
            raise Http404(_("No framework is published yet."))
        problems.append(
            _("There is no published framework %(code)s %(version)s; showing %(shown)s.")
            % {"code": code, "version": version or "", "shown": f"{frameworks[0].code} {frameworks[0].version}"}
        )
        framework = frameworks[0]
    return framework, frameworks


def _asked_period(
    query: QueryDict, with_results: Collection[int], default: int | None, problems: list[str]
) -> int | None:
    """The period asked for when it has results; else None, with a problem saying ``default`` is shown."""
    asked = query.get("period")
    if not asked:
        return None
    wanted = int(asked) if asked.isdigit() else None
    if wanted is not None and wanted in with_results:
        return wanted
    problems.append(
        _("No published results for period %(period)s; showing %(shown)s.")
        % {"period": asked, "shown": default if default is not None else "—"}
    )
    return None


def _period_link(filters: Filters, item: result_selectors.PeriodCoverage) -> PeriodLink:
    return PeriodLink(item.period, item.published, item.cities, filters.query(period=item.period))


def region_filters(
    *, query: QueryDict, user: User, region: Region, city: City | None = None
) -> tuple[Filters, Periods]:
    """Region, framework version, kind, period and what-if weights from the query string.

    Without a period: for a region, the latest in which enough members are
    published to rank them; for a city, its own latest. A period with results
    that the city lacks is kept, so its page can point to the city's periods.
    """
    problems: list[str] = []
    members = [city.code] if city is not None else list(region.memberships.values_list("city_id", flat=True))
    framework, frameworks = _framework(query, problems, city_ids=members)
    kind = query.get("kind") or Assessment.Kind.CONSULTANT
    if kind not in Assessment.Kind.values:
        problems.append(_("Unknown kind of assessment %(kind)s; showing consultant assessments.") % {"kind": kind})
        kind = Assessment.Kind.CONSULTANT
    coverage = result_selectors.region_period_coverage(region=region, framework=framework, user=user, kind=kind)
    if city is None:
        periods = [item.period for item in coverage]
        period = result_selectors.default_ranked_period(coverage)
    else:
        periods = result_selectors.city_periods(city=city, framework=framework, user=user, kind=kind)
        period = periods[0] if periods else None
    with_results = set(periods)
    wanted = _asked_period(query, with_results | {item.period for item in coverage}, period, problems)
    if wanted is not None:
        period = wanted
        periods = sorted({*periods, wanted}, reverse=True)
    structure = Structure.of(framework_scoring_tree(framework))
    requested = {key[2:]: value for key, value in query.items() if key.startswith("w.")}
    weights = clean_weights(requested, structure)
    filters = Filters(region, framework, kind, periods, period, frameworks, weights, problems)
    shown = next((item for item in coverage if item.period == period), None)
    ranked = next((item for item in coverage if item.is_ranked and item.period in with_results), None)
    return filters, Periods(
        asked=wanted is not None,
        shown=shown,
        newer=[_period_link(filters, item) for item in coverage if period is not None and item.period > period],
        ranked=_period_link(filters, ranked)
        if ranked is not None and shown is not None and not shown.is_ranked
        else None,
    )


def unpinned_query(filters: Filters, periods: Periods, **overrides: Any) -> str:
    """The filters without the period unless the reader chose it: a default period follows new publications."""
    return filters.query(**({} if periods.asked else {"period": None}), **overrides)


@dataclass
class CompareRequest:
    """The cities, framework version and period asked for, what was wrong with them, and the periods' coverage."""

    codes: list[str]
    refused: bool  # too few or too many cities: nothing is compared
    framework: Framework
    frameworks: list[Framework]
    period: int | None
    coverage: list[result_selectors.PeriodCoverage]
    problems: list[str]

    @property
    def periods(self) -> list[int]:
        return [item.period for item in self.coverage]

    @property
    def comparable(self) -> bool:
        return not self.refused and len(self.codes) >= MIN_COMPARED and self.period is not None

    def query(self, period: int | None) -> str:
        """The request as a query string, for ``period``."""
        return urlencode(
            [("cities", code) for code in self.codes]
            + [("framework", self.framework.code), ("version", self.framework.version), ("period", period or "")]
        )


def compare_request(*, query: QueryDict, user: User) -> CompareRequest:
    """Without a period: the latest in which every chosen city is published, else the one with the most of them.

    A choice of too few or too many cities is refused, not cut short: the
    page says so and compares nothing, so no city silently drops out.
    """
    problems: list[str] = []
    codes = list(
        dict.fromkeys(code.strip() for value in query.getlist("cities") for code in value.split(",") if code.strip())
    )
    known = city_selectors.existing_city_codes(codes)
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(_("Unknown city code: %(codes)s.") % {"codes": ", ".join(unknown)})
    codes = [code for code in codes if code in known]
    refused = bool(codes) and not MIN_COMPARED <= len(codes) <= MAX_COMPARED
    if refused:
        problems.append(
            _("Choose between %(low)d and %(high)d cities; you chose %(count)d.")
            % {"low": MIN_COMPARED, "high": MAX_COMPARED, "count": len(codes)}
        )
    framework, frameworks = _framework(query, problems, city_ids=codes or None)
    coverage = result_selectors.cities_period_coverage(
        city_codes=codes, framework=framework, user=user, kind=Assessment.Kind.CONSULTANT
    )
    period = result_selectors.default_compared_period(coverage)
    wanted = _asked_period(query, {item.period for item in coverage}, period, problems)
    if wanted is not None:
        period = wanted
    return CompareRequest(codes, refused, framework, frameworks, period, coverage, problems)
