"""What a campaign's reviewer reads: the campaigns they run and each one's progress board.

The board is cities × dimensions: per city its assessment's state (draft,
submitted, in review, returned, approved, published), per dimension how many
indicators are answered and how many of those still lack the evidence their
indicator requires (the rule of `assessment_dimensions`, which submission
uses too), and how many returned indicators are still open.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from assessment.models import Assessment, Campaign, FrameworkNode
from assessment.selectors.assessments import DimensionProgress, dimensions_by_assessment, open_returns_by_assessment
from cities.models import City


def campaigns_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Campaign]:
    """An administrator's every campaign, a reviewer's own; nobody else reads campaigns (one team, one board)."""
    campaigns = Campaign.objects.select_related("region", "framework", "reviewer")
    if has_role(user, Role.ADMINISTRATOR):
        return campaigns
    if has_role(user, Role.REVIEWER):
        return campaigns.filter(reviewer=user)
    return campaigns.none()


@dataclass(frozen=True)
class CityProgress:
    city: City
    assessment: Assessment | None  # None: the city has no assessment in the campaign (held by another)
    dimensions: dict[str, DimensionProgress]  # by dimension code
    open_returns: int
    cells: list[DimensionProgress | None]  # in the board's dimension order (None: no assessment)

    @property
    def answered(self) -> int:
        return sum(progress.answered for progress in self.dimensions.values())

    @property
    def total(self) -> int:
        return sum(progress.total for progress in self.dimensions.values())

    @property
    def needs_evidence(self) -> int:
        return sum(progress.needs_evidence for progress in self.dimensions.values())

    @property
    def percent(self) -> int:
        """Answered with the evidence required, as a share of the indicators (what submission waits for)."""
        complete = sum(progress.complete for progress in self.dimensions.values())
        return round(100 * complete / self.total) if self.total else 0


@dataclass(frozen=True)
class CampaignBoard:
    campaign: Campaign
    dimensions: list[FrameworkNode]
    rows: list[CityProgress]

    def status_counts(self) -> list[tuple[str, str, int]]:
        """How many cities are in each state (the board's summary line), in workflow order: value, label, count."""
        counts = {status: 0 for status in Assessment.Status.values}
        for row in self.rows:
            if row.assessment is not None:
                counts[row.assessment.status] += 1
        return [(status, str(label), counts[status]) for status, label in Assessment.Status.choices]


STATUS_FILTERS = ("", *Assessment.Status.values)


def campaign_board(campaign: Campaign, *, status: str = "", province: str = "") -> CampaignBoard:
    """The board of ``campaign``, its rows filtered by assessment state and province code."""
    assessments = {
        assessment.city_id: assessment
        for assessment in campaign.assessments.select_related("city__province", "reviewer").prefetch_related(
            "consultants"
        )
    }
    cities = campaign.cities.select_related("province").order_by("province__code", "code")
    if province:
        cities = cities.filter(province__code=province)
    dimensions = list(
        # The parents of the indicators, as `assessment_dimensions` counts them.
        FrameworkNode.objects.filter(framework=campaign.framework, children__kind=FrameworkNode.Kind.INDICATOR)
        .distinct()
        .order_by("parent__order", "order")
    )
    ids = [assessment.pk for assessment in assessments.values()]
    progress_of, returns_of = dimensions_by_assessment(ids), open_returns_by_assessment(ids)
    rows = []
    for city in cities:
        assessment = assessments.get(city.code)
        if status and (assessment is None or assessment.status != status):
            continue
        progress = {p.node.code: p for p in progress_of.get(assessment.pk, [])} if assessment else {}
        returns = returns_of.get(assessment.pk, 0) if assessment else 0
        rows.append(
            CityProgress(
                city=city,
                assessment=assessment,
                dimensions=progress,
                open_returns=returns,
                cells=[progress.get(node.code) for node in dimensions],
            )
        )
    return CampaignBoard(campaign=campaign, dimensions=dimensions, rows=rows)


def campaign_board_table(board: CampaignBoard) -> tuple[list[str], list[list[object]]]:
    """The board as the columns and rows of its CSV/XLSX download: one row per city, the page's cells spelled out."""
    columns = [
        _("City code"),
        _("City"),
        _("Province"),
        _("Status"),
        _("Deadline"),
        _("Answered"),
        _("Indicators"),
        _("Answered, lacking evidence"),
        _("Returned indicators open"),
        _("Complete (%)"),
    ]
    columns += [f"{node.code} {node.name}" for node in board.dimensions]
    rows: list[list[object]] = []
    for row in board.rows:
        assessment = row.assessment
        cells: list[object] = [
            row.city.code,
            row.city.name,
            row.city.province.name if row.city.province_id else "",
            assessment.get_status_display() if assessment else _("not in this campaign"),
            assessment.deadline.isoformat() if assessment and assessment.deadline else "",
            row.answered,
            row.total,
            row.needs_evidence,
            row.open_returns,
            row.percent,
        ]
        cells += [f"{progress.answered}/{progress.total}" if progress else "" for progress in row.cells]
        rows.append(cells)
    return columns, rows
