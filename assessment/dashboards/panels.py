"""The dashboards' panels: each figure with the exact table it shows and its caption, from published results.

Used by the dashboard views and by the PDF reports, so a report's figure is
the dashboard's figure. Every function takes the reading user, never a
request: the selectors apply the same visibility rules everywhere.
`RegionView` is a region's results as shown (published, or a what-if
scenario), the one object the region page, the city page and both reports
draw from.
"""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessment.dashboards import figures, frames, what_if
from assessment.dashboards.filters import Filters
from assessment.dashboards.labels import (
    city_labels,
    display_number,
    ladder_of,
    node_labels,
    quality_labels,
    sentences,
    short_node_labels,
    stage_labels,
)
from assessment.framework_cache import framework_scoring_options, framework_scoring_tree
from assessment.rank_intervals import method_stated, monte_carlo_ranks
from assessment.selectors import results as result_selectors
from assessment.selectors.crosswalk import re_expressed_region, re_expressed_results
from assessment.selectors.derived import reference_date
from assessment.selectors.peer_groups import member_cities, peer_group_standings
from assessment.what_if_cache import prepared_scoring
from cities.dual_space import DualSpace
from cities.models import City, Region
from cities.outlines import outlines_around
from cities.peer_groups import PEER_GROUP_MINIMUM
from cities.selectors import member_notes, region_dual_space


@dataclass
class Panel:
    """A chart and the exact table it shows."""

    slug: str
    title: str
    figure: dict[str, Any] | None
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str = ""
    # The caption on paper, where it differs (a page's "hover" means nothing in a PDF).
    print_caption: str = ""

    @property
    def caption_in_print(self) -> str:
        return self.print_caption or self.caption

    @property
    def figure_id(self) -> str:
        return f"figure-{self.slug}"


@dataclass
class RegionView:
    filters: Filters
    snapshot: result_selectors.RegionSnapshot | None
    structure: frames.Structure
    ranking: pd.DataFrame
    scores: pd.DataFrame
    stages: pd.Series
    what_if: bool

    @property
    def reference_date(self) -> dt.date:
        """The date agreements count on for this view: the end of its period, or today while it runs."""
        return reference_date(self.filters.period)

    @cached_property
    def dual_space(self) -> DualSpace:
        """The member cities' dual-space gap on the reference date, read once per view.

        The dual-space panels, the synthesis, the surge chapter and every city's
        recommendations read the same one: the regional report asks for it 40-odd times.
        """
        codes = list(self.snapshot.cities.index) if self.snapshot is not None else []
        return region_dual_space(codes, self.reference_date)


def region_view(user: AbstractBaseUser | AnonymousUser, region: Region, filters: Filters) -> RegionView:
    """The region's published results, or their what-if scenario when the filters carry weights."""
    framework = filters.framework
    tree = framework_scoring_tree(framework)
    structure = frames.Structure.of(tree)
    if filters.period is None:
        empty = pd.DataFrame()
        return RegionView(filters, None, structure, empty, empty, pd.Series(dtype="str"), False)
    snapshot = result_selectors.region_snapshot(
        region=region, period=filters.period, framework=framework, user=user, kind=filters.kind
    )
    scores, stages, intervals = snapshot.scores, snapshot.stages, None
    if filters.weights:
        options = framework_scoring_options(framework, tree)
        scenario = what_if.what_if(prepared_scoring(snapshot, options), filters.weights)
        scores, stages = scenario.scores, scenario.stages
    else:
        intervals = monte_carlo_ranks(snapshot)
    ranking = frames.ranking(scores, stages, structure.index, intervals)
    return RegionView(filters, snapshot, structure, ranking, scores, stages, bool(filters.weights))


