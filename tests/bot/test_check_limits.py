"""Reading conditions back runs reports: one at a time per person, and a limited number per window."""

from __future__ import annotations

import pytest

from bot.check_limits import ConditionCheckLimit
from storage.errors import BadInput


def test_one_check_at_a_time_per_person():
    limit = ConditionCheckLimit()
    with limit.check("T1", "U1", 0.0):
        with pytest.raises(BadInput, match="still reading your last condition"):
            with limit.check("T1", "U1", 1.0):
                pass
        with limit.check("T1", "U2", 1.0):  # someone else is not held up
            pass
    with limit.check("T1", "U1", 2.0):  # the first one ended
        pass


def test_at_most_so_many_checks_in_a_window_then_again_as_they_age():
    limit = ConditionCheckLimit(per_window=3, window_seconds=600)
    for second in (0.0, 10.0, 20.0):
        with limit.check("T1", "U1", second):
            pass
    with pytest.raises(BadInput, match=r"I've read 3 conditions .* in the last 10 minutes.*try again in 10 min"):
        with limit.check("T1", "U1", 30.0):
            pass
    with limit.check("T2", "U1", 30.0):  # the same id in another workspace is another person
        pass
    with limit.check("T1", "U1", 600.5):  # the first check is out of the window now
        pass
