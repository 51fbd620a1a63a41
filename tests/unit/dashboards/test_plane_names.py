"""Which cities the in-city × cross-boundary plane names in writing, and where: no database."""

import numpy as np
import pandas as pd

from assessment.dashboards import figures


def crowded_plane(count: int = 41, seed: int = 18) -> pd.DataFrame:
    """``count`` cities spread like a region's: most in the middle, a few at the ends."""
    rng = np.random.default_rng(seed)
    x = np.clip(rng.normal(50, 15, count), 0, 100)
    y = np.clip(x + rng.normal(0, 10, count), 0, 100)
    return pd.DataFrame({"x": x, "y": y}, index=[f"{320100 + 100 * i}" for i in range(count)])


def test_a_41_city_plane_names_its_extremes_without_covering_a_point_or_a_name():
    frame = crowded_plane()
    labels = {code: f"城市{i:02d}" for i, code in enumerate(frame.index)}

    placed = figures.plane_names(frame, labels)

    assert 6 <= len(placed) < len(frame)
    # The best and the last on each axis are named when their name fits anywhere around them.
    for column in ("x", "y"):
        assert {frame[column].idxmax(), frame[column].idxmin()} & set(placed)
    boxes = {
        code: figures._name_box(
            place,
            *figures._plane_px(frame.loc[code, "x"], frame.loc[code, "y"]),
            figures._text_width(labels[code], figures.PLANE_NAME_SIZE),
            5.0,
        )
        for code, place in placed.items()
    }
    points = {code: figures._plane_px(row["x"], row["y"]) for code, row in frame.iterrows()}
    for code, box in boxes.items():
        for other, (px, py) in points.items():
            if other != code:
                assert not (box[0] < px + 5 and px - 5 < box[2] and box[1] < py + 5 and py - 5 < box[3]), (code, other)
        for other, box_other in boxes.items():
            if other != code:
                assert figures._crossing(box, [box_other]) == 0, (code, other)


def test_the_figure_writes_the_placed_names_and_every_city_hovers_with_its_stage():
    frame = crowded_plane()
    labels = {code: f"City {i}" for i, code in enumerate(frame.index)}
    stages = {code: "S2" for code in frame.index}

    figure = figures.plane_figure(
        frame, (50.0, 50.0), labels, ("In-city", "Cross-boundary"), thresholds={"x": (60.0, "S1–S3")}, stages=stages
    )

    cities = figure["data"][0]
    written = [text for text in cities["text"] if text]
    assert len(written) >= 6
    assert cities["hovertext"] == [labels[code] for code in frame.index]
    assert "%{customdata[1]}" in cities["hovertemplate"]
    assert {tuple(item) for item in cities["customdata"]} == {(code, "S2") for code in frame.index}


def test_a_region_of_twelve_names_every_city_and_the_highlighted_one_always():
    frame = crowded_plane(12)
    labels = {code: f"City {i}" for i, code in enumerate(frame.index)}
    assert set(figures.plane_names(frame, labels)) == set(frame.index)

    big = crowded_plane(41)
    lost = big.index[20]
    assert lost in figures.plane_names(big, {code: code for code in big.index}, highlight=lost)


def test_a_name_steps_off_a_threshold_line_where_it_can_and_is_written_even_where_it_cannot():
    """金华 at (61, 40): above or below its marker the 60-point line ran through the name."""
    frame = pd.DataFrame({"x": [61.0, 20.0], "y": [40.0, 80.0]}, index=["330700", "340100"])
    labels = {"330700": "金华", "340100": "合肥"}
    assert figures.plane_names(frame, labels)["330700"] == "top center"  # no line: the first place
    moved = figures.plane_names(frame, labels, lines=[("x", 60.0), ("y", 60.0)])
    assert moved["330700"] == "middle right"
    # Lines through every place around a marker: the name is still written, crossing as few as it must.
    boxed = figures.plane_names(frame, labels, lines=[("x", 59.0), ("x", 61.0), ("x", 63.0), ("y", 40.0)])
    assert set(boxed) == {"330700", "340100"}