def _ranking_panel(view: RegionView, labels: dict[str, str], highlight: str | None = None) -> Panel:
    frame = view.ranking
    method = method_stated(view.filters.framework.method_parameters())
    columns = [_("Rank"), _("City"), _("Code"), _("Index"), _("Stage")]
    if not view.what_if:
        columns += [
            _("Rank, percentile %(interval_low)s") % method,
            _("Median rank"),
            _("Rank, percentile %(interval_high)s") % method,
        ]
    rows = []
    for code, row in frame.iterrows():
        values = [
            display_number(row["rank"], 0),
            labels.get(code, code),
            code,
            display_number(row["index"]),
            row["stage"],
        ]
        if not view.what_if:
            values += [
                display_number(row["rank_p05"], 0),
                display_number(row["rank_median"], 1),
                display_number(row["rank_p95"], 0),
            ]
        rows.append(values)
    caption = (
        _("What-if weights: ranks of this scenario, without intervals. Stored results are unchanged.")
        if view.what_if
        else _(
            "Dots: the rank of the published index. Bars: where the rank falls in %(coverage)s per cent of "
            "%(runs)s draws of the weights (each weight times %(low)s to %(high)s) and of the raters' "
            "judgements (each level answer may move one level, more often when its confidence or data "
            "quality is low). A long bar means the rank is not settled by the evidence and the weights; "
            "overlapping bars mean the order of those cities is not settled."
        )
        % method
    )
    if not view.what_if and method["alternatives"]:
        caption = f"{caption} {method['alternatives']}"
    # Where a city stands for part of itself (Shanghai for Songjiang in the G60), the caption says so.
    notes = member_notes(view.snapshot.region) if view.snapshot and view.snapshot.region else {}
    caption = " ".join(
        [caption, *(_("%(note)s.") % {"note": note} for code, note in notes.items() if code in frame.index)]
    )
    return Panel(
        "ranking",
        _("Ranking with rank intervals"),
        figures.ranking_figure(frame, labels, highlight, method),
        columns,
        rows,
        caption,
    )


def _rungs_text(rungs: tuple[str, ...], ladder: tuple[str, ...]) -> str:
    """ "S1–S3" for rungs next to each other on the ladder, else each named."""
    places = [ladder.index(code) for code in rungs if code in ladder]
    if len(rungs) > 2 and places == list(range(places[0], places[0] + len(places))):
        return _("%(first)s–%(last)s") % {"first": rungs[0], "last": rungs[-1]}
    return _(", ").join(rungs)


