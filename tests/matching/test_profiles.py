import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.matching import profiles as pf
from tandem.matching.profiles import Mentee, Mentor


def utc_slots(windows, zone):
    """Set of UTC 15-minute slot numbers (0 = Monday 00:00 UTC)."""
    bits = np.unpackbits(
        pf.availability_bits(tuple(windows), zone).view(np.uint8), bitorder="little"
    )
    return set(np.flatnonzero(bits).tolist())


def hours(day, start, end):
    """Slots for day ``day`` from hour ``start`` to ``end`` (UTC)."""
    return set(range((day * 24 + start) * 4, (day * 24 + end) * 4))


class TestParseWindow:
    def test_plain_window(self):
        assert pf.parse_window("Mon 09:00-12:00") == [(0, 540, 720)]

    def test_full_day_names_and_ranges(self):
        assert pf.parse_window("Wednesday 8:30-9:00") == [(2, 510, 540)]
        assert [d for d, _, _ in pf.parse_window("Fri-Mon 10:00-11:00")] == [4, 5, 6, 0]

    def test_end_before_start_wraps_past_midnight(self):
        assert pf.parse_window("Sun 23:00-01:00") == [(6, 1380, 1500)]

    @pytest.mark.parametrize(
        "text",
        [
            "Mon",
            "Funday 09:00-10:00",
            "Mon 9-10",
            "Mon 09:00-25:00",
            "Mon 09:61-10:00",
            "",
            "Mo 09:00-10:00",
        ],
    )
    def test_bad_windows_raise(self, text):
        with pytest.raises(ValueError, match="bad availability window"):
            pf.parse_window(text)

    def test_empty_window_raises(self):
        with pytest.raises(ValueError, match="is empty"):
            pf.parse_window("Mon 09:00-09:00")


class TestAvailabilityInUtc:
    def test_berlin_winter_reference_week_is_utc_plus_one(self):
        assert utc_slots(["Mon 09:00-10:00"], "Europe/Berlin") == hours(0, 8, 9)

    def test_new_york_evening_moves_to_next_utc_day(self):
        assert utc_slots(["Mon 20:00-23:00"], "America/New_York") == hours(1, 1, 4)

    def test_sydney_monday_morning_wraps_back_to_sunday(self):
        # January is summer time in Sydney (UTC+11): Monday 10:00 is Sunday 23:00 UTC.
        assert utc_slots(["Mon 10:00-11:00"], "Australia/Sydney") == hours(6, 23, 24)

    def test_sunday_night_window_wraps_to_monday(self):
        assert utc_slots(["Sun 23:00-01:00"], "UTC") == hours(6, 23, 24) | hours(0, 0, 1)

    def test_half_hour_zone(self):
        assert utc_slots(["Mon 10:00-11:00"], "Asia/Kolkata") == set(range(18, 22))

    def test_empty_zone_is_utc(self):
        assert utc_slots(["Tue 09:00-10:00"], "") == hours(1, 9, 10)

    @given(st.integers(0, 6), st.integers(0, 95), st.integers(1, 96))
    def test_slot_count_equals_duration(self, day, start, length):
        end = (start + length) % 96
        if end == start:
            return
        text = (
            f"{pf._FULL_DAYS[day][:3]} {start // 4:02d}:{start % 4 * 15:02d}-"
            f"{end // 4:02d}:{end % 4 * 15:02d}"
        )
        assert len(utc_slots([text], "Asia/Kolkata")) == length


class TestFieldParsers:
    @pytest.mark.parametrize("text, value", [("2", 2), ("2.0", 2), (" 0 ", 0)])
    def test_capacity_ok(self, text, value):
        assert pf.parse_capacity(text) == value

    @pytest.mark.parametrize("text", ["two", "1.5", "-1", ""])
    def test_capacity_bad(self, text):
        with pytest.raises(ValueError, match="capacity must be a whole number"):
            pf.parse_capacity(text)

    def test_timezone(self):
        with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
            pf.check_timezone("Mars/Base")

    def test_working_style(self):
        assert pf.parse_working_style("structure=4;pace=3") == {"structure": 4, "pace": 3}
        for bad in ("structure=6", "structure", "pace=x"):
            with pytest.raises(ValueError, match="working_style"):
                pf.parse_working_style(bad)

    def test_seniority_and_bool_and_languages(self):
        assert pf.parse_seniority("") is None
        with pytest.raises(ValueError):
            pf.parse_seniority("11")
        assert pf.parse_bool("TRUE") is True
        with pytest.raises(ValueError):
            pf.parse_bool("maybe")
        with pytest.raises(ValueError, match="ISO 639-1"):
            pf.parse_languages("english")


class TestParseCaches:
    """The cell parsers are memoised; a cache hit must look exactly like a fresh parse."""

    def test_hits_equal_the_uncached_parse(self):
        cells = ["sql; Python ;;", "", "en;DE", "Mon 09:00-10:00"]
        pf.split_list.cache_clear()
        for cell in cells:
            assert pf.split_list(cell) == pf.split_list.__wrapped__(cell)
            assert pf.split_list(cell) == pf.split_list.__wrapped__(cell)
        assert pf.split_list.cache_info().hits == len(cells)

    def test_callers_get_their_own_mutable_results(self):
        window = pf.parse_window("Mon-Tue 09:00-10:00")
        window.clear()
        assert pf.parse_window("Mon-Tue 09:00-10:00") == [(0, 540, 600), (1, 540, 600)]
        style = pf.parse_working_style("Structure=4; pace=3")
        style["pace"] = 5
        assert pf.parse_working_style("Structure=4; pace=3") == {"structure": 4, "pace": 3}

    def test_bad_cells_raise_on_every_call(self):
        for _ in range(2):
            with pytest.raises(ValueError, match="bad availability window 'Mon 9-10'"):
                pf.parse_window("Mon 9-10")
            with pytest.raises(ValueError, match="bad availability window 'Mon 9-10'"):
                pf.check_window("Mon 9-10")
            with pytest.raises(ValueError, match="working_style"):
                pf.parse_working_style("pace=9")

    def test_caches_are_bounded(self):
        for index in range(pf.PARSE_CACHE_SIZE + 10):
            pf.split_list(f"tag{index};other")
        info = pf.split_list.cache_info()
        assert info.maxsize == pf.PARSE_CACHE_SIZE
        assert info.currsize == pf.PARSE_CACHE_SIZE


class TestRecords:
    def test_records_validate(self):
        with pytest.raises(ValueError, match="format must be"):
            Mentee(id="a", format="hologram")
        with pytest.raises(ValueError, match="capacity"):
            Mentor(id="m", capacity=-1)
        with pytest.raises(ValueError, match="unknown time zone"):
            Mentor(id="m", timezone="Nowhere")
        with pytest.raises(ValueError, match="id must not be empty"):
            Mentee(id="")

    def test_side_specific_text_and_skills(self):
        assert Mentee(id="a", goals="g", skills_wanted=("x",)).text == "g"
        assert Mentor(id="m", expertise="e", skills_offered=("y",)).skills == ("y",)
