"""Formatting helpers shared by the worker and the web."""

from __future__ import annotations

from decimal import Decimal

import pytest

from photoshare_shared.display import format_bytes, format_exposure, format_f_number, format_focal_length


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (Decimal("0.004"), "1/250 s"),
        (Decimal("0.000125"), "1/8000 s"),
        (Decimal("0.0166667"), "1/60 s"),
        (Decimal("0.333333"), "1/3 s"),
        (Decimal("0.5"), "1/2 s"),
        (Decimal("0.6"), "0.6 s"),  # a real camera step; "1/2 s" would be wrong
        (Decimal("0.3"), "0.3 s"),
        (Decimal("1"), "1 s"),
        (Decimal("2"), "2 s"),
        (Decimal("2.5"), "2.5 s"),
        (Decimal("2.50"), "2.5 s"),
        (Decimal("30"), "30 s"),
        (Decimal("1.3"), "1.3 s"),
        (Decimal("1E+1"), "10 s"),
        (2, "2 s"),
    ],
)
def test_format_exposure(seconds: Decimal, text: str) -> None:
    assert format_exposure(seconds) == text


@pytest.mark.parametrize(
    ("f_number", "text"),
    [
        (Decimal("5.6"), "f/5.6"),
        (Decimal("5.60"), "f/5.6"),
        (Decimal("2"), "f/2"),
        (Decimal("1.4"), "f/1.4"),
        (Decimal("0.95"), "f/0.95"),
        (Decimal("22"), "f/22"),
        (Decimal("2E+1"), "f/20"),
        (8, "f/8"),
    ],
)
def test_format_f_number(f_number: Decimal, text: str) -> None:
    assert format_f_number(f_number) == text


@pytest.mark.parametrize(
    ("mm", "text"),
    [
        (Decimal("50"), "50 mm"),
        (Decimal("5.7"), "5.7 mm"),
        (Decimal("4.25"), "4.3 mm"),
        (Decimal("200.0"), "200 mm"),
        (Decimal("5E+1"), "50 mm"),
        (Decimal("24"), "24 mm"),
    ],
)
def test_format_focal_length(mm: Decimal, text: str) -> None:
    assert format_focal_length(mm) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (999, "999 B"),
        (1000, "1 kB"),
        (1500, "1.5 kB"),
        (3_400_000, "3.4 MB"),
        (3_449_999, "3.4 MB"),
        (3_450_000, "3.5 MB"),
        (34_500_000, "34.5 MB"),
        (345_000_000, "345 MB"),
        (999_960, "1 MB"),  # not "1000 kB"
        (99_960, "100 kB"),
        (2_000_000_000, "2 GB"),
        (10**30, "1000000000000 EB"),
    ],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


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
