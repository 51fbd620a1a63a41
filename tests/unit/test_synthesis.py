"""The regional synthesis (assessment.insight.synthesis) on hand-computed examples, without a database."""

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
import pytest

from assessment.insight import synthesis
from cities.network import AgreementEdge

ON = dt.date(2025, 6, 30)
LADDER = ["S0", "S1", "S1+", "S2", "S2+", "S3", "S4"]


def test_dispersion_uses_the_population_sd_and_states_cv_as_sd_over_mean():
    scores = pd.DataFrame({"DSMI": [40.0, 50.0, 60.0], "XB": [0.0, 0.0, 0.0]}, index=["a", "b", "c"])
    frame = synthesis.dispersion(scores, ["DSMI", "XB"])
    # Population sd of 40, 50, 60: sqrt((100 + 0 + 100) / 3) = 8.165; CV = 8.165 / 50.
    assert frame.loc["DSMI", "sd"] == pytest.approx(math.sqrt(200 / 3))
    assert frame.loc["DSMI", "cv"] == pytest.approx(math.sqrt(200 / 3) / 50)
    assert frame.loc["DSMI", "n"] == 3 and frame.loc["DSMI", "min"] == 40 and frame.loc["DSMI", "max"] == 60
    # A mean of 0 has no coefficient of variation.
    assert math.isnan(frame.loc["XB", "cv"])


def test_sigma_convergence_reads_only_the_cities_scored_in_both_periods():
    earlier = pd.DataFrame({"XB": [20.0, 40.0, 60.0, 99.0]}, index=["a", "b", "c", "d"])
    later = pd.DataFrame({"XB": [35.0, 45.0, 55.0, 10.0]}, index=["a", "b", "c", "e"])
    found = synthesis.sigma_convergence(earlier, later, "XB", 2024, 2025)
    assert found is not None and found.cities == 3
    # By hand: sd(20, 40, 60) = sqrt(800/3) = 16.33; sd(35, 45, 55) = sqrt(200/3) = 8.16; means 40 and 45.
    assert found.sd_earlier == pytest.approx(16.3299, abs=1e-4)
    assert found.sd_later == pytest.approx(8.1650, abs=1e-4)
    assert found.sd_change == pytest.approx(-8.1650, abs=1e-4)
    assert found.cv_earlier == pytest.approx(16.3299 / 40, abs=1e-4)
    assert found.cv_later == pytest.approx(8.1650 / 45, abs=1e-4)
    assert found.converging
    assert not synthesis.sigma_convergence(later, earlier, "XB", 2024, 2025).converging
    # Two cities in common are too few to speak of convergence.
    assert synthesis.sigma_convergence(earlier.iloc[:2], later, "XB", 2024, 2025) is None


def test_group_breakdown_compares_each_group_with_the_rest():
    scores = pd.DataFrame(
        {"DSMI": [80.0, 70.0, 40.0, 30.0, 20.0], "IC": [85, 75, 45, 35, 25], "XB": [75, 65, 35, 25, 15]},
        index=["sh", "hz", "hf", "wh", "xc"],
    )
    stages = pd.Series(["S3", "S3", "S2", "S1", "S1"], index=scores.index)
    groups = synthesis.group_breakdown(
        scores,
        stages,
        {"310000": ["sh"], "330000": ["hz", "jx"], "340000": ["hf", "wh", "xc"], "320000": ["sz"]},
        kind="province",
        index="DSMI",
        halves=["IC", "XB"],
        ladder=LADDER,
    )
    # A province with no scored city is left out.
    assert [group.key for group in groups] == ["310000", "330000", "340000"]
    anhui = groups[2]
    assert anhui.members == ("hf", "wh", "xc") and anhui.n == 3
    assert anhui.median_index == 30 and anhui.rest_median_index == 75
    assert anhui.stage_counts["S1"] == 2 and anhui.stage_counts["S2"] == 1 and anhui.stage_counts["S3"] == 0
    assert anhui.rest_stage_counts["S3"] == 2
    assert anhui.lead("XB") == 25 - 70
    assert anhui.lead() == -45


def edge(key, domain, parties, status="in_force", start=None, end=None):
    return AgreementEdge(key, domain, "data_sharing", status, start, end, tuple(parties))


def test_the_interoperability_matrix_counts_partner_cities_in_force_per_domain():
    edges = [
        edge("t1", "transport", ["a", "b", "c"]),
        edge("t2", "transport", ["a", "b"]),  # the same partner twice counts once
        edge("h1", "health_code_identity", ["a", "b"], start=dt.date(2020, 3, 1), end=dt.date(2022, 12, 31)),
        edge("m1", "medical", ["a", "outside"]),  # a party outside the region is no partner
        edge("p1", "talent", ["b", "c"], status="proposed"),
    ]
    matrix = synthesis.interoperability_matrix(
        ["a", "b", "c"], edges, ["transport", "health_code_identity", "medical", "talent"], ON
    )
    assert matrix.loc["a"].tolist() == [2, 0, 0, 0]
    assert matrix.loc["c"].tolist() == [2, 0, 0, 0]
    assert synthesis.pairs_covered(matrix).tolist() == [3, 0, 0, 0]
    assert synthesis.weakest_domains(matrix, 2) == ["health_code_identity", "medical"]
    on_2021 = synthesis.interoperability_matrix(["a", "b", "c"], edges, ["health_code_identity"], dt.date(2021, 6, 30))
    assert on_2021.loc["a", "health_code_identity"] == 1


