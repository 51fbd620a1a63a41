"""A region's synthesis as the region dashboard and the regional report show it: key messages, panels, tables.

The numbers come from `assessment.insight.synthesis` (pure); what it needs
beyond the snapshot (the earlier period's results, the stored gaps to the
next stage, the agreements, the sub-regions, the dual-space gap) comes
through selectors (`assessment.selectors.synthesis`, `results`,
`cities.selectors`), and this module names the codes in the reader's
language. The synthesis always reads the PUBLISHED results, never a what-if
scenario: its convergence compares two published periods. The actions many
cities share come from every city's recommendations, which only the regional
report prints: `assessment.reports.region_content` computes them.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from assessment.dashboards.labels import (
    city_labels,
    display_number,
    domain_in_sentence,
    ladder_of,
    node_labels,
    sentences,
    stage_labels,
)
from assessment.dashboards.panels import Panel, RegionView
from assessment.insight import synthesis
from assessment.selectors import results as result_selectors
from assessment.selectors import synthesis as synthesis_selectors
from assessment.selectors.crosswalk import re_expressed_region
from cities import selectors as city_selectors
from cities.bilingual import in_english
from cities.chart_style import FONT, as_plotly_text
from cities.dual_space import PRIORITY_PAIRS, DualSpace, PairGap
from cities.models import Agreement, Region

User = AbstractBaseUser | AnonymousUser
# The regional recommendations name this many weakest domains; the priority pairs are cities.dual_space's.
PRIORITY_DOMAINS = 3


@dataclass
class RegionSynthesis:
    """Everything the synthesis says about one region and period, codes named, numbers unrounded."""

    region: Region
    period: int
    earlier: int | None
    on: dt.date
    index: str
    halves: tuple[str, ...]
    dimensions: tuple[str, ...]
    ladder: list[str]
    dispersion: pd.DataFrame
    convergence: list[synthesis.Convergence]
    provinces: list[synthesis.GroupSummary]
    subregions: list[synthesis.GroupSummary]
    matrix: pd.DataFrame
    messages: list[synthesis.KeyMessage]
    weakest: list[str]
    dual: DualSpace | None
    priority_pairs: list[PairGap]
    city_names: dict[str, str]
    node_names: dict[str, str]
    stage_names: dict[str, str]
    group_names: dict[str, str]
    domain_names: dict[str, str] = field(default_factory=dict)
    # Set when the period is its version's first: ``earlier`` is the previous version's ("DSMF 1.0") latest
    # period, re-expressed in this version from the answers that carry, so the reader is told so.
    earlier_from: str | None = None

    @property
    def texts(self) -> list[str]:
        """The key messages as sentences in the active language."""
        return [text for text in (message_text(self, message) for message in self.messages) if text]


def _earlier_period(view: RegionView) -> int | None:
    period = view.filters.period
    earlier = [p for p in view.filters.periods if period is not None and p < period]
    return max(earlier) if earlier else None


def _earlier_label(found: RegionSynthesis) -> str:
    """The earlier period as a sentence names it: "2024", or "2024 (DSMF 1.0, re-expressed)" across a break."""
    if found.earlier_from is None:
        return str(found.earlier)
    return _("%(period)s (%(version)s, re-expressed)") % {"period": found.earlier, "version": found.earlier_from}


def _groups(snapshot: result_selectors.RegionSnapshot, region: Region) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The provinces of the members (by code) and their names."""
    cities = snapshot.cities
    provinces: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    column = "province_en" if in_english() else "province_zh"
    for code, row in cities.sort_values("province").iterrows():
        provinces.setdefault(str(row["province"]), []).append(str(code))
        names[str(row["province"])] = str(row[column])
    return provinces, names


