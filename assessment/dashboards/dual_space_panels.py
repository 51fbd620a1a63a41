"""The dual-space gap on the dashboards: where physical flows between cities outpace the agreements that bind them.

Each panel is a figure (`cities.figures`), the exact table it shows and a
caption, as in `assessment.dashboards.panels`; the method is
`cities.dual_space` (its constants are read here, never written again), the
data `cities.selectors.region_dual_space`. Agreements count as of the end of
the view's period, or today while it runs (`assessment.selectors.derived.reference_date`),
as the indicators derived from agreements do.
"""

from typing import Any

from django.utils.translation import gettext as _

from assessment.dashboards.labels import city_labels, display_number
from assessment.dashboards.panels import Panel, RegionView
from cities import figures as city_figures
from cities.bilingual import in_english
from cities.dual_space import GRAVITY, PARTNERS_SHOWN, POPULATION_UNIT, PRIORITY_PAIRS, DualSpace, PairGap
from cities.models import Agreement
from cities.surge import GRAVITY_EXPONENT

# A flow axis spanning more than this ratio (largest over smallest positive flow) is drawn on a log scale.
LOG_SCALE_RATIO = 100


def view_dual_space(view: RegionView) -> DualSpace | None:
    """The dual-space gap of the view's member cities, or None without results or with fewer than two cities."""
    if view.snapshot is None or view.snapshot.is_empty or len(view.snapshot.cities) < 2:
        return None
    return view.dual_space


def population_unit_text() -> str:
    """POPULATION_UNIT people as a reader says it: "10,000 people" / "万人" (Chinese counts in 万, ten thousand)."""
    count = f"{POPULATION_UNIT:,}"
    ten_thousands, rest = divmod(POPULATION_UNIT, 10_000)
    if not in_english() and rest == 0:
        count = "万" if ten_thousands == 1 else f"{ten_thousands}万"
    return _("%(count)s people") % {"count": count}


def flow_title(space: DualSpace) -> str:
    """The flow axis' title with its unit."""
    if space.source == GRAVITY:
        return _("Gravity flow intensity ((%(unit)s)² per km²)") % {"unit": population_unit_text()}
    return _("Imported flow (%(unit)s)") % {"unit": space.unit}


def flow_text(flow: float) -> str:
    """A flow as a reader sees it: three significant digits."""
    return f"{flow:.3g}" if flow < 1000 else f"{flow:,.0f}"


def domain_names(codes: list[str] | tuple[str, ...]) -> str:
    """Service domain names in the active language, joined."""
    labels = dict(Agreement.Domain.choices)
    return _("; ").join(str(labels.get(code, code)) for code in codes) or "—"


def method_sentence(space: DualSpace) -> str:
    """How the flows and the coverage were measured, with the method's numbers from `cities.dual_space`.

    Says so when imported flows missed a pair (gravity then gives every flow) and
    when the flows in use are demonstration data.
    """
    if space.source == GRAVITY:
        flows = _(
            "Flow: a gravity model, the product of the two cities' census populations (in units of %(unit)s) "
            "divided by the great-circle distance to the power %(exponent)s."
        ) % {"unit": population_unit_text(), "exponent": GRAVITY_EXPONENT}
    else:
        flows = _("Flow: imported measurements (%(unit)s), both directions added.") % {"unit": space.unit}
    coverage = _(
        "Digital coverage: the share of the %(domains)d service domains in which an agreement in force on "
        "%(date)s binds both cities (leads and members; observers do not count)."
    ) % {"domains": len(space.domains), "date": space.on.isoformat() if space.on else ""}
    return " ".join(part for part in (imported_note(space), flows, coverage) if part)


def imported_note(space: DualSpace) -> str:
    """Why imported flows were not used, or that those used are demonstration data; "" otherwise."""
    if space.imported_incomplete:
        return _(
            "The imported flows of %(year)s list %(listed)d of the %(pairs)d pairs of member cities, not every "
            "pair, so the gravity model gives the flows of all pairs."
        ) % {"year": space.imported_year, "listed": space.imported_listed, "pairs": len(space.pairs)}
    if space.is_demo:
        return _("The imported flows are demonstration data, made up to show the method: they are not measurements.")
    return ""


def _is_log(space: DualSpace) -> bool:
    positive = [pair.flow for pair in space.pairs if pair.flow > 0]
    return bool(positive) and max(positive) / min(positive) > LOG_SCALE_RATIO


def _pair_label(pair: PairGap, labels: dict[str, str]) -> str:
    return f"{labels.get(pair.pair[0], pair.pair[0])} – {labels.get(pair.pair[1], pair.pair[1])}"


def priority_rows(space: DualSpace, labels: dict[str, str], limit: int = PRIORITY_PAIRS) -> list[list[Any]]:
    """Number, city A, city B, flow, coverage, domains in force, domains worth signing: the priority pairs."""
    return [
        [
            number,
            labels.get(pair.pair[0], pair.pair[0]),
            labels.get(pair.pair[1], pair.pair[1]),
            flow_text(pair.flow),
            display_number(pair.coverage * 100),
            domain_names(pair.domains),
            domain_names(space.worth_signing(pair)),
        ]
        for number, pair in enumerate(space.priority(limit), start=1)
    ]


