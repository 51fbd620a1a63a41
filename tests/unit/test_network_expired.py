"""An expired agreement counts on the dates inside both its bounds, never without them."""

import datetime as dt

from cities.network import AgreementEdge, is_in_force, select_agreements


def _edge(status: str, start: dt.date | None, end: dt.date | None) -> AgreementEdge:
    return AgreementEdge("a", "health_code_identity", "mutual_recognition", status, start, end, ("A", "B"))


def test_expired_counts_inside_its_dates():
    edge = _edge("expired", dt.date(2020, 3, 1), dt.date(2022, 12, 7))
    assert is_in_force(edge, dt.date(2021, 6, 30))
    assert is_in_force(edge, dt.date(2022, 12, 7))
    assert not is_in_force(edge, dt.date(2023, 6, 30))
    assert not is_in_force(edge, dt.date(2020, 2, 29))
    assert select_agreements([edge], on=dt.date(2021, 6, 30)) == [edge]


def test_expired_without_both_dates_never_counts():
    assert not is_in_force(_edge("expired", None, dt.date(2022, 12, 7)), dt.date(2021, 6, 30))
    assert not is_in_force(_edge("expired", dt.date(2020, 3, 1), None), dt.date(2021, 6, 30))


def test_the_expired_network_still_lists_expired_agreements_by_status():
    edge = _edge("expired", None, None)
    assert select_agreements([edge], on=dt.date(2030, 1, 1), status="expired") == [edge]