def region_synthesis(user: User, view: RegionView) -> RegionSynthesis:
    """The synthesis of the region and period of ``view`` (which must have published results)."""
    snapshot = view.snapshot
    assert snapshot is not None and not snapshot.is_empty and view.filters.period is not None
    framework = view.filters.framework
    region = view.filters.region
    structure = view.structure
    scores, stages = snapshot.scores, snapshot.stages
    ladder = ladder_of(framework, stages)
    nodes = [structure.index, *structure.halves, *structure.dimensions]
    earlier = _earlier_period(view)
    earlier_from: str | None = None
    before_scores: pd.DataFrame | None = None
    if earlier is not None:
        before_scores = result_selectors.region_snapshot(
            region=region, period=earlier, framework=framework, user=user, kind=view.filters.kind
        ).scores
    else:
        # The version's first period: compare with the previous version's latest, re-expressed (as the movers do).
        crossed = re_expressed_region(
            region=region, framework=framework, kind=view.filters.kind, user=user, before=view.filters.period
        )
        if crossed is not None:
            earlier, table = crossed
            before_scores, earlier_from = table.scores, table.from_version
    convergence: list[synthesis.Convergence] = []
    if earlier is not None and before_scores is not None:
        for node in (structure.index, *structure.halves):
            found = synthesis.sigma_convergence(before_scores, scores, node, earlier, view.filters.period)
            if found is not None:
                convergence.append(found)
    provinces, province_names = _groups(snapshot, region)
    subregion_members, subregion_names = synthesis_selectors.subregion_members(region)
    province_groups, subregion_groups = (
        synthesis.group_breakdown(
            scores, stages, members, kind=kind, index=structure.index, halves=structure.halves, ladder=ladder
        )
        for members, kind in ((provinces, "province"), (subregion_members, "subregion"))
    )
    codes = list(snapshot.cities.index)
    # The dual-space chapter's date (the period's end, today while it runs): the summary, the matrix,
    # the dual-space gap and the surge test all count the same agreements.
    on = view.reference_date
    domains = [value for value, _label in Agreement.Domain.choices]
    matrix = synthesis.interoperability_matrix(codes, city_selectors.agreement_edges(city_codes=codes), domains, on)
    dual = view.dual_space
    priority_pairs = dual.priority(PRIORITY_PAIRS)
    dimension_of = {indicator: dimension for dimension, under in structure.indicators_of.items() for indicator in under}
    cross = structure.plane_axes[1] if structure.plane_axes else structure.index
    by_node = {item.node: item for item in convergence}
    strongest = priority_pairs[0] if priority_pairs else None
    messages = synthesis.key_messages(
        [
            synthesis.stage_message(stages, ladder, synthesis_selectors.gap_dimensions(snapshot, dimension_of)),
            synthesis.group_message([*subregion_groups, *province_groups], cross),
            synthesis.convergence_message(by_node.get(cross)),
            synthesis.domain_message(matrix),
            synthesis.flow_message(
                strongest.pair if strongest else None,
                strongest.coverage if strongest else math.nan,
                strongest.flow_share if strongest else math.nan,
            ),
        ]
    )
    return RegionSynthesis(
        region=region,
        period=view.filters.period,
        earlier=earlier,
        on=on,
        index=structure.index,
        halves=tuple(structure.halves),
        dimensions=tuple(structure.dimensions),
        ladder=ladder,
        dispersion=synthesis.dispersion(scores, nodes),
        convergence=convergence,
        earlier_from=earlier_from,
        provinces=province_groups,
        subregions=subregion_groups,
        matrix=matrix,
        messages=messages,
        weakest=synthesis.weakest_domains(matrix, PRIORITY_DOMAINS),
        dual=dual,
        priority_pairs=priority_pairs,
        city_names=city_labels(snapshot.cities),
        node_names=node_labels(framework),
        stage_names=stage_labels(framework),
        group_names={**province_names, **subregion_names},
        domain_names={value: str(label) for value, label in Agreement.Domain.choices},
    )


# Sentences


def _number(value: float, digits: int = 1) -> str:
    shown = display_number(value, digits)
    return "" if shown == "" else f"{shown:.{digits}f}" if digits else str(shown)