def _plane_panel(view: RegionView, labels: dict[str, str], highlight: str | None = None) -> Panel | None:
    axes = view.structure.plane_axes
    if axes is None:
        return None
    framework = view.filters.framework
    tree = framework_scoring_tree(framework)
    bars = frames.axis_thresholds(tree, axes)
    threshold = float(framework.stage_threshold)
    frame, x_median, y_median = frames.plane(view.scores, axes, threshold)
    # A median of too few published members (the ranking's rule, PeriodCoverage.is_ranked) is no yardstick:
    # with Shanghai alone published, its lines crossed at Shanghai's own point.
    assert view.snapshot is not None
    coverage = view.snapshot.coverage
    if coverage.is_ranked:
        medians = _(" Dotted lines: the region's medians (%(x_median)s and %(y_median)s), for comparison only.") % {
            "x_median": display_number(x_median),
            "y_median": display_number(y_median),
        }
    else:
        x_median = y_median = float("nan")
        medians = _(
            " No median lines: only %(published)s of %(cities)s member cities are published, too few for a median."
        ) % {"published": coverage.published, "cities": coverage.cities}
    names = node_labels(framework)
    titles = (names.get(axes[0], axes[0]), names.get(axes[1], axes[1]))
    score_unit = _("score 0–100")
    axis_titles = tuple(_("%(name)s (%(unit)s)") % {"name": title, "unit": score_unit} for title in titles)
    shown_threshold = f"{threshold:g}"
    quadrant_names = {
        "both": _("Both ≥ %(threshold)s") % {"threshold": shown_threshold},
        "x_only": _("Only %(axis)s ≥ %(threshold)s") % {"axis": titles[0], "threshold": shown_threshold},
        "y_only": _("Only %(axis)s ≥ %(threshold)s") % {"axis": titles[1], "threshold": shown_threshold},
        "neither": _("Both < %(threshold)s") % {"threshold": shown_threshold},
    }
    # In the corners only the two short names: the long ones ran into each other on a phone, and the
    # threshold lines' labels say which axis is which; the table names every city's quadrant.
    corner_names = {key: quadrant_names[key] for key in ("both", "neither")}
    ladder = tree.ladder.stages if tree.ladder else ()
    lines: dict[str, tuple[float, str]] = {}
    meanings = []
    for place, axis, title in (("x", axes[0], titles[0]), ("y", axes[1], titles[1])):
        bar = bars.get(axis)
        if bar is None:
            continue
        words = {
            "rungs": _rungs_text(bar.rungs, ladder),
            "threshold": f"{bar.threshold:g}",
            "axis": title,
            "nodes": _(", ").join(bar.nodes),
        }
        if bar.whole:
            lines[place] = (bar.threshold, _("%(rungs)s: ≥ %(threshold)s") % words)
            meanings.append(_("%(axis)s must reach it for %(rungs)s") % words)
        else:
            lines[place] = (bar.threshold, _("%(rungs)s: each dimension ≥ %(threshold)s") % words)
            meanings.append(
                _(
                    "each dimension of %(axis)s (%(nodes)s) must reach it for %(rungs)s, so a city below the "
                    "line on this axis has at least one dimension below it, while one above it may still have one"
                )
                % words
            )
    stage_names = stage_labels(framework)
    stage_of = {code: stage_names.get(view.stages.get(code, ""), "") for code in frame.index}
    rows = [
        [
            labels.get(code, code),
            code,
            display_number(row["x"]),
            display_number(row["y"]),
            stage_of[code],
            quadrant_names[row["quadrant"]],
        ]
        for code, row in frame.iterrows()
    ]
    caption = _("x: %(x)s; y: %(y)s; both scored 0–100. Solid lines: the stage threshold, %(threshold)s points") % {
        "x": titles[0],
        "y": titles[1],
        "threshold": shown_threshold,
    }
    if meanings:
        caption += _(": ") + _("; ").join(meanings)
    named = (
        _("every city")
        if len(frame) <= figures.PLANE_ALL_NAMED
        else _(
            "the %(extremes)s highest and lowest on each axis and the %(off)s furthest from the diagonal, "
            "where the name covers no other city"
        )
        % {"extremes": figures.PLANE_EXTREMES, "off": figures.PLANE_OFF_DIAGONAL}
    )
    cut = _(". The quadrants are cut at the threshold.%(medians)s %(names)s")
    # On paper nothing can be hovered and no table follows the plane: the names drawn are all it has.
    print_caption = caption + cut % {"medians": medians, "names": _("Names: %(named)s.") % {"named": named}}
    caption += cut % {
        "medians": medians,
        "names": _("Names: %(named)s; every city on hover and in the table.") % {"named": named},
    }
    return Panel(
        "plane",
        _("The in-city × cross-boundary plane"),
        figures.plane_figure(
            frame,
            (x_median, y_median),
            labels,
            axis_titles,
            highlight,
            thresholds=lines,
            stages=stage_of,
            quadrant_names=corner_names,
        ),
        [_("City"), _("Code"), titles[0], titles[1], _("Stage"), _("Against the stage threshold")],
        rows,
        caption,
        print_caption,
    )


def _heatmap_panel(view: RegionView, labels: dict[str, str]) -> Panel:
    dimensions = list(view.structure.dimensions)
    order = list(view.ranking.index)
    matrix = view.scores.loc[order, dimensions]
    short = short_node_labels(view.filters.framework, dimensions)
    rows = [[labels.get(code, code), *(display_number(v) for v in matrix.loc[code])] for code in order]
    return Panel(
        "heatmap",
        _("Cities × dimensions"),
        figures.heatmap_figure(
            matrix, labels, {code: code for code in dimensions}, _("Score (0–100)"), (_("Dimension"), _("City"))
        ),
        [_("City"), *(short[code] for code in dimensions)],
        rows,
        _("Scores 0–100 per dimension; cities in ranking order."),
    )


