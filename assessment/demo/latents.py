"""The demo's latent model: two traits per city, and the answers a consultant would record from them.

Pure Python: no Django. Every number is invented. It is plausible because it
comes from two latent traits per city drawn from a fixed seed, never from the
city's real record; every assessment made from it is flagged ``is_demo`` and
the pages that show it say so.

Latent traits (dimensionless, about mean 0 over the 54 reference cities):

* in-city digital maturity
  m = 0.5·(ln P − 15.45)/0.68 + rank + 0.35·(λ − 118.35)/2.0 + ε_m,
  ε_m ~ N(0, 0.35). P is the 2020 census population and λ the longitude
  (the eastern tilt: the coast is further along); 15.45/0.68 and
  118.35/2.0, the mean and spread of ln P and λ over the 54 reference
  cities, are fixed here so a city's numbers never depend on which other
  cities are loaded. rank comes from the level column: +0.9 for a
  municipality, +0.6 for a sub-provincial city, and +0.35 for the two
  provincial capitals listed as prefectures (Hefei, Shijiazhuang).
  Shanghai and Hangzhou come out near the top, small Anhui and Hebei
  cities near the bottom.
* cross-boundary readiness  x = 0.5·m/0.9 + 0.4·ε_x + region + hub + centre,
  ε_x ~ N(0, 1), 0.9 being the spread of m; region is +0.6 for the nine
  G60 corridor cities (310000, 330400, 330100, 330700, 320500, 330500,
  341800, 340200, 340100), +0.25 elsewhere in the Yangtze River Delta,
  −0.15 in Beijing-Tianjin-Hebei; hub is +0.5 for the cities that carry a
  region's joint bodies and platforms by their rank (municipalities,
  sub-provincial cities, the provincial capitals Hefei and Shijiazhuang);
  centre is +0.35 for the 27 cities of the Yangtze River Delta's central
  area (YRDC), which the 2019 outline names for integration first. These
  are public proxies: rank and membership are in the reference data, so a
  large noise no longer decides the order (with 0.8·ε_x, 宣城 came second
  in the YRD and 杭州 ninth). x correlates with m at about 0.8.

Randomness: every draw comes from ``numpy.random.default_rng([2025, …])``,
the fixed seed 2025 followed by the city code (and the indicator or year
where the draw belongs to one), so the same city always gets the same
numbers, whichever cities are loaded and in whatever order.

Indicator attainment p = σ(k·(t + c_d + δ_i + Δ)), σ the logistic
function. For W1, B1, W2, B2, W3: t = m, k = 1.3 and the dimension offset
c_d falls wave by wave (W1 +2.0, B1 +1.1, W2 +0.7, B2 +0.2, W3 −0.55), so
earlier rungs of the stage ladder are easier and cities spread over S1…S4
with most in the middle; no city stays at S0 "pre-digital" (every city in
the reference data runs networks, a government cloud and sector systems).
For X1…X6: t = x, k = 1.0, c_d = −1.8 (the third breakthrough is under
way: few cities are far along), except cybersecurity management (X6.1),
the city's own compliance work under graded protection, which follows m
like B1 (t = m, k = 1.3, c = +1.1): from DSMF 1.1 it gates S1+.
δ_i ~ N(0, 0.55) is the indicator's own noise for that city, the same
every year. Δ is the gain since 2024: 0 in 2024, and each later year adds
N(0.18, 0.08), at least 0.04, except in one city-year in seven, which
stalls. Since δ_i is fixed and Δ only grows, an answer is the earlier
year's answer to the same indicator plus a little. Across a framework
version (load.VERSION_BY_PERIOD: 2024 answers DSMF 1.0, 2025 and 2026
answer 1.1) the new and rescaled indicators are drawn from the same
attainment, so the index may move by a point or two either way.

Answers: a level is round(5p). A value is lower + q·(upper − lower) with
q = p + N(0, 0.05) (also fixed per city and indicator), so it sometimes
lands beyond a goalpost, then clipped to what the unit allows: shares to
99.5 % where the goalpost is 100 % (else 100 %), counts of a closed list
(upper goalpost ≤ 10) to the list, other counts to ≥ 0. Shares and
densities are rounded to one decimal, counts to whole numbers; a binary is
1 when p ≥ 0.5. The data-quality grade and the confidence lean on p
(better-run cities document better). Where agreements propose a value
(derived indicators), the demo consultant accepts it when it rests on at
least one agreement and the latent answer is within one step of it, and
otherwise keeps the latent answer with a justification, as the form
requires.
"""

import math
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from assessment.derived_indicators import DerivedProposal

