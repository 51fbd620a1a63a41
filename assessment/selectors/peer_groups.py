"""A city among its peer groups: who is in each group, and the city's position by published index (issue 20, point 4).

Membership is the group's rule (cities/peer_groups.py) over the cities' own
columns and imported attributes; positions use the published results of one
framework version, period and kind, readable by the user, as every ranking does.
"""

from dataclasses import dataclass

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from assessment.framework_cache import framework_scoring_tree
from assessment.models import AssessmentResult, Framework
from assessment.selectors.results import published_results_visible_to
from cities.models import City, CityAttribute, PeerGroup
from cities.peer_groups import PeerPosition, PeerRule, peer_position


@dataclass(frozen=True)
class PeerGroupStanding:
    group: PeerGroup
    members: list[str]  # every member's code, scored or not
    scores: dict[str, float]  # members with a published index -> the index
    position: PeerPosition | None  # None when the city itself has no published index

    @property
    def shown(self) -> bool:
        return self.position is not None and self.position.shown


def city_attributes() -> dict[str, dict[str, object]]:
    """Every city's attributes a peer rule may read: level, province, population, and the imported ones."""
    attributes: dict[str, dict[str, object]] = {
        code: {"level": level, "province": province, "population": population}
        for code, level, province, population in City.objects.values_list("code", "level", "province_id", "population")
    }
    for code, key, value in CityAttribute.objects.values_list("city_id", "key", "value"):
        attributes.setdefault(code, {})[key] = value
    return attributes


def peer_groups_of(
    city: City, attributes: dict[str, dict[str, object]] | None = None
) -> list[tuple[PeerGroup, list[str]]]:
    """The groups the city belongs to, each with its members' codes, in the groups' order."""
    attributes = attributes if attributes is not None else city_attributes()
    found = []
    for group in PeerGroup.objects.all():
        rule = PeerRule(group.attribute, tuple(group.values or ()), group.minimum, group.maximum)  # noqa: PD011 (a model field)
        if not rule.admits(attributes.get(city.code, {})):
            continue
        found.append((group, sorted(code for code, values in attributes.items() if rule.admits(values))))
    return found


def member_cities(codes: list[str]) -> pd.DataFrame:
    """Names and provinces of the given cities, indexed by code, as the dashboards' city labels read them."""
    columns = ["code", "name_zh", "name_en", "province_zh", "province_en"]
    rows = (
        City.objects.filter(code__in=codes)
        .order_by("code")
        .values_list("code", "name_zh", "name_en", "province__name_zh", "province__name_en")
    )
    return pd.DataFrame(list(rows), columns=columns).set_index("code")


def peer_group_standings(
    *, city: City, framework: Framework, period: int, kind: str, user: AbstractBaseUser | AnonymousUser
) -> list[PeerGroupStanding]:
    """The city's position in each of its groups; one query for the groups' published results together."""
    groups = peer_groups_of(city)
    every_member = sorted({code for _group, members in groups for code in members})
    index = framework_scoring_tree(framework).root
    published = AssessmentResult.objects.filter(
        assessment__in=published_results_visible_to(user).filter(
            city__in=every_member, period=period, framework=framework, kind=kind
        )
    ).values_list("assessment__city_id", "scores")
    index_of = {code: float(scores[index]) for code, scores in published if scores and scores.get(index) is not None}
    return [
        PeerGroupStanding(
            group=group,
            members=members,
            scores={code: index_of[code] for code in members if code in index_of},
            position=peer_position({code: index_of[code] for code in members if code in index_of}, city.code),
        )
        for group, members in groups
    ]