def _stage_panel(view: RegionView) -> Panel:
    ladder = ladder_of(view.filters.framework, view.stages)
    counts = frames.stage_distribution(view.stages, ladder)
    stage_names = stage_labels(view.filters.framework)
    colours = figures.stage_colours(ladder)
    return Panel(
        "stages",
        _("Cities per stage"),
        figures.bar_figure(
            [stage_names.get(stage, stage) for stage in ladder],
            counts.tolist(),
            pgettext("axis", "Cities"),
            [colours[stage] for stage in ladder],
            # Bars across, each stage's name over its bar: whole at 390 px, not cut at an angle or at the edge.
            horizontal=True,
            names_above=True,
            category_title=_("Stage"),
        ),
        [_("Stage"), _("Cities")],
        [[stage_names.get(stage, stage), int(count)] for stage, count in counts.items()],
    )


def _map_panel(view: RegionView, labels: dict[str, str]) -> Panel:
    snapshot = view.snapshot
    assert snapshot is not None
    cities = snapshot.cities
    ladder = ladder_of(view.filters.framework, view.stages)
    stage_names = stage_labels(view.filters.framework)
    outlines = outlines_around(zip(cities["longitude"], cities["latitude"], strict=True))
    rows = [
        [
            labels.get(code, code),
            code,
            display_number(row["latitude"], 4),
            display_number(row["longitude"], 4),
            stage_names.get(view.stages.get(code, ""), "") if code in view.stages.index else _("No published result"),
        ]
        for code, row in cities.iterrows()
    ]
    return Panel(
        "map",
        _("Map of stages"),
        figures.map_figure(
            outlines, cities, view.stages, labels, stage_names, ladder, priority=list(view.ranking.index)
        ),
        [_("City"), _("Code"), _("Latitude"), _("Longitude"), _("Stage")],
        rows,
        _("Cities at their coordinates over province outlines (background only, not an official map)."),
    )


def _movers_panel(user: AbstractBaseUser | AnonymousUser, view: RegionView, labels: dict[str, str]) -> Panel | None:
    filters = view.filters
    earlier = [period for period in filters.periods if filters.period and period < filters.period]
    if view.snapshot is None or not filters.period:
        return None
    across: str = ""  # the earlier version, when the movers reach across a version break
    if earlier:
        previous = result_selectors.region_snapshot(
            region=filters.region, period=earlier[0], framework=filters.framework, user=user, kind=filters.kind
        )
        frame = frames.movers(
            view.snapshot.scores,
            previous.scores,
            view.structure.index,
            view.snapshot.stages,
            previous.stages,
            monte_carlo_ranks(view.snapshot),
            monte_carlo_ranks(previous),
        )
    else:
        # The version's first period: compare with the previous version's, re-expressed in this one from the
        # answers that carry (selectors/crosswalk.py). No interval exists for a re-expressed score, so no
        # change is called beyond the uncertainty.
        found = re_expressed_region(
            region=filters.region, framework=filters.framework, kind=filters.kind, user=user, before=filters.period
        )
        if found is None:
            return None
        period, table = found
        earlier, across = [period], table.from_version
        frame = frames.movers(
            view.snapshot.scores, table.scores, view.structure.index, view.snapshot.stages, table.stages
        )
    shown = frames.biggest_moves(frame)
    rows = [
        [
            labels.get(code, code),
            code,
            display_number(row["before"]),
            display_number(row["now"]),
            display_number(row["change"], frames.MOVE_DIGITS),
            row["stage_before"],
            row["stage_now"],
            "" if pd.isna(row["significant"]) else (_("yes") if row["significant"] else _("no")),
        ]
        for code, row in shown.iterrows()
    ]
    periods = {"before": earlier[0], "now": filters.period}
    rose, fell = (frame["direction"] == "rise").any(), (frame["direction"] == "fall").any()
    none_moved = (
        _("No city rose or fell between %(before)s and %(now)s.")
        if not rose and not fell
        else _("No city rose between %(before)s and %(now)s.")
        if not rose
        else _("No city fell between %(before)s and %(now)s.")
        if not fell
        else ""
    ) % periods
    caption = (
        _(
            "Published index scores; the %(count)s biggest rises and the %(count)s biggest falls. A city whose "
            "change rounds to %(zero)s points is neither. A change is beyond the uncertainty only when the index's "
            "intervals in the two periods (percentiles %(interval_low)s to %(interval_high)s over the Monte "
            "Carlo's draws) do not overlap."
        )
        if not across
        else _(
            "Index scores; the %(count)s biggest rises and the %(count)s biggest falls. A city whose change rounds "
            "to %(zero)s points is neither. A re-expressed score has no interval, so no change across the break is "
            "called beyond the uncertainty."
        )
    ) % {
        "count": frames.MOVERS_SHOWN,
        "zero": f"{0:.{frames.MOVE_DIGITS}f}",
        **method_stated(filters.framework.method_parameters()),
    }
    if across:
        caption = sentences(
            _(
                "%(before)s is published under %(earlier)s and shown re-expressed in %(current)s from the answers "
                "that carry across the change of version; indicators new in %(current)s are missing from it, so a "
                "change here mixes progress with the change of framework."
            )
            % {
                "before": earlier[0],
                "earlier": across,
                "current": f"{filters.framework.code} {filters.framework.version}",
            },
            caption,
        )
    return Panel(
        "movers",
        _("Biggest movers since %(period)s") % {"period": earlier[0]}
        if not across
        else _("Biggest movers since %(period)s (re-expressed from %(earlier)s)")
        % {"period": earlier[0], "earlier": across},
        figures.bar_figure(
            [labels.get(code, code) for code in shown.index],
            [display_number(change, frames.MOVE_DIGITS) for change in shown["change"]],
            _("Change (points)"),
            horizontal=True,
            category_title=_("City"),
            digits=frames.MOVE_DIGITS,
        )
        if not shown.empty
        else None,
        [
            _("City"),
            _("Code"),
            str(earlier[0]),
            str(filters.period),
            _("Change"),
            _("Stage before"),
            _("Stage now"),
            _("Beyond the uncertainty"),
        ],
        rows,
        f"{none_moved} {caption}".strip(),
    )


