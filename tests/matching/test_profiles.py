from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.matching import profiles as pf
from tandem.matching.features import FeatureSpace
from tandem.matching.pipeline import match_participants
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.availability import WEEKDAYS, parse_windows, to_utc_intervals


def utc_slots(windows, zone, week=pf.REFERENCE_WEEK):
    """Set of UTC 15-minute slot numbers (0 = Monday 00:00 UTC)."""
    bits = np.unpackbits(
        pf.availability_bits(tuple(windows), zone, week).view(np.uint8), bitorder="little"
    )
    return set(np.flatnonzero(bits).tolist())


def hours(day, start, end):
    """Slots for day ``day`` from hour ``start`` to ``end`` (UTC)."""
    return set(range((day * 24 + start) * 4, (day * 24 + end) * 4))


class TestAvailabilityInUtc:
    def test_berlin_winter_reference_week_is_utc_plus_one(self):
        assert utc_slots(["Mon 09:00-10:00"], "Europe/Berlin") == hours(0, 8, 9)

    def test_new_york_evening_moves_to_next_utc_day(self):
        assert utc_slots(["Mon 20:00-23:00"], "America/New_York") == hours(1, 1, 4)

    @pytest.mark.parametrize(
        ("window", "expected"),
        [
            ("Mon 09:05-10:05", hours(0, 9, 10)),
            ("Mon 09:00-09:59", hours(0, 9, 10)),
            ("Sun 18:00-23:59", hours(6, 18, 24)),
            ("Mon 09:01-09:06", set()),
        ],
    )
    def test_a_window_off_the_quarter_hours_takes_the_nearest_slots(self, window, expected):
        assert utc_slots([window], "UTC") == expected

    def test_two_people_free_at_the_same_minutes_share_the_whole_hour(self):
        # Live check: both free "Mon 09:05-10:05" read "Only 45 minutes a week free at the
        # same time", a concern, where they share an hour: only whole slots counted.
        from tandem.matching.pipeline import rank_mentors_for

        (ranked,) = rank_mentors_for(
            Mentee(id="a", availability=("Mon 09:05-10:05",)),
            [Mentor(id="m", availability=("Mon 09:05-10:05",))],
        )
        assert ("availability", "1 hour a week free at the same time", "strength") in ranked[2]

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
            f"{WEEKDAYS[day]} {start // 4:02d}:{start % 4 * 15:02d}-"
            f"{end // 4:02d}:{end % 4 * 15:02d}"
        )
        assert len(utc_slots([text], "Asia/Kolkata")) == length


class TestDaylightSavingWeeks:
    """The US moves its clocks on 8 March 2026, the EU on 29 March: in the weeks between,
    New York is 5 hours behind Berlin instead of 6. The matching core used to convert in a
    fixed January week and the profile in the week of its date, so the two disagreed there."""

    BETWEEN = date(2026, 3, 11)

    def test_berlin_afternoon_and_new_york_morning_part_between_the_us_and_eu_clock_changes(
        self,
    ):
        berlin, new_york = ["Mon 15:00-16:00"], ["Mon 09:00-10:00"]
        assert utc_slots(berlin, "Europe/Berlin") == utc_slots(new_york, "America/New_York")
        assert utc_slots(berlin, "Europe/Berlin", self.BETWEEN) == hours(0, 14, 15)
        assert utc_slots(new_york, "America/New_York", self.BETWEEN) == hours(0, 13, 14)

    @pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
    @pytest.mark.parametrize("week", [date(2026, 1, 5), BETWEEN, date(2026, 3, 29)])
    def test_the_solver_and_the_profile_convert_a_week_alike(self, zone, week):
        windows = ["Mon 09:00-10:30", "Sun 22:00-02:00", "Wed 18:15-20:00"]
        intervals = to_utc_intervals(parse_windows(windows), zone, week)
        expected = {slot for start, end in intervals for slot in range(start // 15, end // 15)}
        assert utc_slots(windows, zone, week) == expected

    def test_a_match_in_the_weeks_between_finds_no_shared_hour(self):
        mentee = Mentee(id="a", timezone="Europe/Berlin", availability=("Mon 15:00-16:00",))
        mentor = Mentor(id="m", timezone="America/New_York", availability=("Mon 09:00-10:00",))
        january = FeatureSpace([mentee], [mentor])
        between = FeatureSpace([mentee], [mentor], week=self.BETWEEN)
        assert (january.mentee.availability & january.mentor.availability).any()
        assert not (between.mentee.availability & between.mentor.availability).any()


class TestRecords:
    def test_records_validate(self):
        with pytest.raises(ValueError, match="Format must be"):
            Mentee(id="a", format="hologram")
        with pytest.raises(ValueError, match="capacity"):
            Mentor(id="m", capacity=-1)
        with pytest.raises(ValueError, match="is not a time zone"):
            Mentor(id="m", timezone="Nowhere")
        with pytest.raises(ValueError, match="id must not be empty"):
            Mentee(id="")

    def test_side_specific_text_and_skills(self):
        assert Mentee(id="a", goals="g", skills_wanted=("x",)).text == "g"
        assert Mentor(id="m", expertise="e", skills_offered=("y",)).skills == ("y",)

    def test_a_full_mentor_has_capacity_zero(self):
        """What is left of a capacity may be 0; a file states 1 or more (see the record)."""
        assert Mentor(id="m", capacity=0).capacity == 0


def test_language_codes_are_read_as_in_a_participant_file_so_case_never_splits_a_language():
    mentee = Mentee(id="a", goals="learn SQL", languages=("EN", " de "))
    assert mentee.languages == ("en", "de")
    result = match_participants([mentee], [Mentor(id="m", expertise="SQL", languages=("en",))])
    assert [(p["mentee_id"], p["mentor_id"]) for p in result.pairs] == [("a", "m")]
