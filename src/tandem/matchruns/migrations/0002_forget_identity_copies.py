"""Remove the identity copies saved runs held, and coarsen their stored group figures.

Before this, a run's ``inputs`` kept each person's identity and preference (so withdrawing
identity left copies), its pairs' scores and reasons were computed with identity, and its
``report`` kept exact group counts, a count of hidden groups and figures computed on
identity-weighted scores. Pairs are re-scored and re-explained without identity (as runs are
now), group rows are rewritten with the one rule (``public_group_rows``), and the identity
fields are dropped. Not reversible: the copies are gone.

Re-scoring uses today's matching code, which holds each stored person to today's participant
record; a run whose inputs it rejects (say a seniority of 7.5) is not re-scored, only stripped
of its identity fields and identity reasons, so one old value cannot stop ``migrate``.
"""

import dataclasses
import math

from django.db import migrations

IDENTITY_FIELDS = ("identity", "prefer_shared_identity")
DROPPED = ("suppressed_groups", "upper_bound", "gap", "relative_gap", "blocking_pairs", "bound")
IDENTITY_REASONS = (
    "shares an identity the mentee asked for",
    "does not share an identity the mentee asked for",
)


def _rows(groups) -> list[dict]:
    from tandem.matching.report import public_group_rows

    counts = {}
    for row in groups or ():
        size = int(row.get("size", 0))
        matched = row.get("matched")
        if matched is None:  # already public: the exact count is unknown, keep the row as is
            return list(groups)
        counts[str(row["label"])] = (size, int(matched))
    return [
        {"label": label, "size": g["size"], "rate": g["match_rate"]}
        for label, g in public_group_rows(counts).items()
    ]


def _records(cls, rows) -> list:
    names = {f.name for f in dataclasses.fields(cls)} - set(IDENTITY_FIELDS)
    return [
        cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items() if k in names})
        for r in rows
    ]


def _rescore(MatchPair, run, inputs: dict, report: dict) -> None:
    """Score and explain the run's pairs without identity, as a run does now."""
    from tandem.matching.explain import explain_pairs
    from tandem.matching.features import CRITERIA, FeatureSpace, resolve_weights
    from tandem.matching.profiles import Mentee, Mentor
    from tandem.matching.result import public_scores

    pairs = list(MatchPair.objects.filter(run=run).order_by("pk"))
    mentees = _records(Mentee, inputs.get("mentees", ()))
    mentors = _records(Mentor, inputs.get("mentors", ()))
    space = FeatureSpace(mentees, mentors, reverse=bool(inputs.get("reverse", False)))
    known = [
        p
        for p in pairs
        if str(p.mentee_id) in space.mentee_index and str(p.mentor_id) in space.mentor_index
    ]
    if not known:
        return
    weights = resolve_weights({**inputs.get("weights", {}), "identity": 0.0})
    public = tuple(c for c in CRITERIA if c not in IDENTITY_FIELDS)
    i = [space.mentee_index[str(p.mentee_id)] for p in known]
    j = [space.mentor_index[str(p.mentor_id)] for p in known]
    scores = public_scores(space, weights, public, i, j).tolist()
    explained = explain_pairs(space, weights, i, j, public)
    for pair, score, why in zip(known, scores, explained, strict=True):
        pair.score = round(float(score), 6)
        pair.reasons = [
            {"criterion": r.criterion, "text": r.text, "kind": r.kind} for r in why["reasons"]
        ]
    MatchPair.objects.bulk_update(known, ["score", "reasons"], batch_size=500)
    values = [p.score for p in pairs]
    if values and "mean_score" in report:
        report.update(
            total_score=round(math.fsum(values), 6),
            mean_score=round(math.fsum(values) / len(values), 6),
            min_score=round(min(values), 6),
        )


def _drop_identity_reasons(MatchPair, run) -> None:
    """Keep a pair's score but none of its reasons about identity (runs stored texts then)."""
    pairs = list(MatchPair.objects.filter(run=run).only("pk", "reasons"))
    for pair in pairs:
        pair.reasons = [r for r in pair.reasons or () if r not in IDENTITY_REASONS]
    MatchPair.objects.bulk_update(pairs, ["reasons"], batch_size=500)


def forget(apps, schema_editor):
    MatchRun = apps.get_model("matchruns", "MatchRun")
    MatchPair = apps.get_model("matchruns", "MatchPair")
    for run in MatchRun.objects.only("pk", "inputs", "report").iterator(chunk_size=100):
        inputs = run.inputs or {}
        report = run.report or {}
        try:
            _rescore(MatchPair, run, inputs, report)
        except (TypeError, ValueError):  # a stored person today's participant record rejects
            _drop_identity_reasons(MatchPair, run)
        for side in ("mentees", "mentors"):
            for record in inputs.get(side, ()):
                for key in IDENTITY_FIELDS:
                    record.pop(key, None)
        for key in DROPPED:
            report.pop(key, None)
        if "groups" in report:
            report["groups"] = _rows(report["groups"])
        MatchRun.objects.filter(pk=run.pk).update(inputs=inputs, report=report)


class Migration(migrations.Migration):
    dependencies = [("matchruns", "0001_initial")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