# The region page's own charts, in page order.
REGION_PANELS = ("ranking", "plane", "heatmap", "map", "stages", "movers")


def region_panels(
    user: AbstractBaseUser | AnonymousUser, view: RegionView, only: Collection[str] = REGION_PANELS
) -> list[Panel]:
    """The region's charts in page order, drawing only those named in `only`.

    A chart's download, the what-if answer and the regional report each need a few of them: the map
    reads every member's outline and the movers re-express the period before, work a ranking CSV
    has no use for. A chart without anything to show (no plane, no movers) is left out.
    """
    assert view.snapshot is not None
    labels = city_labels(view.snapshot.cities)
    builders: dict[str, Callable[[], Panel | None]] = {
        "ranking": lambda: _ranking_panel(view, labels),
        "plane": lambda: _plane_panel(view, labels),
        "heatmap": lambda: _heatmap_panel(view, labels),
        "map": lambda: _map_panel(view, labels),
        "stages": lambda: _stage_panel(view),
        # Movers compare published results: a what-if scenario has none to compare.
        "movers": lambda: None if view.what_if else _movers_panel(user, view, labels),
    }
    drawn = (builders[slug]() for slug in REGION_PANELS if slug in only)
    return [panel for panel in drawn if panel is not None]


def _peer_groups_panel(user: AbstractBaseUser | AnonymousUser, view: RegionView, city: City, city_label: str) -> Panel:
    """The city among cities like it (issue 20, point 4); a group with too few published results gets a note."""
    standings = peer_group_standings(
        city=city, framework=view.filters.framework, period=view.filters.period, kind=view.filters.kind, user=user
    )
    shown = [standing for standing in standings if standing.shown]
    names = city_labels(member_cities(sorted({code for s in shown for code in s.scores})))
    rows = []
    for standing in standings:
        position = standing.position
        if standing.shown and position is not None:
            rows.append(
                [
                    standing.group.name,
                    f"{position.members_scored} / {len(standing.members)}",
                    f"{position.rank} / {position.members_scored}",
                    position.rating,
                    display_number(position.city_score),
                    display_number(position.median),
                    display_number(position.best),
                ]
            )
        else:
            note = (
                _("Not shown: the city has no published result for this period.")
                if position is None
                else _(
                    "Not shown: %(scored)d of its %(members)d cities have published results; %(minimum)d are needed."
                )
                % {"scored": len(standing.scores), "members": len(standing.members), "minimum": PEER_GROUP_MINIMUM}
            )
            rows.append(
                [standing.group.name, f"{len(standing.scores)} / {len(standing.members)}", note, "", "", "", ""]
            )
    return Panel(
        "peer_groups",
        _("Among cities like it"),
        figures.peer_groups_figure(
            [(standing.group.name, standing.scores) for standing in shown], names, city.code, city_label
        )
        if shown
        else None,
        [
            _("Peer group"),
            _("Cities with results"),
            _("Rank in the group"),
            _("Rating in the group"),
            _("Index"),
            _("Group median"),
            _("Group best"),
        ],
        rows,
        _(
            "Groups of like cities by administrative level, resident population and province, across every region. "
            "A group is shown when at least %(minimum)d of its cities have published results for this period and "
            "framework; the rating runs from AAA (the top tenth of the group) to D (the bottom tenth), as the IMD "
            "Smart City Index rates cities within groups."
        )
        % {"minimum": PEER_GROUP_MINIMUM},
    )


