"""Weekly availability: parsing, merging, formatting, UTC conversion (incl. DST and wraps)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.matching.records.availability import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    AvailabilityError,
    Window,
    check_availability,
    format_window,
    format_windows,
    format_windows_joined,
    from_utc_intervals,
    merge_intervals,
    merge_windows,
    parse_availability,
    parse_time,
    parse_window,
    parse_windows,
    to_utc_intervals,
)

WINTER = date(2026, 1, 14)  # no DST change anywhere below in this week
SUMMER = date(2026, 7, 15)


class TestParse:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("Mon 09:00-12:00", [Window(0, 540, 720)]),
            ("monday 9-12", [Window(0, 540, 720)]),
            ("Tue, 13:30 - 14:15", [Window(1, 810, 855)]),
            ("Wed 18:00–24:00", [Window(2, 1080, 1440)]),
            ("Thu 08:00 to 09:00", [Window(3, 480, 540)]),
            ("Fri 22:00-01:00", [Window(4, 1320, 1440), Window(5, 0, 60)]),
            ("Sun 23:00-02:00", [Window(6, 1380, 1440), Window(0, 0, 120)]),
            ("Sat 20:00-00:00", [Window(5, 1200, 1440)]),
            ("Wednesday 8:30-9:00", [Window(2, 510, 540)]),
            ("Tues. 10:00-11:00", [Window(1, 600, 660)]),
            (
                "Fri-Sun 10:00-11:00",
                [Window(4, 600, 660), Window(5, 600, 660), Window(6, 600, 660)],
            ),
        ],
    )
    def test_valid(self, text, expected):
        assert parse_window(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "Mon",
            "Mon 09:00",
            "Funday 09:00-10:00",
            "Mon 25:00-26:00",
            "Mon 09:60-10:00",
            "Mon 10:00-10:00",
            "Mon 24:30-01:00",
            "Mo 09:00-10:00",
            "Mon-Funday 09:00-10:00",
        ],
    )
    def test_invalid(self, text):
        with pytest.raises(AvailabilityError):
            parse_window(text)

    def test_parse_time(self):
        assert parse_time("00:00") == 0
        assert parse_time("24:00") == MINUTES_PER_DAY
        assert parse_time("7") == 420

    def test_parse_windows_names_bad_entry_and_skips_blanks(self):
        assert parse_windows(["", "Mon 09:00-10:00", "  "]) == [Window(0, 540, 600)]
        with pytest.raises(AvailabilityError, match="Mon 9-9"):
            parse_windows(["Tue 09:00-10:00", "Mon 9-9"])


class TestMergeAndFormat:
    def test_merges_overlapping_and_adjacent_same_day_only(self):
        merged = merge_windows(
            [
                (0, 600, 720),
                (0, 540, 610),
                (0, 720, 780),
                (0, 800, 900),
                (1, 0, 60),
                (0, 1380, 1440),
            ]
        )
        assert merged == [
            Window(0, 540, 780),
            Window(0, 800, 900),
            Window(0, 1380, 1440),
            Window(1, 0, 60),
        ]

    def test_contained_window_disappears(self):
        assert merge_windows([(2, 0, 1440), (2, 60, 120)]) == [Window(2, 0, 1440)]

    def test_format_round_trip(self):
        texts = ["Mon 09:00-12:00", "Wed 07:05-07:20", "Sun 00:00-24:00"]
        assert format_windows(parse_windows(texts)) == texts
        assert format_window(6, 1380, 1440) == "Sun 23:00-24:00"

    def test_merge_intervals(self):
        assert merge_intervals([[10, 20], (15, 30), [30, 40], [50, 50], [60, 70]]) == [
            [10, 40],
            [60, 70],
        ]


class TestToUtc:
    def test_utc_is_identity(self):
        assert to_utc_intervals([(0, 540, 720)], "UTC", WINTER) == [[540, 720]]

    def test_positive_offset_wraps_monday_morning_to_sunday(self):
        # Tokyo is UTC+9: Monday 05:00-10:00 local is Sunday 20:00-24:00 + Monday 00:00-01:00.
        assert to_utc_intervals([(0, 300, 600)], "Asia/Tokyo", WINTER) == [
            [0, 60],
            [MINUTES_PER_WEEK - 240, MINUTES_PER_WEEK],
        ]

    def test_negative_offset_wraps_sunday_night_to_monday(self):
        # Los Angeles in winter is UTC-8: Sunday 20:00-23:00 local is Monday 04:00-07:00 UTC.
        assert to_utc_intervals([(6, 1200, 1380)], "America/Los_Angeles", WINTER) == [[240, 420]]

    def test_midnight_split_windows_join_in_utc(self):
        windows = parse_windows(["Fri 22:00-01:00"])
        assert to_utc_intervals(windows, "UTC", WINTER) == [[4 * 1440 + 1320, 5 * 1440 + 60]]

    def test_sunday_to_monday_wrap_in_utc(self):
        windows = parse_windows(["Sun 23:00-01:00"])
        assert to_utc_intervals(windows, "UTC", WINTER) == [[0, 60], [10020, MINUTES_PER_WEEK]]

    @pytest.mark.parametrize(
        "tz, winter_hour, summer_hour",
        [
            ("Europe/London", 9, 8),
            ("America/New_York", 14, 13),
            ("Europe/Berlin", 8, 7),
            ("Australia/Sydney", -2, -1),  # southern hemisphere: DST in January
        ],
    )
    def test_dst_changes_offset_between_seasons(self, tz, winter_hour, summer_hour):
        def monday_nine(reference):
            return to_utc_intervals([(0, 540, 600)], tz, reference)

        def expected(hour):
            start = hour * 60 if hour >= 0 else MINUTES_PER_WEEK + hour * 60
            return [[start, start + 60]]

        assert monday_nine(WINTER) == expected(winter_hour)
        assert monday_nine(SUMMER) == expected(summer_hour)

    def test_london_spring_forward_week_converts_day_by_day(self):
        # 29 March 2026: clocks go from 01:00 GMT to 02:00 BST.
        week = date(2026, 3, 25)
        windows = parse_windows(["Mon 09:00-10:00", "Sun 09:00-10:00"])
        assert to_utc_intervals(windows, "Europe/London", week) == [
            [540, 600],
            [6 * 1440 + 480, 6 * 1440 + 540],
        ]

    def test_new_york_fall_back_week(self):
        # 1 November 2026: 02:00 EDT becomes 01:00 EST. Sunday 00:00-04:00 local lasts 5 hours.
        week = date(2026, 10, 28)
        intervals = to_utc_intervals(parse_windows(["Sun 00:00-04:00"]), "America/New_York", week)
        assert intervals == [[6 * 1440 + 240, 6 * 1440 + 540]]

    def test_new_york_spring_forward_gap_window_is_skipped_not_negative(self):
        # 8 March 2026: 02:00-03:00 local does not exist.
        week = date(2026, 3, 4)
        intervals = to_utc_intervals(parse_windows(["Sun 01:00-04:00"]), "America/New_York", week)
        assert intervals == [[6 * 1440 + 360, 6 * 1440 + 480]]  # 06:00-08:00 UTC: two real hours


ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/St_Johns",
    "Asia/Kathmandu",
]

windows_strategy = st.lists(
    st.tuples(
        st.integers(0, 6), st.integers(0, MINUTES_PER_DAY - 1), st.integers(1, MINUTES_PER_DAY)
    ).filter(lambda w: w[2] > w[1]),
    max_size=12,
)


def _total(intervals):
    return sum(end - start for start, end in intervals)


class TestProperties:
    @given(windows_strategy)
    def test_merged_windows_never_overlap_or_touch(self, windows):
        merged = merge_windows(windows)
        for a, b in zip(merged, merged[1:], strict=False):
            assert (a.weekday, a.end) < (b.weekday, b.start)
        assert all(0 <= w.start < w.end <= MINUTES_PER_DAY for w in merged)
        covered = {(d, m) for d, s, e in windows for m in range(s, e)}
        assert covered == {(w.weekday, m) for w in merged for m in range(w.start, w.end)}

    @settings(max_examples=60, deadline=None)
    @given(windows_strategy, st.sampled_from(ZONES), st.sampled_from([WINTER, SUMMER]))
    def test_utc_round_trip(self, windows, tz, reference):
        # In the middle of January/July no listed zone changes its offset in that week.
        merged = merge_windows(windows)
        intervals = to_utc_intervals(merged, tz, reference)
        assert merge_intervals(intervals) == intervals
        assert all(0 <= s < e <= MINUTES_PER_WEEK for s, e in intervals)
        assert _total(intervals) == sum(w.end - w.start for w in merged)
        assert from_utc_intervals(intervals, tz, reference) == merged

    @settings(max_examples=40, deadline=None)
    @given(
        windows_strategy,
        st.sampled_from(ZONES),
        st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    )
    def test_any_week_gives_disjoint_in_range_intervals(self, windows, tz, reference):
        intervals = to_utc_intervals(windows, tz, reference)
        assert all(0 <= s < e <= MINUTES_PER_WEEK for s, e in intervals)
        for a, b in zip(intervals, intervals[1:], strict=False):
            assert a[1] < b[0]
        # A DST change moves at most one hour.
        assert abs(_total(intervals) - sum(w.end - w.start for w in merge_windows(windows))) <= 60


class TestJoinedFormat:
    def test_overnight_windows_are_joined(self):
        windows = parse_windows(
            ["Fri 22:00-01:00", "Sun 23:00-00:30", "Tue 00:00-24:00", "Wed 00:00-03:00"]
        )
        assert format_windows_joined(windows) == [
            "Tue 00:00-24:00",
            "Wed 00:00-03:00",
            "Fri 22:00-01:00",
            "Sun 23:00-00:30",
        ]

    @given(windows_strategy)
    def test_joined_text_parses_back_to_the_same_windows(self, windows):
        merged = merge_windows(windows)
        assert parse_windows(format_windows_joined(merged)) == merged


class TestOneGrammar:
    """``tandem match`` refused ``Mon 9-10`` and the import refused ``Mon-Fri 18:00-20:00``;
    both now read every window through the one grammar."""

    def test_day_runs_and_hours_without_minutes_read_alike_everywhere(self):
        assert format_windows(parse_availability("Mon-Tue 9-10; Sun 23:00-01:00")) == [
            "Mon 00:00-01:00",
            "Mon 09:00-10:00",
            "Tue 09:00-10:00",
            "Sun 23:00-24:00",
        ]
        assert check_availability(["Mon-Tue 9-10"]) == [Window(0, 540, 600), Window(1, 540, 600)]

    def test_a_run_of_days_wraps_past_sunday(self):
        assert [w.weekday for w in parse_window("Sat-Mon 09:00-10:00")] == [5, 6, 0]

    def test_a_bad_cell_names_the_window_and_says_how_to_separate_several(self):
        with pytest.raises(AvailabilityError) as caught:
            parse_availability("Mon 09:00-10:00; Mon 9:00")
        assert "“Mon 9:00”" in caught.value.message and "Separate several" in caught.value.message

    def test_a_bad_cell_raises_on_every_call(self):
        """The window parser is cached: failures must not be cached away."""
        for _ in range(2):
            with pytest.raises(AvailabilityError):
                parse_window("Mon 9:00")

    def test_callers_get_their_own_lists(self):
        parse_window("Mon-Tue 09:00-10:00").clear()
        assert len(parse_window("Mon-Tue 09:00-10:00")) == 2

    def test_triples_of_the_wrong_shape_are_refused(self):
        with pytest.raises(AvailabilityError, match="weekday, a start and an end"):
            check_availability([(0, 540)])
