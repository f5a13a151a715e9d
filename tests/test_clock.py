"""Deadlines and the 56-day clock: whole dates only, never guessed."""

from datetime import date

import pytest

from indexer.clock import Deadline, days, deadline, full, overdue


@pytest.mark.parametrize("text, published, expected", [
    ("By 31 December 2024, all chief constables should …", "2023-12-08", Deadline("By 31 December 2024", "2024-12-31")),
    ("By March 2025, forces should …", None, Deadline("By March 2025", "2025-03")),
    ("by the end of 2025 the force should …", None, Deadline("by the end of 2025", "2025")),
    ("Within six months, forces should …", "2023-12-08", Deadline("Within six months", "2024-06-08")),
    ("within 3 months of this report", "2024-11-30", Deadline("within 3 months", "2025-02-28")),
    ("within two weeks", None, Deadline("within two weeks", None)),  # from a publication date not known
    ("With immediate effect, all chief constables should …", "2023-12-08",
     Deadline("With immediate effect", "2023-12-08")),
    ("As inspected by Ofsted 2019, forces should act by 1 May 2025.", None, Deadline("by 1 May 2025", "2025-05-01")),
    ("Forces should record the welfare of every child.", "2023-12-08", None),
])
def test_deadlines_as_stated(text, published, expected):
    assert deadline(text, published) == expected


def test_days_and_overdue_only_from_whole_dates():
    assert days("2020-02-27", "2020-04-17") == 50
    assert days("2023", "2023-12-08") is None and days(None, "2023-12-08") is None and full("2026-01") is None
    assert overdue("2024-01-01", False, date(2024, 2, 27))  # 57 days
    assert not overdue("2024-01-01", False, date(2024, 2, 26))  # 56 days: still within the time allowed
    assert not overdue("2024-01-01", True, date(2025, 1, 1))  # answered
    assert not overdue("2024", False, date(2025, 1, 1))  # a year alone: unknown, never guessed
