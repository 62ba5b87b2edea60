"""Store each reason of a pair or an unmatched person as ``{"criterion", "text"}``.

Runs kept reasons as plain texts, which pages and the API then had to take apart; the core
now returns ``(criterion, text)`` and runs store both. Stored texts are given their criterion
by the words each criterion's reasons start or end with (a copy of the templates of the time,
so this migration imports no live code); a text no rule knows gets the criterion ``""``.
Rows already in the new shape are left as they are. Reversible: back to the texts.
"""

from django.db import migrations

# (criterion, how the text starts); the first match wins, so longer prefixes come first.
PAIR_PREFIXES = (
    ("goals", "shares goals in "),
    ("goals", "goals close to the mentor's expertise"),
    ("goals", "goals and expertise differ"),
    ("skills", "offers "),
    ("availability", "no overlapping hours"),
    ("cadence", "close cadences ("),
    ("format", "both prefer virtual"),
    ("cadence", "both prefer "),
    ("format", "both can meet in person in "),
    ("format", "meeting format fits"),
    ("format", "one wants virtual, the other in person"),
    ("seniority", "mentor is "),
    ("seniority", "mentee is "),
    ("seniority", "seniority is the wrong way round"),
    ("working_style", "similar working style"),
    ("working_style", "different working styles"),
    ("identity", "shares an identity the mentee asked for"),
    ("identity", "does not share an identity the mentee asked for"),
    ("score_table", "score from the table"),
)
PAIR_SUFFIXES = (("availability", " h/week overlap"),)
UNMATCHED = {
    "no mentor shares a language": "language",
    "every remaining mentor was on an exclude list": "exclude",
    "every remaining pair was forbidden by the program": "forbidden",
    "excluded by conflict rules (manager line)": "manager",
    "excluded by conflict rules (same department)": "department",
    "no in-person mentor in the same city": "city",
    "no mentor has room (capacity 0)": "capacity",
    "there are no mentors": "no_mentors",
    "the score table has no row for this mentee": "no_rows",
    "every compatible mentor was full": "all_compatible_full",
    "a compatible mentor had room, but a group floor needed the place": "not_selected",
    "not matched: other pairs made a better overall result": "solver",
}


def pair_criterion(text: str) -> str:
    for criterion, suffix in PAIR_SUFFIXES:
        if text.endswith(suffix):
            return criterion
    for criterion, prefix in PAIR_PREFIXES:
        if text.startswith(prefix):
            return criterion
    return ""


def unmatched_criterion(text: str) -> str:
    return UNMATCHED.get(text, "")


def _convert(model, criterion_of) -> None:
    changed = []
    for row in model.objects.only("pk", "reasons").iterator(chunk_size=500):
        reasons = row.reasons or []
        if any(isinstance(reason, str) for reason in reasons):
            row.reasons = [
                {"criterion": criterion_of(reason), "text": reason}
                if isinstance(reason, str)
                else reason
                for reason in reasons
            ]
            changed.append(row)
    model.objects.bulk_update(changed, ["reasons"], batch_size=500)


def _texts(model) -> None:
    changed = []
    for row in model.objects.only("pk", "reasons").iterator(chunk_size=500):
        reasons = row.reasons or []
        if any(isinstance(reason, dict) for reason in reasons):
            row.reasons = [
                reason["text"] if isinstance(reason, dict) else reason for reason in reasons
            ]
            changed.append(row)
    model.objects.bulk_update(changed, ["reasons"], batch_size=500)


def forwards(apps, schema_editor):
    _convert(apps.get_model("matchruns", "MatchPair"), pair_criterion)
    _convert(apps.get_model("matchruns", "MatchUnmatched"), unmatched_criterion)


def backwards(apps, schema_editor):
    _texts(apps.get_model("matchruns", "MatchPair"))
    _texts(apps.get_model("matchruns", "MatchUnmatched"))


class Migration(migrations.Migration):
    dependencies = [("matchruns", "0002_forget_identity_copies")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