def _join(items: list[str]) -> str:
    """A list as a sentence writes it: "A、B和C" / "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    if in_english():
        return ", ".join(items[:-1]) + " and " + items[-1]
    return "、".join(items[:-1]) + "和" + items[-1]


def _node(found: RegionSynthesis, code: str) -> str:
    """ "X2 互认与跨域服务": code and name with a space, as the tables elsewhere print them."""
    return f"{code} {found.node_names.get(code, code)}"


def message_text(found: RegionSynthesis, message: synthesis.KeyMessage) -> str:
    """One key message as a sentence in the active language."""
    p = message.parameters
    if message.key == "stages":
        text = _("%(early)s of %(cities)s cities are at %(stage)s or below.") % {
            "early": p["early"],
            "cities": p["cities"],
            "stage": found.stage_names.get(str(p["highest_early"]), p["highest_early"]),
        }
        if p["blocker"]:
            blocker = _(
                "The dimension that most often stands between a city and its next stage is %(dimension)s "
                "(%(blocked)s cities)."
            ) % {"dimension": _node(found, str(p["blocker"])), "blocked": p["blocked"]}
            # Two sentences: a space between them in English, none after a Chinese full stop.
            text = _("%(first)s %(second)s") % {"first": text, "second": blocker}
        return text
    if message.key == "group_lead":
        values = {
            "group": found.group_names.get(str(p["group"]), p["group"]),
            "half": _node(found, str(p["half"])),
            "lead": _number(abs(float(p["lead"]))),
            "median": _number(float(p["median"])),
            "rest": _number(float(p["rest_median"])),
        }
        if float(p["lead"]) > 0:
            return (
                _(
                    "%(group)s leads the rest of the region by %(lead)s points on %(half)s "
                    "(median %(median)s against %(rest)s)."
                )
                % values
            )
        return (
            _(
                "%(group)s trails the rest of the region by %(lead)s points on %(half)s "
                "(median %(median)s against %(rest)s)."
            )
            % values
        )
    if message.key in ("converging", "diverging"):
        values = {
            "node": _node(found, str(p["node"])),
            "earlier": _earlier_label(found),
            "later": p["later"],
            "sd_earlier": _number(float(p["sd_earlier"])),
            "sd_later": _number(float(p["sd_later"])),
            "cv_earlier": _number(float(p["cv_earlier"]), 2),
            "cv_later": _number(float(p["cv_later"]), 2),
            "cities": p["cities"],
        }
        if values["sd_earlier"] == values["sd_later"]:
            # "rose (or fell) from 15.2 to 15.2" reads as a mistake: a change that rounds away is said as such.
            return (
                _(
                    "Between %(earlier)s and %(later)s the dispersion of %(node)s held at %(sd_later)s points "
                    "(standard deviation over the %(cities)s cities scored in both years; coefficient of variation "
                    "%(cv_earlier)s to %(cv_later)s): no change in dispersion at this precision."
                )
                % values
            )
        if message.key == "converging":
            return (
                _(
                    "Between %(earlier)s and %(later)s the dispersion of %(node)s fell from %(sd_earlier)s to "
                    "%(sd_later)s points (standard deviation over the %(cities)s cities scored in both years; "
                    "coefficient of variation %(cv_earlier)s to %(cv_later)s): the region is converging "
                    "(σ-convergence)."
                )
                % values
            )
        return (
            _(
                "Between %(earlier)s and %(later)s the dispersion of %(node)s rose from %(sd_earlier)s to "
                "%(sd_later)s points (standard deviation over the %(cities)s cities scored in both years; "
                "coefficient of variation %(cv_earlier)s to %(cv_later)s): the region is not converging."
            )
            % values
        )
    if message.key == "weakest_domains":
        domains = [domain_in_sentence(found.domain_names.get(str(d), str(d))) for d in p["domains"]]
        pairs = [str(n) for n in p["pairs"]]
        if not any(p["pairs"]):
            text = _(
                "%(domains)s are the domains with the fewest agreements: no agreement in force binds any two "
                "member cities in them."
            ) % {"domains": _join(domains)}
        else:
            text = _(
                "%(domains)s are the domains with the fewest agreements: of %(possible)s pairs of member cities, "
                "%(pairs)s are bound in them."
            ) % {"domains": _join(domains), "possible": p["possible"], "pairs": _join(pairs)}
        # The domains open the sentence: its first letter is a capital again.
        return text[:1].upper() + text[1:]
    if message.key == "flow_gap":
        a, b = p["pair"]
        return _(
            "Of the pairs with strong flows, %(a)s–%(b)s has the least digital coverage: agreements in force "
            "bind the two cities in %(coverage)s%% of the agreement domains."
        ) % {
            "a": found.city_names.get(a, a),
            "b": found.city_names.get(b, b),
            "coverage": _number(float(p["coverage"]) * 100, 0),
        }
    return ""


# Panels


def _stage_counts_text(found: RegionSynthesis, counts: dict[str, int] | Any) -> str:
    """ "S2 ×3 · S3 ×1": the stages a group's cities stand on, lowest first, empty stages left out."""
    return " · ".join(f"{stage} ×{count}" for stage, count in counts.items() if count)


