"""Where a city stands in its region: rank, interval, stage ladder, next stage and the steps to it.

One `CityHeadline`, built from the region's results as shown (`RegionView`),
is what the city page's top cards and ladder and the city report's summary
both print, so the two cannot disagree. `compared_region` is the one rule
for which region a city is compared with.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from assessment.dashboards import frames
from assessment.dashboards.labels import display_number, gap_step_rows, ladder_of, node_labels, stage_labels
from assessment.dashboards.panels import RegionView
from assessment.models import Assessment
from assessment.rank_intervals import method_stated
from assessment.selectors.assessments import GapStep, gap_steps
from cities.models import City, Region

# The city page offers to compare a city with this many cities ranked next to it.
NEAREST_PEERS = 2


def compared_region(regions: list[Region], asked: str | None) -> Region | None:
    """The region a city is compared with: the one asked for among its ``regions``, else the smallest.

    ``regions`` are the city's, smallest first (`cities.selectors.regions_of_city`);
    None when it belongs to none.
    """
    return next((region for region in regions if region.code == asked), regions[0] if regions else None)


@dataclass(frozen=True)
class Rung:
    """One stage of the ladder as a city sees it: reached, the one it stands on, or ahead."""

    code: str
    label: str
    reached: bool
    current: bool


@dataclass(frozen=True)
class CityHeadline:
    """A city's standing in the region shown, with its numbers rounded as a reader reads them."""

    assessment: Assessment
    rank: Any
    ranked: int
    interval: tuple[Any, Any]
    # The interval's share of draws and the share of draws on the city's stage (percent), for the captions.
    interval_coverage: str
    stage_share: Any
    index_score: Any
    stage: str
    stage_label: str
    ladder: list[Rung]
    next_stage: str | None
    next_stage_label: str | None
    halves: list[tuple[str, str, Any]]  # (code, name, score)
    steps: list[GapStep]
    nearest: list[str]

    @property
    def interval_text(self) -> str:
        """ "排名区间：第1—3名" / "Rank interval: 1–3"; "" without an interval (a what-if scenario has none)."""
        low, high = self.interval
        if low == "" or high == "":
            return ""
        return _("Rank interval: %(low)s–%(high)s") % {"low": low, "high": high}

    @property
    def interval_share_text(self) -> str:
        """The share of draws the interval holds (`method_stated`): "（90%的权重与评定抽样落在此区间）"."""
        if not self.interval_text:
            return ""
        return _("(%(coverage)s %% of draws of the weights and the raters' judgements)") % {
            "coverage": self.interval_coverage
        }

    @cached_property
    def step_rows(self) -> list[dict[str, Any]]:
        """The steps to the next stage with their answers written out ("level 2", "90 %")."""
        return gap_step_rows(self.steps)


def city_headline(view: RegionView, city: City) -> CityHeadline:
    """The headline of ``city``, which must be scored in ``view`` (its region's results as shown)."""
    assert view.snapshot is not None
    framework = view.filters.framework
    row = view.ranking.loc[city.code]
    assessment = Assessment.objects.select_related("result", "framework").get(
        pk=view.snapshot.assessment_ids[city.code]
    )
    names = stage_labels(framework)
    ladder = ladder_of(framework, view.stages)
    current = str(view.stages[city.code])
    next_stage = (assessment.result.gap or {}).get("next_stage")
    node_names = node_labels(framework)
    return CityHeadline(
        assessment=assessment,
        rank=display_number(row["rank"], 0),
        ranked=int(view.ranking["rank"].notna().sum()),
        interval=(display_number(row["rank_p05"], 0), display_number(row["rank_p95"], 0)),
        interval_coverage=method_stated(framework.method_parameters())["coverage"],
        stage_share=display_number(row["stage_share"] * 100, 0),
        index_score=display_number(row["index"]),
        stage=current,
        stage_label=names.get(current, current),
        ladder=[
            Rung(
                code=stage,
                label=names.get(stage, stage),
                reached=ladder.index(stage) <= ladder.index(current),
                current=stage == current,
            )
            for stage in ladder
        ],
        next_stage=next_stage,
        next_stage_label=names.get(next_stage, next_stage) if next_stage else None,
        halves=[
            (code, node_names.get(code, code), display_number(view.scores.loc[city.code, code]))
            for code in view.structure.halves
        ],
        steps=gap_steps(assessment),
        nearest=frames.nearest_in_rank(view.ranking, city.code, NEAREST_PEERS),
    )
