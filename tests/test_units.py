"""The one number-and-unit formatter (simspam.viz.units) and the outcome catalogue it serves."""
from __future__ import annotations

import numpy as np
import pytest

from simspam.metrics.outcomes import CATALOGUE, COMPARED, COST_PARTS, HEADLINE, POLICY_COST, YEARLY, describe
from simspam.viz import units


@pytest.mark.parametrize(
    ("value", "money", "text"),
    [
        (1.23e9, False, "1.2 bn"),
        (3.44e6, False, "3.4 M"),
        (5.6e6, True, "$5.6 M"),
        (-5.6e6, True, "-$5.6 M"),
        (2.5e12, False, "2.5 tn"),
        (45_300, False, "45,300"),
        (12, False, "12"),
        (0.1234, False, "0.123"),
        (float("nan"), False, "n/a"),
        (None, False, "n/a"),
    ],
)
def test_number(value, money, text):
    assert units.number(value, money=money) == text


@pytest.mark.parametrize(
    ("value", "unit", "signed", "text"),
    [
        (3.4e9, "messages", False, "3.4 bn messages"),
        (1.2e6, "USD", True, "+$1.2 M"),
        (1.2e6, "usd", False, "$1.2 M"),
        (45.25, "%", False, "45.2 %"),
        (0.8, "%", True, "+0.8 pp"),
        (0.452, "share", False, "45.2 %"),
        (2.5e6, "hours", False, "2.5 M hours"),
        (7, "", False, "7"),
        (float("inf"), "USD", False, "n/a"),
    ],
)
def test_quantity(value, unit, signed, text):
    assert units.quantity(value, unit, signed=signed) == text


def test_cards_name_measures_and_leave_counts_to_their_label():
    assert units.card(2.5e6, "hours") == "2.5 M h"
    assert units.card(5.6e6, "USD") == "$5.6 M"
    assert units.card(45.25, "%") == "45.2 %" and units.card(1.0, "share") == "100.0 %"
    assert units.card(1.23e9, "messages") == "1.2 bn"
    assert units.card("legislation", "") == "legislation" and units.card(None, "USD") == "n/a"


def test_plain_keeps_whole_numbers_exact():
    assert units.plain(2_933_838_924_459, "messages") == "2,933,838,924,459"
    assert units.plain(np.int64(12), "arrests") == "12"
    assert units.plain(6.738e8, "hours") == "673.8 M h"


def test_small_formats():
    assert units.percent(0.854) == "85 %" and units.percent(-0.12, signed=True) == "-12 %"
    assert units.percent(-0.001, signed=True) == "+0 %"
    assert units.ratio(1, 3) == "33.3 %" and units.ratio(1, 0) == "n/a"
    assert units.compact(-2.5e6, "USD") == "-$2.5 M" and units.compact(1.25, "%") == "+1.2"
    assert units.significant(0.000123456) == "0.0001235" and units.significant(float("nan")) == "n/a"


def test_axis_scale_and_titles():
    assert units.scale([1.2e9, 3e8], "messages") == (1e9, "billions")
    assert units.scale([45_000], "USD") == (1e3, "thousands")
    assert units.scale([1e12], "%") == (1.0, "")
    assert units.axis_title("Spam", "messages", "millions") == "Spam (millions of messages)"
    assert units.axis_title("Cost", "USD", "millions") == "Cost (USD millions)"
    assert units.axis_title("Share", "%", "", change=True) == "Share (percentage points)"


def test_catalogue_is_consistent():
    """Every outcome has a unit the formatter knows or a count noun, a direction and a label; the
    outcomes compared across runs and the costs are headline outcomes."""
    for o in [*CATALOGUE.values(), *YEARLY.values()]:
        assert o.unit and o.better in ("lower", "higher") and o.label[:1].isupper() and o.meaning
    assert set(COMPARED) <= set(HEADLINE) and set(COST_PARTS) <= set(HEADLINE)
    assert POLICY_COST in CATALOGUE and POLICY_COST not in HEADLINE
    assert not CATALOGUE["enforcement_actions"].lower_is_better and CATALOGUE["spam_delivered"].lower_is_better
    unknown = describe("made_up_thing")
    assert unknown.label == "Made up thing" and unknown.unit == "" and unknown.lower_is_better