def test_every_domain_tied_at_the_fewest_pairs_is_named():
    edges = [edge("t1", "transport", ["a", "b", "c"]), edge("m1", "medical", ["a", "b"])]
    domains = ["transport", "health_code_identity", "medical", "talent"]
    matrix = synthesis.interoperability_matrix(["a", "b", "c"], edges, domains, ON)
    # Both domains tied at 0 pairs are named, not only the first.
    assert synthesis.fewest_covered_domains(matrix) == ["health_code_identity", "talent"]
    # When every domain ties, none is weaker than another: no domain is named.
    everywhere = synthesis.interoperability_matrix(["a", "b"], edges, ["transport", "medical"], ON)
    assert synthesis.fewest_covered_domains(everywhere) == []
    assert synthesis.domain_message(everywhere) is None
    # The key message names them all too, beyond the usual number of weakest domains.
    tied = pd.DataFrame(
        {domain: [0, 0, 0] for domain in ("a1", "a2", "a3", "a4")} | {"t": [1, 1, 0]}, index=list("abc")
    )
    message = synthesis.domain_message(tied)
    assert message.parameters["domains"] == ("a1", "a2", "a3", "a4")


@dataclass(frozen=True)
class Item:
    indicator: str
    dimension: str
    lever: str
    trigger: str
    action: str
    lead_agency: str = "data bureau"
    control: str = "city"


def test_shared_actions_rank_what_blocks_most_cities_first():
    per_city = {
        "a": [
            Item("X3.1", "X3", "resources", "blocks_stage", "open the interface"),
            Item("B2.1", "B2", "foundations", "critical", "fix"),
        ],
        "b": [
            Item("X3.1", "X3", "resources", "blocks_stage", "open the interface"),
            Item("B2.1", "B2", "foundations", "far_below_best", "fix"),
        ],
        "c": [
            Item("B2.1", "B2", "foundations", "low_contribution", "fix"),
            Item("X3.1", "X3", "resources", "far_below_best", "publish"),
        ],
    }
    shared = synthesis.shared_actions(per_city, 5)
    assert [item.indicator for item in shared] == ["X3.1", "B2.1"]
    assert shared[0].blocking == ("a", "b") and shared[0].cities == ("a", "b", "c")
    assert shared[0].action == "open the interface"  # the action most of its cities got
    assert synthesis.shared_actions(per_city, 1) == shared[:1]


def test_key_messages_are_chosen_from_the_data():
    stages = pd.Series(["S1", "S2", "S2", "S3", "S4"], index=list("abcde"))
    blockers = {"a": ["B2", "B2", "X3"], "b": ["B2"], "c": ["X3"], "d": [], "e": []}
    stage = synthesis.stage_message(stages, LADDER, blockers)
    # S0..S2 are the ladder's lower half (4 of 7 rungs, rounded up): a, b and c.
    assert stage.parameters["early"] == 3 and stage.parameters["cities"] == 5
    assert stage.parameters["highest_early"] == "S2"
    # A city blocked twice by B2 counts once: B2 blocks a and b, X3 blocks a and c; ties go to the first seen.
    assert stage.parameters["blocker"] == "B2" and stage.parameters["blocked"] == 2

    scores = pd.DataFrame({"DSMI": [60.0, 50, 40, 30], "XB": [70.0, 50, 30, 20]}, index=list("abcd"))
    stages4 = stages.iloc[:4]
    central = synthesis.group_breakdown(
        scores, stages4, {"core": ["a", "b", "c"]}, kind="subregion", index="DSMI", halves=["XB"], ladder=LADDER
    )
    group = synthesis.group_message(central, "XB")
    assert group.key == "group_lead" and group.parameters["lead"] == 50 - 20
    # A group of fewer than MIN_GROUP_CITIES: its "median" is one or two cities, no finding about a group.
    pair = synthesis.group_breakdown(
        scores, stages4, {"core": ["a", "b"]}, kind="subregion", index="DSMI", halves=["XB"], ladder=LADDER
    )
    assert synthesis.MIN_GROUP_CITIES == 3 and synthesis.group_message(pair, "XB") is None
    even = synthesis.group_breakdown(
        pd.DataFrame({"DSMI": [50.0, 50, 50, 50], "XB": [50.0, 50.5, 50.5, 50]}, index=list("abcd")),
        stages4,
        {"core": ["a", "b", "c"]},
        kind="subregion",
        index="DSMI",
        halves=["XB"],
        ladder=LADDER,
    )
    assert synthesis.group_message(even, "XB") is None  # half a point is no finding

    convergence = synthesis.sigma_convergence(scores, scores * 0.5, "XB", 2024, 2025)
    assert synthesis.convergence_message(convergence).key == "converging"
    assert synthesis.convergence_message(synthesis.sigma_convergence(scores * 0.5, scores, "XB", 2024, 2025)).key == (
        "diverging"
    )
    assert synthesis.convergence_message(None) is None

    matrix = pd.DataFrame({"transport": [1, 1, 0], "medical": [0, 0, 0]}, index=list("abc"))
    domains = synthesis.domain_message(matrix)
    assert domains.parameters == {"domains": ("medical", "transport"), "pairs": (0, 1), "possible": 3}

    messages = synthesis.key_messages(
        [
            stage,
            None,
            group,
            synthesis.convergence_message(convergence),
            domains,
            synthesis.flow_message(("a", "b"), 0.1, 0.3),
            stage,
        ]
    )
    assert [m.key for m in messages] == ["stages", "group_lead", "converging", "weakest_domains", "flow_gap"]
    assert len(messages) == synthesis.MAX_MESSAGES