def dispersion_panel(found: RegionSynthesis) -> Panel:
    frame = found.dispersion
    nodes = list(frame.index)
    labels = [_node(found, code) for code in nodes]
    figure = as_plotly_text(
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "x": [display_number(frame.loc[code, "cv"], 3, blank=None) for code in nodes],
                    "y": labels,
                    "marker": {"color": ["#0072B2" if code == found.index else "#56B4E9" for code in nodes]},
                    "text": [_number(frame.loc[code, "cv"], 2) for code in nodes],
                    "textposition": "outside",
                    "cliponaxis": False,
                    "hovertemplate": "%{y}: %{text}<extra></extra>",
                }
            ],
            "layout": {
                "template": "plotly_white",
                "font": {"family": FONT, "size": 13},
                "height": max(260, 24 * len(nodes) + 90),
                "margin": {"l": 60, "r": 50, "t": 20, "b": 50},
                "showlegend": False,
                "xaxis": {
                    "title": {"text": _("Coefficient of variation (sd ÷ mean)")},
                    "rangemode": "tozero",
                },
                "yaxis": {"autorange": "reversed", "automargin": True},
            },
        }
    )
    rows = [
        [
            _node(found, code),
            int(frame.loc[code, "n"]),
            display_number(frame.loc[code, "mean"]),
            display_number(frame.loc[code, "sd"]),
            # Two decimals always: "0.30", not "0.3", as the chart and the convergence table print it.
            _number(frame.loc[code, "cv"], 2),
            display_number(frame.loc[code, "min"]),
            display_number(frame.loc[code, "max"]),
        ]
        for code in nodes
    ]
    return Panel(
        "dispersion",
        _("Dispersion across the region"),
        figure,
        [
            _("Node"),
            _("Cities"),
            _("Mean"),
            _("Standard deviation"),
            _("Coefficient of variation"),
            _("Lowest"),
            _("Highest"),
        ],
        rows,
        _(
            "Scores 0–100 of the cities with a published result. Coefficient of variation = standard deviation ÷ "
            "mean; the standard deviation is the population one (the member cities are the whole region, not a "
            "sample). A higher value means the cities are further apart."
        ),
    )


def convergence_panel(found: RegionSynthesis) -> Panel:
    rows = [
        [
            _node(found, item.node),
            item.cities,
            _number(item.sd_earlier),
            _number(item.sd_later),
            _number(item.sd_change),
            _number(item.cv_earlier, 2),
            _number(item.cv_later, 2),
            _("converging") if item.converging else _("not converging"),
        ]
        for item in found.convergence
    ]
    if found.earlier is None:
        caption = _("Only one period is published: σ-convergence needs two.")
    else:
        caption = _(
            "σ-convergence: the standard deviation across the cities scored in both %(earlier)s and %(later)s; "
            "the region converges when it falls."
        ) % {"earlier": _earlier_label(found), "later": found.period}
    if found.earlier_from is not None:
        caption = sentences(
            caption,
            _(
                "%(earlier)s was published under %(version)s; its scores are re-expressed in this version from the "
                "answers that carry, without the indicators that are new, so the comparison crosses a version break."
            )
            % {"earlier": found.earlier, "version": found.earlier_from},
        )
    return Panel(
        "convergence",
        _("σ-convergence between periods"),
        None,
        [
            _("Node"),
            _("Cities in both years"),
            _("Standard deviation, %(year)s") % {"year": found.earlier or "—"},
            _("Standard deviation, %(year)s") % {"year": found.period},
            _("Change (points)"),
            _("Coefficient of variation, %(year)s") % {"year": found.earlier or "—"},
            _("Coefficient of variation, %(year)s") % {"year": found.period},
            _("Reading"),
        ],
        rows,
        caption,
    )