def priority_columns(space: DualSpace) -> list[str]:
    return [
        _("No."),
        _("City A"),
        _("City B"),
        flow_title(space),
        _("Digital coverage (%)"),
        _("Domains in force"),
        _("Domains worth signing"),
    ]


def region_dual_space_panels(view: RegionView) -> list[Panel]:
    """The region's pairs (flow × coverage, the priority pairs labelled) and the table of the priority pairs."""
    space = view_dual_space(view)
    if space is None or not space.pairs:
        return []
    assert view.snapshot is not None
    labels = city_labels(view.snapshot.cities)
    priority = {pair.pair: number for number, pair in enumerate(space.priority(PRIORITY_PAIRS), start=1)}
    points = [
        {
            "label": _pair_label(pair, labels),
            "flow": float(f"{pair.flow:.4g}"),
            "coverage": display_number(pair.coverage * 100, 2),
            "priority": priority.get(pair.pair),
            "codes": pair.pair,
        }
        for pair in space.pairs
        if pair.flow > 0
    ]
    figure = city_figures.dual_space_figure(points=points, flow_title=flow_title(space), log_flow=_is_log(space))
    caption = _(
        "Each point is a pair of member cities: physical flow across, digital coverage up. The numbered pairs are "
        "the priority pairs of the table: a flow above the median of all pairs and the thinnest coverage. %(method)s "
        "Worth signing: missing domains in which an agreement in force already binds other pairs of the region."
    ) % {"method": method_sentence(space)}
    return [
        Panel(
            "dual-space",
            _("The dual-space gap: physical flows against digital coverage"),
            figure,
            priority_columns(space),
            priority_rows(space, labels),
            caption,
        )
    ]


def weakest_strong_sentence(space: DualSpace, city_code: str, labels: dict[str, str]) -> str:
    """The city's weakest strong pair in words, or "" when it has none."""
    gap = space.by_city.get(city_code)
    if gap is None or gap.weakest_strong_pair is None:
        return ""
    pair = gap.weakest_strong_pair
    return _(
        "Weakest strong pair: %(city)s – %(partner)s, a flow at or above the city's median, with %(coverage)s%% "
        "of the service domains covered (%(domains)s in force)."
    ) % {
        "city": labels.get(city_code, city_code),
        "partner": labels.get(pair.partner_of(city_code), pair.partner_of(city_code)),
        "coverage": display_number(pair.coverage * 100),
        "domains": len(pair.domains),
    }


def city_dual_space_panels(view: RegionView, city_code: str) -> list[Panel]:
    """The city's partners by flow with their digital coverage; the weakest strong pair named in the caption."""
    space = view_dual_space(view)
    if space is None or city_code not in space.by_city:
        return []
    assert view.snapshot is not None
    labels = city_labels(view.snapshot.cities)
    gap = space.by_city[city_code]
    weakest = gap.weakest_strong_pair.pair if gap.weakest_strong_pair else None
    flowing = [pair for pair in space.partners_of(city_code) if pair.flow > 0]
    partners = flowing[:PARTNERS_SHOWN]
    if gap.weakest_strong_pair is not None and gap.weakest_strong_pair not in partners:
        partners.append(gap.weakest_strong_pair)
    figure = city_figures.partner_figure(
        partners=[
            {
                "label": labels.get(pair.partner_of(city_code), pair.partner_of(city_code)),
                "coverage": display_number(pair.coverage * 100, 2),
                "flow_text": flow_text(pair.flow),
                "weak": pair.pair == weakest,
            }
            for pair in partners
        ],
        flow_title=flow_title(space),
    )
    rows = [
        [
            labels.get(pair.partner_of(city_code), pair.partner_of(city_code)),
            flow_text(pair.flow),
            display_number(pair.flow_share * 100, 2),
            display_number(pair.coverage * 100),
            _("yes") if pair.mutual_recognition else _("no"),
            domain_names(pair.domains),
            domain_names(space.worth_signing(pair)),
        ]
        for pair in partners
    ]
    caption = " ".join(
        part
        for part in (
            _(
                "The %(shown)d partner cities in the region with the largest flow (of %(partners)d), largest on top; "
                "bars: digital coverage. Flow-weighted coverage of %(city)s over all its partners: %(coverage)s%%."
            )
            % {
                "shown": min(len(flowing), PARTNERS_SHOWN),
                "partners": len(flowing),
                "city": labels.get(city_code, city_code),
                "coverage": display_number(gap.flow_weighted_coverage * 100),
            },
            weakest_strong_sentence(space, city_code, labels),
            method_sentence(space),
        )
        if part
    )
    return [
        Panel(
            "dual-space-partners",
            _("Partners by physical flow and digital coverage"),
            figure,
            [
                _("Partner city"),
                flow_title(space),
                _("Share of the region's flows (%)"),
                _("Digital coverage (%)"),
                _("Mutual recognition in force"),
                _("Domains in force"),
                _("Domains worth signing"),
            ],
            rows,
            caption,
        )
    ]
