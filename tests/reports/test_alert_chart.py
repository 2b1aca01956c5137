"""The alert chart: the value over the latest checks, the dashed line it crosses (red), the firing
side shaded, and checks without a value left as gaps. Checked on the pixels."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from PIL import Image

from reports.alert_chart import HEIGHT_PX, WIDTH_PX, ChartPoint, draw_alert_chart

T0 = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
RED, SHADE, BLUE = (0xD6, 0x45, 0x45), (0xFA, 0xEA, 0xEA), (0x2E, 0x6F, 0xD8)


def draw(points, **options) -> Image.Image:
    out = io.BytesIO()
    draw_alert_chart(points, out, title=options.pop("title", "Low revenue"), timezone="Europe/Berlin", **options)
    image = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    return image


def _matches(image: Image.Image, color, tolerance: int) -> np.ndarray:
    pixels = np.asarray(image, dtype=int)
    return (np.abs(pixels - np.array(color)) <= tolerance).all(axis=2)


def _count(image: Image.Image, color: tuple[int, int, int], tolerance: int = 12) -> int:
    return int(_matches(image, color, tolerance).sum())


def _rows_with(image: Image.Image, color, tolerance: int = 12) -> set[int]:
    return {int(row) for row in np.nonzero(_matches(image, color, tolerance).any(axis=1))[0]}


def series(values, state="ok"):
    return [ChartPoint(T0 + dt.timedelta(minutes=10 * i), v, state) for i, v in enumerate(values)]


def test_the_threshold_line_and_the_firing_side_are_drawn():
    below = draw(series([12000, 11000, 10500, 9000]), line=10000, op="<", line_label="fires below 10,000")
    above = draw(series([12000, 11000, 10500, 9000]), line=10000, op=">", line_label="fires above 10,000")
    assert _count(below, BLUE) > 500 and _count(below, RED) > 500
    shaded_below, shaded_above = _rows_with(below, SHADE, 4), _rows_with(above, SHADE, 4)
    assert shaded_below and shaded_above
    # the shading sits under the line for "<" and over it for ">"
    assert min(shaded_below) > min(shaded_above) and max(shaded_above) < max(shaded_below)


def test_without_a_line_only_the_values():
    image = draw(series([3, 5, 4]))
    assert _count(image, BLUE) > 500
    assert _count(image, SHADE, 4) == 0


def test_checks_without_a_value_and_a_single_point_still_draw():
    draw(series([None, 5.0, None, 7.0], state="no_data"), line=6, op=">")
    draw(series([42.0]), line=40, op=">=")


def test_no_values_at_all_says_so():
    image = draw(series([None, None]), line=10, op="<")
    assert _count(image, BLUE) == 0


def test_names_are_text_not_mathematics():
    draw(series([1.0, 2.0]), title="Cost in $ and $$ per $unit$", subtitle="$x^2$")
