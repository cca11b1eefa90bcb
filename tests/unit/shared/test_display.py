"""Formatting helpers shared by the worker and the web."""

from __future__ import annotations

from decimal import Decimal

import pytest

from photoshare_shared.display import format_bytes, format_exposure, format_f_number, format_focal_length


# Each formatter, a value, and what people see: one table for the units photographers read.
@pytest.mark.parametrize(
    ("formatter", "value", "text"),
    [
        (format_exposure, Decimal("0.004"), "1/250 s"),
        (format_exposure, Decimal("0.000125"), "1/8000 s"),
        (format_exposure, Decimal("0.0166667"), "1/60 s"),
        (format_exposure, Decimal("0.333333"), "1/3 s"),
        (format_exposure, Decimal("0.5"), "1/2 s"),
        (format_exposure, Decimal("0.6"), "0.6 s"),  # a real camera step; "1/2 s" would be wrong
        (format_exposure, Decimal("0.3"), "0.3 s"),
        (format_exposure, Decimal("1"), "1 s"),
        (format_exposure, Decimal("2"), "2 s"),
        (format_exposure, Decimal("2.5"), "2.5 s"),
        (format_exposure, Decimal("2.50"), "2.5 s"),
        (format_exposure, Decimal("30"), "30 s"),
        (format_exposure, Decimal("1.3"), "1.3 s"),
        (format_exposure, Decimal("1E+1"), "10 s"),
        (format_exposure, 2, "2 s"),
        (format_f_number, Decimal("5.6"), "f/5.6"),
        (format_f_number, Decimal("5.60"), "f/5.6"),
        (format_f_number, Decimal("2"), "f/2"),
        (format_f_number, Decimal("1.4"), "f/1.4"),
        (format_f_number, Decimal("0.95"), "f/0.95"),
        (format_f_number, Decimal("22"), "f/22"),
        (format_f_number, Decimal("2E+1"), "f/20"),
        (format_f_number, 8, "f/8"),
        (format_focal_length, Decimal("50"), "50 mm"),
        (format_focal_length, Decimal("5.7"), "5.7 mm"),
        (format_focal_length, Decimal("4.25"), "4.3 mm"),
        (format_focal_length, Decimal("200.0"), "200 mm"),
        (format_focal_length, Decimal("5E+1"), "50 mm"),
        (format_focal_length, Decimal("24"), "24 mm"),
        (format_bytes, 0, "0 B"),
        (format_bytes, 1, "1 B"),
        (format_bytes, 999, "999 B"),
        (format_bytes, 1000, "1 kB"),
        (format_bytes, 1500, "1.5 kB"),
        (format_bytes, 3_400_000, "3.4 MB"),
        (format_bytes, 3_449_999, "3.4 MB"),
        (format_bytes, 3_450_000, "3.5 MB"),
        (format_bytes, 34_500_000, "34.5 MB"),
        (format_bytes, 345_000_000, "345 MB"),
        (format_bytes, 999_960, "1 MB"),  # not "1000 kB"
        (format_bytes, 99_960, "100 kB"),
        (format_bytes, 2_000_000_000, "2 GB"),
        (format_bytes, 10**30, "1000000000000 EB"),
    ],
)
def test_formats_in_the_units_people_read(formatter, value: object, text: str) -> None:
    assert formatter(value) == text


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_invalid_numbers_are_rejected(bad: object) -> None:
    for formatter in (format_exposure, format_f_number, format_focal_length):
        with pytest.raises(ValueError):
            formatter(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["5.6", None, True, (1, 2)])
def test_non_numbers_are_rejected(bad: object) -> None:
    for formatter in (format_exposure, format_f_number, format_focal_length):
        with pytest.raises(TypeError):
            formatter(bad)  # type: ignore[arg-type]


def test_format_bytes_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        format_bytes(-1)
    with pytest.raises(TypeError):
        format_bytes(1.5)  # type: ignore[arg-type]