SEED = 2025
PUBLISHED_PERIODS = (2024, 2025)
SOURCE = "示例数据 / demo data"
OVERRIDE_REASON_ABOVE = (
    "示例数据：协议记录之外另有证据支持更高的答案。"
    " / Demo data: evidence beyond the recorded agreements supports a higher answer."
)
OVERRIDE_REASON_BELOW = (
    "示例数据：已记录的协议只满足指标描述的一部分要求。"
    " / Demo data: the recorded agreements meet only part of what the descriptor asks."
)

# Indicator.Type's values (assessment/models/framework.py), as derived_indicators.py spells them too.
LEVEL, COUNT, BINARY = "level", "count", "binary"
# City.Level's values (cities/models.py).
MUNICIPALITY, SUB_PROVINCIAL = "municipality", "sub_provincial"

LOG_POPULATION_MEAN, LOG_POPULATION_SPREAD = 15.45, 0.68
LONGITUDE_MEAN, LONGITUDE_SPREAD, LONGITUDE_WEIGHT = 118.35, 2.0, 0.35
MATURITY_SPREAD = 0.9
RANK_BONUS = {MUNICIPALITY: 0.9, SUB_PROVINCIAL: 0.6}
PROVINCIAL_CAPITALS = frozenset({"340100", "130100"})
CAPITAL_BONUS = 0.35
G60_CITIES = frozenset({"310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"})
REGION_BONUS = {"G60": 0.6, "YRD": 0.25, "JJJ": -0.15}
CORRELATION = 0.5
CROSS_NOISE = 0.4
HUB_BONUS = 0.5
CENTRAL_AREA = "YRDC"
CENTRAL_AREA_BONUS = 0.35
DIMENSION_OFFSET = {"W1": 2.0, "B1": 1.1, "W2": 0.7, "B2": 0.2, "W3": -0.55}
CROSS_BOUNDARY_OFFSET = -1.8
# Cybersecurity management (X6.1) is the city's own compliance work under graded protection (等级保护),
# done by every city that shares data, so it follows the in-city trait at the connection wave's offset:
# from DSMF 1.1 it gates S1+.
IN_CITY_CROSS_BOUNDARY = {"X6.1": DIMENSION_OFFSET["B1"]}
STEEPNESS = 1.3
CROSS_BOUNDARY_STEEPNESS = 1.0
INDICATOR_NOISE = 0.55
VALUE_JITTER = 0.05
IMPROVEMENT_MEAN, IMPROVEMENT_SPREAD, IMPROVEMENT_MIN = 0.18, 0.08, 0.04
STALL_CHANCE = 1 / 7
# A count whose upper goalpost is this small counts the items of a closed list (X3.3, X3.4).
ENUMERATED_COUNT_MAX = 10


class AnsweredIndicator(Protocol):
    """What an answer reads about an indicator; assessment.models.Indicator has these fields."""

    type: str
    unit_zh: str
    unit_en: str
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class CityProfile:
    """What the latent model reads about a city: plain data, testable without a database."""

    code: str
    level: str
    population: int | None
    longitude: float | None
    regions: frozenset[str]


@dataclass(frozen=True)
class CityLatents:
    """A city's two latent traits: in-city digital maturity m and cross-boundary readiness x."""

    maturity: float
    cross_boundary: float


def stream(*keys: int) -> np.random.Generator:
    """The random draws keyed by the seed, then the city code (and the indicator or year)."""
    return np.random.default_rng([SEED, *keys])


def _key(text: str) -> int:
    # crc32, not hash(): Python salts str hashes per process.
    return zlib.crc32(text.encode())


def city_latents(profile: CityProfile) -> CityLatents:
    """The city's two latent traits; the same for a city whatever else is loaded."""
    rng = stream(int(profile.code))
    noise_maturity, noise_cross = rng.normal(0, 0.35), rng.normal(0, 1)
    population = profile.population or math.exp(LOG_POPULATION_MEAN)
    maturity = (
        0.5 * (math.log(population) - LOG_POPULATION_MEAN) / LOG_POPULATION_SPREAD
        + RANK_BONUS.get(profile.level, CAPITAL_BONUS if profile.code in PROVINCIAL_CAPITALS else 0.0)
        + LONGITUDE_WEIGHT * ((profile.longitude or LONGITUDE_MEAN) - LONGITUDE_MEAN) / LONGITUDE_SPREAD
        + noise_maturity
    )
    regions = profile.regions | ({"G60"} if profile.code in G60_CITIES else set())
    # The first listed region the city belongs to decides: a G60 city is also in the YRD.
    region = next((bonus for code, bonus in REGION_BONUS.items() if code in regions), 0.0)
    hub = HUB_BONUS if profile.level in RANK_BONUS or profile.code in PROVINCIAL_CAPITALS else 0.0
    centre = CENTRAL_AREA_BONUS if CENTRAL_AREA in profile.regions else 0.0
    cross = CORRELATION * maturity / MATURITY_SPREAD + CROSS_NOISE * noise_cross + region + hub + centre
    return CityLatents(maturity=float(maturity), cross_boundary=float(cross))