def group_rows(found: RegionSynthesis, groups: list[synthesis.GroupSummary]) -> list[list[Any]]:
    """One row per group: name, cities, medians (index, halves), lead on the second half, stages."""
    cross = found.halves[1] if len(found.halves) > 1 else None
    return [
        [
            found.group_names.get(group.key, group.key),
            group.n,
            _number(group.median_index),
            *(_number(group.median_halves[half]) for half in found.halves),
            _number(group.rest_median_index),
            _number(group.lead(cross)) if cross else "",
            _stage_counts_text(found, group.stage_counts),
        ]
        for group in groups
    ]


def group_columns(found: RegionSynthesis) -> list[str]:
    cross = found.halves[1] if len(found.halves) > 1 else None
    return [
        _("Group"),
        _("Cities"),
        _("Median index"),
        *(_("Median %(half)s") % {"half": half} for half in found.halves),
        _("Median index, rest of the region"),
        _("%(half)s: lead over the rest (points)") % {"half": cross} if cross else "",
        _("Cities per stage"),
    ]


def groups_panel(found: RegionSynthesis) -> Panel:
    return Panel(
        "groups",
        _("Provinces and sub-regions"),
        None,
        group_columns(found),
        group_rows(found, [*found.provinces, *found.subregions]),
        _(
            "Medians over each group's cities with a published result, against the region's other cities. "
            "Sub-regions are the other regions whose members all belong to this one."
        ),
    )


def matrix_figure(found: RegionSynthesis, row_height: int = 22) -> dict[str, Any]:
    """Cities × agreement domains, each cell the number of partner cities, Viridis from 0 to all the others."""
    matrix = found.matrix
    most = max(1, len(matrix.index) - 1)
    z = [[int(v) for v in row] for row in matrix.to_numpy()]
    return as_plotly_text(
        {
            "data": [
                {
                    "type": "heatmap",
                    "z": z,
                    "x": [found.domain_names.get(d, d) for d in matrix.columns],
                    "y": [found.city_names.get(c, c) for c in matrix.index],
                    "text": [[str(v) for v in row] for row in z],
                    "texttemplate": "%{text}",
                    "textfont": {"size": 10},
                    "colorscale": "Viridis",
                    "zmin": 0,
                    "zmax": most,
                    "xgap": 1,
                    "ygap": 1,
                    "colorbar": {"title": {"text": _("Partner cities")}, "thickness": 12},
                    "hovertemplate": "%{y} · %{x}: %{z}<extra></extra>",
                }
            ],
            "layout": {
                "template": "plotly_white",
                "font": {"family": FONT, "size": 11},
                "height": max(300, row_height * len(matrix.index) + 160),
                "margin": {"l": 60, "r": 20, "t": 140, "b": 10},
                "xaxis": {"side": "top", "tickangle": -45, "automargin": True},
                "yaxis": {"autorange": "reversed", "automargin": True},
            },
        }
    )


def matrix_panel(found: RegionSynthesis) -> Panel:
    matrix = found.matrix
    return Panel(
        "interoperability",
        _("Interoperability: cities × agreement domains"),
        matrix_figure(found),
        [_("City"), *(found.domain_names.get(d, d) for d in matrix.columns)],
        [[found.city_names.get(c, c), *(int(v) for v in matrix.loc[c])] for c in matrix.index],
        _(
            "Each cell: the number of other member cities bound with the city by an agreement in force on "
            "%(date)s in that domain (leading and member parties; observers do not count)."
        )
        % {"date": found.on.isoformat()},
    )


def synthesis_panels(found: RegionSynthesis) -> list[Panel]:
    """The region dashboard's synthesis panels, after the key messages."""
    return [dispersion_panel(found), convergence_panel(found), groups_panel(found), matrix_panel(found)]
