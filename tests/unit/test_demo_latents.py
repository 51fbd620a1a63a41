"""The demo's latent model on its own: plain profiles in, traits and answers out, no database."""

from dataclasses import dataclass

from assessment.demo.latents import (
    OVERRIDE_REASON_ABOVE,
    OVERRIDE_REASON_BELOW,
    CityProfile,
    agree_with_proposal,
    answer_from_attainment,
    city_latents,
)
from assessment.derived_indicators import DerivedProposal


@dataclass
class Indicator:
    """The fields an answer reads, as assessment.models.Indicator has them."""

    type: str
    unit_zh: str = ""
    unit_en: str = ""
    lower: float | None = None
    upper: float | None = None


def profile(**changes) -> CityProfile:
    base = {
        "code": "340000",
        "level": "prefecture",
        "population": 3_000_000,
        "longitude": 117.0,
        "regions": frozenset({"YRD"}),
    }
    return CityProfile(**(base | changes))


def proposal(value: float, agreements: tuple[str, ...] = ("a1",)) -> DerivedProposal:
    return DerivedProposal(value=value, agreements=agreements, partners=(), domains=())


def test_maturity_rises_with_population_rank_and_the_eastern_coast():
    small = city_latents(profile())
    assert city_latents(profile(population=9_000_000)).maturity > small.maturity
    assert city_latents(profile(level="sub_provincial")).maturity > small.maturity
    assert city_latents(profile(level="municipality")).maturity > small.maturity
    assert city_latents(profile(longitude=120.5)).maturity > small.maturity
    assert city_latents(profile(longitude=115.0)).maturity < small.maturity


def test_cross_boundary_readiness_is_higher_in_the_g60_corridor_than_in_jjj():
    g60 = city_latents(profile(code="341100", regions=frozenset({"G60", "YRD"})))
    yrd = city_latents(profile(code="341100", regions=frozenset({"YRD"})))
    jjj = city_latents(profile(code="341100", regions=frozenset({"JJJ"})))
    assert g60.cross_boundary > yrd.cross_boundary > jjj.cross_boundary
    assert g60.maturity == yrd.maturity == jjj.maturity
    # The nine corridor cities count as G60 members from their codes alone.
    assert city_latents(profile(code="341800", regions=frozenset({"YRD"}))) == city_latents(
        profile(code="341800", regions=frozenset({"G60", "YRD"}))
    )


def test_a_level_is_five_times_the_attainment_rounded_and_a_binary_is_yes_from_one_half():
    assert [answer_from_attainment(Indicator("level"), p, 0.0) for p in (0.0, 0.29, 0.31, 1.0)] == [
        {"level": 0},
        {"level": 1},
        {"level": 2},
        {"level": 5},
    ]
    assert answer_from_attainment(Indicator("binary"), 0.5, 0.0) == {"value": 1.0}
    assert answer_from_attainment(Indicator("binary"), 0.49, 0.0) == {"value": 0.0}


def test_a_value_beyond_a_goalpost_is_clipped_to_what_its_unit_allows():
    share = Indicator("quantitative", unit_zh="%", unit_en="%", lower=0.0, upper=100.0)
    assert answer_from_attainment(share, 0.98, 0.05) == {"value": 99.5}
    assert answer_from_attainment(share, 0.4, 0.01) == {"value": 41.0}
    closed_list = Indicator("count", lower=0.0, upper=6.0)
    assert answer_from_attainment(closed_list, 1.0, 0.05) == {"value": 6.0}
    open_count = Indicator("count", lower=0.0, upper=40.0)
    assert answer_from_attainment(open_count, 1.0, 0.05) == {"value": 42.0}
    assert answer_from_attainment(open_count, 0.0, -0.05) == {"value": 0.0}


def test_a_close_proposal_resting_on_an_agreement_is_accepted_and_any_other_is_justified():
    level = Indicator("level")
    assert agree_with_proposal(level, {"level": 2}, proposal(3)) == {"level": 3, "derived_override_reason": ""}
    assert agree_with_proposal(level, {"level": 2}, proposal(3, agreements=())) == {
        "level": 2,
        "derived_override_reason": OVERRIDE_REASON_BELOW,
    }
    assert agree_with_proposal(level, {"level": 5}, proposal(3)) == {
        "level": 5,
        "derived_override_reason": OVERRIDE_REASON_ABOVE,
    }
    assert agree_with_proposal(level, {"level": 4}, None) == {"level": 4}


def test_a_regional_hub_and_the_central_area_are_readier_across_the_boundary():
    # Same maturity inputs apart from rank; the hub bonus is the sub-provincial city's, beside its maturity bonus.
    plain = city_latents(profile(regions=frozenset({"YRD"})))
    central = city_latents(profile(regions=frozenset({"YRD", "YRDC"})))
    assert central.cross_boundary > plain.cross_boundary and central.maturity == plain.maturity
    hub = city_latents(profile(level="sub_provincial", regions=frozenset({"YRD"})))
    assert hub.cross_boundary - plain.cross_boundary > hub.maturity - plain.maturity