def _trend_panel(user: AbstractBaseUser | AnonymousUser, view: RegionView, city: City, names: dict[str, str]) -> Panel:
    """The city's index and halves over the periods in the version shown, across a version break (issue 20).

    The line holds the shown version's published results and, for the periods
    published under its previous version, those results re-expressed in it
    from the answers that carry (selectors/crosswalk.py): open markers, and a
    dashed line marks the break. Results under any other version are listed in
    the table, never drawn on the same line.
    """
    framework = view.filters.framework
    structure = view.structure
    current = f"{framework.code} {framework.version}"
    history = [item for item in result_selectors.city_results(city=city, user=user) if item.kind == view.filters.kind]
    own = {item.period: item for item in history if f"{item.framework_code} {item.framework_version}" == current}
    re_expressed = {
        period: value
        for period, value in re_expressed_results(
            city=city, framework=framework, kind=view.filters.kind, user=user
        ).items()
        if period not in own
    }
    trend_codes = [structure.index, *structure.halves]
    periods = sorted(set(own) | set(re_expressed))
    trend = pd.DataFrame(
        [
            [
                value
                if (value := (own[p].scores if p in own else re_expressed[p].scores).get(code)) is not None
                else float("nan")
                for code in trend_codes
            ]
            for p in periods
        ],
        index=periods,
        columns=trend_codes,
        dtype=float,
    )
    first_own = min((p for p in own if any(q < p for q in re_expressed)), default=None)
    break_label = (
        _("%(earlier)s → %(current)s") % {"earlier": next(iter(re_expressed.values())).from_version, "current": current}
        if re_expressed and first_own is not None
        else ""
    )
    rows: list[list[Any]] = [
        [
            item.period,
            f"{item.framework_code} {item.framework_version}",
            item.stage,
            *(display_number(item.scores.get(code)) for code in trend_codes),
        ]
        for item in history
    ]
    rows += [
        [
            value.period,
            _("%(earlier)s re-expressed in %(current)s (%(share)s %% of the weight carried)")
            % {"earlier": value.from_version, "current": current, "share": display_number(100 * value.coverage, 0)},
            value.stage,
            *(display_number(value.scores.get(code)) for code in trend_codes),
        ]
        for value in re_expressed.values()
    ]
    rows.sort(key=lambda row: row[0])
    others = sorted({f"{i.framework_code} {i.framework_version}" for i in history} - {current})
    caption = _("Published results of every period; the framework version is in the table.")
    if re_expressed:
        caption = sentences(
            caption,
            _(
                "Open markers: periods published under %(earlier)s, re-expressed in %(current)s from the answers "
                "that carry across the change of version (same, reworded or rescaled indicators); the dashed line "
                "marks the break. Indicators new in %(current)s are missing there, so compare across the break with "
                "care."
            )
            % {"earlier": next(iter(re_expressed.values())).from_version, "current": current},
        )
    elif others:
        caption = sentences(
            caption,
            _("Results under %(others)s are in the table, not on the line: they are not comparable with %(current)s.")
            % {"others": ", ".join(others), "current": current},
        )
    return Panel(
        "trend",
        _("Trend"),
        figures.trend_figure(
            trend,
            names,
            re_expressed={str(p) for p in re_expressed},
            break_before=str(first_own) if break_label else None,
            break_label=break_label,
        ),
        [_("Period"), _("Framework"), _("Stage"), *(names.get(code, code) for code in trend_codes)],
        rows,
        caption,
    )


