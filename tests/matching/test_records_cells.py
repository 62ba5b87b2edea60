"""The participant record's field rules, one per kind, where the entry points used to disagree."""

import pytest

from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records import cells
from tandem.matching.records.cells import CellError
from tandem.matching.records.timezones import check_timezone, timezone_names


class TestSeniority:
    @pytest.mark.parametrize("value, expected", [("7", 7), (7.0, 7), (" 0 ", 0), ("10", 10)])
    def test_whole_numbers_from_0_to_10(self, value, expected):
        assert cells.check_seniority(value) == expected

    @pytest.mark.parametrize("value", ["7.5", 7.5, "11", -1, "senior", True])
    def test_anything_else_is_refused(self, value):
        with pytest.raises(CellError, match="whole number from 0"):
            cells.check_seniority(value)

    def test_fractional_seniority_is_rejected_everywhere(self):
        """``tandem match`` read 7.5 as a seniority; the import and the profile refused it."""
        with pytest.raises(CellError):
            cells.check_seniority("7.5")
        with pytest.raises(ValueError, match="whole number"):
            Mentee(id="a", seniority=7.5)
        assert Mentor(id="m", seniority=7.0).seniority == 7.0  # a workbook's whole number

    def test_empty_is_not_set(self):
        assert cells.check_seniority("") is None and cells.check_seniority(None) is None


class TestLanguages:
    def test_codes_are_lower_cased_and_kept_once(self):
        assert cells.parse_languages("EN; de ;en") == ["en", "de"]

    def test_unknown_two_letter_codes_are_rejected_everywhere(self):
        """``tandem match`` took any two letters ('zz'); the import and profile knew the list."""
        with pytest.raises(CellError, match="Unknown language code\\(s\\): zz, english"):
            cells.parse_languages("en;zz;english")
        with pytest.raises(ValueError, match="Unknown language"):
            Mentee(id="a", languages=("zz",))

    def test_results_are_the_callers_own(self):
        first = cells.parse_languages("en;de")
        first.append("fr")
        assert cells.parse_languages("en;de") == ["en", "de"]


class TestBooleans:
    @pytest.mark.parametrize("text", ["yes", "Y", "TRUE", "1"])
    def test_yes(self, text):
        assert cells.parse_bool(text) is True

    @pytest.mark.parametrize("text", ["no", "N", "false", "0", ""])
    def test_no(self, text):
        assert cells.parse_bool(text) is False

    def test_booleans_are_read_alike_by_every_entry_point(self):
        """One parser and one message (the match said 'expected true or false', the import
        'Write yes or no')."""
        with pytest.raises(CellError, match="Write yes or no \\(got 'maybe'\\)"):
            cells.parse_bool("maybe")


class TestWorkingStyle:
    def test_known_questions_with_answers_1_to_5(self):
        assert cells.parse_working_style("Structure=4; pace=3") == {"structure": 4, "pace": 3}

    def test_working_style_names_only_the_four_questions_everywhere(self):
        """``tandem match`` accepted any key ('mood=3'); the profile and the import did not."""
        with pytest.raises(CellError, match="structure, directness, pace, focus"):
            cells.parse_working_style("mood=3")
        with pytest.raises(ValueError, match="Unknown working-style question"):
            Mentor(id="m", working_style={"mood": 3})

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("structure=6", "Answer structure with a number from 1 to 5"),
            ("pace=0", "Answer pace with a number from 1 to 5"),
            ("structure", "Write working_style like"),
            ("pace=x", "Write working_style like"),
        ],
    )
    def test_bad_answers(self, text, message):
        with pytest.raises(CellError, match=message):
            cells.parse_working_style(text)

    def test_a_typed_answer_names_its_question(self):
        with pytest.raises(CellError) as caught:
            cells.check_working_style({"pace": 9})
        assert caught.value.part == "pace"
        assert caught.value.message == cells.WORKING_STYLE_ANSWER.format(question="pace")

    def test_bad_cells_raise_on_every_call(self):
        """The parser is cached; a failure must not be cached away."""
        for _ in range(2):
            with pytest.raises(CellError):
                cells.parse_working_style("pace=9")

    def test_callers_get_their_own_dicts(self):
        cells.parse_working_style("pace=3")["pace"] = 5
        assert cells.parse_working_style("pace=3") == {"pace": 3}


class TestCapacity:
    @pytest.mark.parametrize("text, value", [("2", 2), ("2.0", 2), (" 1 ", 1), ("20", 20)])
    def test_whole_numbers_from_1_to_20(self, text, value):
        assert cells.check_capacity(text) == value

    @pytest.mark.parametrize("text", ["two", "1.5", "-1", "0", "21", "", "1_0"])
    def test_capacity_in_a_file_is_1_to_20_everywhere(self, text):
        """``tandem match`` took 0 and any size; the import 1 to 20 (and "1_0" as 10)."""
        with pytest.raises(CellError, match="whole number from 1 to 20"):
            cells.check_capacity(text)


class TestChoices:
    def test_format_and_cadence(self):
        assert cells.parse_format("In-Person") == "in_person"
        assert cells.parse_cadence("Weekly") == "weekly"
        with pytest.raises(CellError, match="virtual, in_person or any"):
            cells.parse_format("hologram")
        with pytest.raises(CellError, match="weekly, biweekly"):
            cells.parse_cadence("daily")

    def test_role(self):
        assert cells.parse_role(" Mentor ") == "mentor"
        with pytest.raises(CellError, match="mentee or mentor"):
            cells.parse_role("boss")


class TestSkillsAndIdentity:
    def test_skills_are_kept_once_by_slug_with_c_plus_plus_apart_from_c(self):
        assert cells.parse_skills("Python; python ;C;C++;C#") == ["Python", "C", "C++", "C#"]

    @pytest.mark.parametrize(
        ("name", "slug"),
        [("Ｃ＃", "c-sharp"), ("C♯", "c-sharp"), ("ｃ♯", "c-sharp"), ("Ｃ＋＋", "c-plus-plus")],
    )
    def test_full_width_and_music_sharp_are_normalised_before_the_symbols_are_read(
        self, name, slug
    ):
        """Live review: "Ｃ＃", "Ｃ＋＋" and "C♯" were all slugged ``c``."""
        assert cells.skill_slug(name) == slug

    def test_skill_rules(self):
        with pytest.raises(CellError, match="at most 80"):
            cells.parse_skills("x" * 81)
        with pytest.raises(CellError, match="not a usable skill"):
            cells.parse_skills("!!!")
        with pytest.raises(CellError, match="at most 30"):
            cells.parse_skills(";".join(f"s{k}" for k in range(31)))

    def test_identity_rules(self):
        assert cells.parse_identity("parent; Parent;first  generation") == [
            "parent",
            "first generation",
        ]
        with pytest.raises(CellError, match="under 60"):
            cells.parse_identity("x" * 61)

    def test_references_compare_emails_in_lower_case(self):
        assert cells.parse_references("A@x.org; id7; a@X.org") == ["a@x.org", "id7"]


class TestTimezone:
    def test_one_rule_for_time_zones(self):
        """The match took whatever ``ZoneInfo`` could load; the profile the listed names."""
        assert check_timezone(" Europe/Berlin ") == "Europe/Berlin"
        assert "UTC" in timezone_names()
        for bad in ("Mars/Base", "", "europe/berlin", "localtime"):
            with pytest.raises(CellError, match="is not a time zone"):
                check_timezone(bad)