def improvement_since_first(code: str, period: int) -> float:
    """The latent gain from the first published period up to ``period``."""
    gain = 0.0
    for year in range(PUBLISHED_PERIODS[0] + 1, period + 1):
        rng = stream(int(code), year)
        stalls, step = rng.random() < STALL_CHANCE, rng.normal(IMPROVEMENT_MEAN, IMPROVEMENT_SPREAD)
        gain += 0.0 if stalls else max(IMPROVEMENT_MIN, float(step))
    return gain


def attainment(indicator_code: str, dimension: str, latents: CityLatents, code: str, period: int) -> float:
    own = stream(int(code), _key(indicator_code)).normal(0, INDICATOR_NOISE)
    if dimension in DIMENSION_OFFSET:
        base, steepness = latents.maturity + DIMENSION_OFFSET[dimension], STEEPNESS
    elif indicator_code in IN_CITY_CROSS_BOUNDARY:
        base, steepness = latents.maturity + IN_CITY_CROSS_BOUNDARY[indicator_code], STEEPNESS
    else:
        base, steepness = latents.cross_boundary + CROSS_BOUNDARY_OFFSET, CROSS_BOUNDARY_STEEPNESS
    return 1 / (1 + math.exp(-steepness * (base + own + improvement_since_first(code, period))))


def _value_ceiling(indicator: AnsweredIndicator) -> float | None:
    if indicator.unit_en == "%" or indicator.unit_zh == "%":
        return 100.0
    if indicator.type == COUNT and indicator.upper is not None and indicator.upper <= ENUMERATED_COUNT_MAX:
        return indicator.upper
    return None


def answer_from_attainment(indicator: AnsweredIndicator, p: float, jitter: float) -> dict[str, Any]:
    """The level or value a consultant would record for attainment ``p`` (0-1)."""
    if indicator.type == LEVEL:
        return {"level": min(5, max(0, round(5 * p)))}
    if indicator.type == BINARY:
        return {"value": 1.0 if p >= 0.5 else 0.0}
    lower = indicator.lower if indicator.lower is not None else 0.0
    upper = indicator.upper if indicator.upper is not None else 1.0
    value = lower + (p + jitter) * (upper - lower)
    ceiling = _value_ceiling(indicator)
    if ceiling == 100.0 and upper == 100.0:
        # A share reported as exactly 100 % reads as a guess; keep the top answers just below.
        ceiling = 99.5
    value = max(0.0, value if ceiling is None else min(ceiling, value))
    if indicator.type == COUNT:
        return {"value": float(round(value))}
    return {"value": round(value, 1)}


def planned_answer(
    indicator: AnsweredIndicator, indicator_code: str, dimension: str, latents: CityLatents, code: str, period: int
) -> dict[str, Any]:
    """Every field of one demo answer, before the agreements are consulted."""
    p = attainment(indicator_code, dimension, latents, code, period)
    # The jitter belongs to the city's indicator, not to the year: a value moves only by the gain.
    jitter = float(stream(int(code), _key(indicator_code), 1).normal(0, VALUE_JITTER))
    values = answer_from_attainment(indicator, p, jitter)
    rng = stream(int(code), _key(indicator_code), period)
    # Better-run cities document better: the grade and confidence lean on the same attainment.
    measured = indicator.type != LEVEL
    grades = ("A", "B", "C", "D") if measured else ("B", "C", "E", "E")
    position = min(3, max(0, int((1 - p) * 3 + rng.normal(0, 0.6))))
    values |= {
        "source": SOURCE,
        "quality": grades[position],
        "confidence": ("high", "medium", "medium", "low")[position],
        "not_applicable": False,
        "not_applicable_reason": "",
        "derived_override_reason": "",
        "comment": "",
    }
    if measured:
        values |= {"unit": indicator.unit_zh, "value_year": period - 1}
    else:
        values |= {"value": None}
    return values


def agree_with_proposal(
    indicator: AnsweredIndicator, values: dict[str, Any], proposal: DerivedProposal | None
) -> dict[str, Any]:
    """Accept a close proposal that rests on an agreement; else justify the answer."""
    if proposal is None:
        return values
    field_name = "level" if indicator.type == LEVEL else "value"
    answer = values[field_name]
    if proposal.agreements and abs(answer - proposal.value) <= 1:
        answer = int(proposal.value) if field_name == "level" else proposal.value
    reason = (
        "" if answer == proposal.value else OVERRIDE_REASON_ABOVE if answer > proposal.value else OVERRIDE_REASON_BELOW
    )
    return values | {field_name: answer, "derived_override_reason": reason}