def city_panels(
    user: AbstractBaseUser | AnonymousUser, view: RegionView, city: City
) -> tuple[list[Panel], dict[str, Any]]:
    snapshot = view.snapshot
    assert snapshot is not None
    labels = city_labels(snapshot.cities)
    framework = view.filters.framework
    structure = view.structure
    panels: list[Panel] = []
    extra: dict[str, Any] = {}
    city_label = labels.get(city.code, city.name)
    ranking = _ranking_panel(view, labels, highlight=city.code)
    panels.append(ranking)
    plane = _plane_panel(view, labels, highlight=city.code)
    if plane:
        panels.append(plane)
    dimensions = list(structure.dimensions)
    short = short_node_labels(framework, dimensions)
    peers = frames.peers(view.scores, city.code, dimensions)
    # Too few members published (PeriodCoverage.is_ranked): the region's median and best would be the city's own
    # scores again, so the radar draws the city alone and no strengths or weaknesses are named.
    period_coverage = snapshot.coverage
    if period_coverage.is_ranked:
        radar_columns = [_("Dimension"), city_label, _("Region median"), _("Region best"), _("Against the median")]
        radar_rows = [
            [
                short[code],
                display_number(row["city"]),
                display_number(row["median"]),
                display_number(row["best"]),
                display_number(row["versus_median"]),
            ]
            for code, row in peers.iterrows()
        ]
        radar_caption = ""
    else:
        radar_columns = [_("Dimension"), city_label]
        radar_rows = [[short[code], display_number(row["city"])] for code, row in peers.iterrows()]
        radar_caption = _(
            "Only %(published)s of %(cities)s member cities are published for %(period)s: the region's median "
            "and best are not drawn, they would describe too few cities."
        ) % {"published": period_coverage.published, "cities": period_coverage.cities, "period": period_coverage.period}
    radar = Panel(
        "radar",
        _("Dimensions against the region"),
        figures.radar_figure(
            peers, {code: code for code in dimensions}, city_label, with_region=period_coverage.is_ranked
        ),
        radar_columns,
        radar_rows,
        radar_caption,
    )
    panels.append(radar)
    panels.append(_peer_groups_panel(user, view, city, city_label))
    # Lists read as text, not as an axis: the full name, however long.
    names = node_labels(framework)
    strengths, weaknesses = frames.strengths_and_weaknesses(peers)
    if not period_coverage.is_ranked:
        strengths, weaknesses = strengths.iloc[:0], weaknesses.iloc[:0]
    extra["thin_region"] = None if period_coverage.is_ranked else period_coverage
    extra["strengths"] = [
        (f"{code} {names.get(code, '')}".strip(), display_number(row["versus_median"]))
        for code, row in strengths.iterrows()
    ]
    extra["weaknesses"] = [
        (f"{code} {names.get(code, '')}".strip(), display_number(row["versus_median"]))
        for code, row in weaknesses.iterrows()
    ]
    # Indicators: dimensions as rows, the n-th indicator of each as columns.
    width = max((len(structure.indicators_of[d]) for d in dimensions), default=0)
    matrix = pd.DataFrame(index=dimensions, columns=[str(i + 1) for i in range(width)], dtype=float)
    indicator_rows = []
    for dimension in dimensions:
        for position, indicator in enumerate(structure.indicators_of[dimension]):
            value = snapshot.normalised.loc[city.code, indicator] if indicator in snapshot.normalised else float("nan")
            matrix.loc[dimension, str(position + 1)] = value
            indicator_rows.append(
                [
                    indicator,
                    names.get(indicator, indicator),
                    display_number(snapshot.raw.loc[city.code, indicator], 2),
                    display_number(value),
                ]
            )
    panels.append(
        Panel(
            "indicators",
            _("Indicator scores"),
            figures.heatmap_figure(
                matrix,
                {code: code for code in dimensions},
                {},
                _("Score (0–100)"),
                (_("Indicator of the dimension (n-th)"), _("Dimension")),
            ),
            [_("Indicator"), _("Name"), _("Answer"), _("Score")],
            indicator_rows,
            _(
                "One row per dimension; cell n is the dimension's n-th indicator, normalised 0–100. "
                "Blank: not answered or not applicable."
            ),
        )
    )
    panels.append(_trend_panel(user, view, city, names))
    # Evidence and data quality of the city's assessment of this period.
    assessment_id = snapshot.assessment_ids.get(city.code)
    if assessment_id:
        coverage = result_selectors.data_coverage(assessment_id)
        grades = list(coverage.by_quality)
        grade_names = quality_labels(snapshot.is_demo)
        panels.append(
            Panel(
                "quality",
                _("Data quality of the answers"),
                figures.bar_figure(
                    grades,
                    [coverage.by_quality[g] for g in grades],
                    pgettext("axis", "Answers"),
                    category_title=_("Data quality grade"),
                ),
                [_("Grade"), _("Answers")],
                [[grade_names[g], coverage.by_quality[g]] for g in grades],
                sentences(
                    _("Grades from A (measured, documented method) to F (unknown method)."),
                    _("Demo data: these grades were generated with the answers; nothing was measured."),
                )
                if snapshot.is_demo
                else _("Grades from A (measured, documented method) to F (unknown method)."),
            )
        )
        extra["coverage"] = coverage
    return panels, extra


