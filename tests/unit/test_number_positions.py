"""Priority numbers on the dual-space chart: close points never share a side."""

from cities.figures import NUMBER_POSITIONS, _number_positions


def point(flow: float, coverage: float) -> dict:
    return {"flow": flow, "coverage": coverage}


def test_close_points_take_different_sides_and_far_ones_the_first():
    points = [point(40.0, 31.2), point(300.0, 25.0), point(42.0, 31.2), point(41.0, 31.2), point(45.0, 30.0)]
    positions = _number_positions(points, log_flow=True)
    close = [positions[i] for i in (0, 2, 3, 4)]
    assert len(set(close)) == 4  # four pairs within a hair of each other: four sides
    assert positions[1] == NUMBER_POSITIONS[0]  # alone: above


def test_on_a_linear_axis_closeness_is_a_share_of_the_range():
    points = [point(0.0, 50.0), point(5.0, 50.0), point(100.0, 50.0)]
    assert _number_positions(points, log_flow=False) == ["top center", "bottom center", "top center"]