def compare_panels(snapshot: result_selectors.RegionSnapshot, codes: list[str]) -> list[Panel]:
    labels = city_labels(snapshot.cities)
    framework = snapshot.framework
    structure = frames.Structure.of(snapshot.tree)
    names = node_labels(framework)
    present = [code for code in codes if code in snapshot.scores.index]
    aggregates = [structure.index, *structure.halves, *structure.dimensions]
    frame = snapshot.scores.loc[present, structure.dimensions].T
    stage_row = [_("Stage"), "", *(snapshot.stages.get(code, "") for code in present)]
    aggregate_rows = [
        [code, names.get(code, code), *(display_number(snapshot.scores.loc[city, code]) for city in present)]
        for code in aggregates
    ]
    indicator_rows = []
    for dimension in structure.dimensions:
        for indicator in structure.indicators_of[dimension]:
            indicator_rows.append(
                [indicator, names.get(indicator, indicator)]
                + [display_number(snapshot.raw.loc[city, indicator], 2) for city in present]
                + [display_number(snapshot.normalised.loc[city, indicator]) for city in present]
            )
    city_names = [labels.get(city, city) for city in present]
    return [
        Panel(
            "dimensions",
            _("Every dimension"),
            figures.grouped_bar_figure(
                frame, labels, {code: code for code in structure.dimensions}, _("Score (0–100)"), _("Dimension")
            ),
            [_("Code"), _("Name"), *city_names],
            [stage_row, *aggregate_rows],
            _(
                "The chart: every dimension, 0–100; the table adds the stage, the index and its halves. "
                "Dimensions: %(names)s."
            )
            # A caption is prose with room for every name in full: an axis label may be cut to its code, this may not.
            % {"names": _("; ").join(f"{code} {names.get(code, code)}" for code in structure.dimensions)},
        ),
        Panel(
            "indicators",
            _("Every indicator"),
            None,
            [_("Code"), _("Name")]
            + [_("%(city)s: answer") % {"city": name} for name in city_names]
            + [_("%(city)s: score") % {"city": name} for name in city_names],
            indicator_rows,
            _(
                "The answer as given (level 0–5, value or yes = 1 / no = 0) and its normalised score 0–100; "
                "blank: not answered or not applicable."
            ),
        ),
    ]
