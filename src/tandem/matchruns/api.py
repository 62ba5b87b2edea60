"""JSON API of match runs (program admins) and mentor recommendations (mentees); thin.

Operation ids are spelled out as they were when match runs lived in ``tandem.programs``:
clients generated from the schema depend on them, so they must not follow the module layout.
"""

from __future__ import annotations

from ninja import Query, Router

from tandem.core.api_types import AuthenticatedRequest, TextId
from tandem.core.pagination import PageNumber, numbered_page
from tandem.matchruns import review, selectors, services
from tandem.matchruns.models import MatchRun
from tandem.matchruns.schemas import (
    CompareOut,
    ConstraintIn,
    ConstraintOut,
    ConstraintReviewPage,
    PairPage,
    RecommendationFilters,
    RecommendationPage,
    RerunIn,
    RunDetailOut,
    RunPage,
    StartIn,
    UnmatchedPage,
)
from tandem.programs.selectors import ProgramAccess, access_program

router = Router(tags=["match runs"])
PAGE_SIZE = 50


def _person(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def _run(run: MatchRun, *, summary: bool = False) -> dict:
    data = {
        "id": run.pk,
        "program": run.program.slug,
        "objective": run.objective,
        "seed": run.seed,
        "status": run.status,
        "progress": run.progress,
        "error": run.error,
        "parent_id": run.parent_id,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "published_at": run.published_at,
    }
    if summary:
        figures = (
            selectors.match_run_summary(run=run)
            if not run.in_progress and run.status != "failed"
            else None
        )
        data["summary"] = vars(figures) if figures else None
        newer = review.match_run_superseded_by(run=run) if run.status == "done" else None
        data["superseded_by"] = newer.pk if newer else None
    return data


def _access(request: AuthenticatedRequest, slug: str, run_id: int) -> MatchRun:
    return selectors.access_match_run(user=request.auth, slug=slug, run_id=run_id)


@router.get(
    "/{slug}/runs",
    response=RunPage,
    summary="List a program's match runs",
    operation_id="tandem_programs_matchruns_api_run_list",
)
def run_list(request: AuthenticatedRequest, slug: str, page: PageNumber = 1):
    program = access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    found, meta = numbered_page(selectors.match_run_list(program=program), page, PAGE_SIZE)
    return {**meta, "items": [_run(run) for run in found.object_list]}


@router.post(
    "/{slug}/runs",
    response={202: RunDetailOut},
    summary="Start a match run",
    operation_id="tandem_programs_matchruns_api_run_start",
)
def run_start(request: AuthenticatedRequest, slug: str, payload: StartIn):
    program = access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    run = services.match_run_start(
        user=request.auth, program=program, objective=payload.objective, seed=payload.seed
    )
    run.refresh_from_db()
    return 202, _run(run, summary=True)


@router.get(
    "/{slug}/runs/{run_id}",
    response=RunDetailOut,
    summary="Status and quality of a run",
    operation_id="tandem_programs_matchruns_api_run_detail",
)
def run_detail(request: AuthenticatedRequest, slug: str, run_id: TextId):
    return _run(_access(request, slug, run_id), summary=True)


@router.get(
    "/{slug}/runs/{run_id}/pairs",
    response=PairPage,
    summary="Proposed pairs",
    operation_id="tandem_programs_matchruns_api_run_pairs",
)
def run_pairs(request: AuthenticatedRequest, slug: str, run_id: TextId, page: PageNumber = 1):
    run = _access(request, slug, run_id)
    found, meta = numbered_page(selectors.match_pair_list(run=run), page, PAGE_SIZE)
    return {
        **meta,
        "items": [
            {
                "mentee": _person(p.mentee),
                "mentor": _person(p.mentor),
                "score": p.score,
                "reasons": p.reasons,
                "pinned": p.pinned,
            }
            for p in found.object_list
        ],
    }


@router.get(
    "/{slug}/runs/{run_id}/unmatched",
    response=UnmatchedPage,
    summary="People the run could not match, and why",
    operation_id="tandem_programs_matchruns_api_run_unmatched",
)
def run_unmatched(request: AuthenticatedRequest, slug: str, run_id: TextId, page: PageNumber = 1):
    run = _access(request, slug, run_id)
    found, meta = numbered_page(selectors.match_unmatched_list(run=run), page, PAGE_SIZE)
    return {
        **meta,
        "items": [
            {"person": _person(u.person), "side": u.side, "reasons": u.reasons}
            for u in found.object_list
        ],
    }


def _constraint(c) -> dict:
    return {"id": c.pk, "mentee": _person(c.mentee), "mentor": _person(c.mentor), "kind": c.kind}


@router.get(
    "/{slug}/runs/{run_id}/constraints",
    response=ConstraintReviewPage,
    summary="Pins and forbids of a run, with what each will change",
    operation_id="tandem_programs_matchruns_api_constraint_list",
)
def constraint_list(request: AuthenticatedRequest, slug: str, run_id: TextId, page: PageNumber = 1):
    run = _access(request, slug, run_id)
    names = {p.id: p.name for side in selectors.match_run_people(run=run) for p in side}
    reviews = review.match_constraint_reviews(run=run, labels=names)
    found, meta = numbered_page(reviews, page, PAGE_SIZE)
    items = [
        {
            "id": r.constraint.pk,
            "mentee": {"id": r.constraint.mentee_id, "name": names.get(r.constraint.mentee_id, "")},
            "mentor": {"id": r.constraint.mentor_id, "name": names.get(r.constraint.mentor_id, "")},
            "kind": r.constraint.kind,
            "effect": r.effect,
            "pending": r.pending,
            "problem": r.problem,
        }
        for r in found.object_list
    ]
    return {**meta, "items": items}


@router.post(
    "/{slug}/runs/{run_id}/constraints",
    response={201: ConstraintOut},
    summary="Pin or forbid a pair",
    operation_id="tandem_programs_matchruns_api_constraint_create",
)
def constraint_create(
    request: AuthenticatedRequest, slug: str, run_id: TextId, payload: ConstraintIn
):
    run = _access(request, slug, run_id)
    constraint = services.match_run_constrain(user=request.auth, run=run, **payload.dict())
    return 201, _constraint(constraint)


@router.delete(
    "/{slug}/runs/{run_id}/constraints/{constraint_id}",
    response={204: None},
    summary="Remove a pin or forbid",
    operation_id="tandem_programs_matchruns_api_constraint_delete",
)
def constraint_delete(
    request: AuthenticatedRequest, slug: str, run_id: TextId, constraint_id: TextId
):
    run = _access(request, slug, run_id)
    services.match_run_unconstrain(user=request.auth, run=run, constraint_id=constraint_id)
    return 204, None


@router.post(
    "/{slug}/runs/{run_id}/rerun",
    response={202: RunDetailOut},
    summary="Re-run with this run's pins and forbids",
    operation_id="tandem_programs_matchruns_api_run_rerun",
)
def run_rerun(request: AuthenticatedRequest, slug: str, run_id: TextId, payload: RerunIn):
    run = _access(request, slug, run_id)
    new = services.match_run_rerun(
        user=request.auth,
        run=run,
        objective=payload.objective,
        seed=payload.seed,
        remove=payload.remove,
        remove_all=payload.remove_all,
    )
    new.refresh_from_db()
    return 202, _run(new, summary=True)


@router.get(
    "/{slug}/runs/{run_id}/compare/{other_id}",
    response=CompareOut,
    summary="Compare two runs",
    operation_id="tandem_programs_matchruns_api_run_compare",
)
def run_compare(request: AuthenticatedRequest, slug: str, run_id: TextId, other_id: TextId):
    run_a, run_b = _access(request, slug, run_id), _access(request, slug, other_id)
    cmp = selectors.match_run_compare(run_a=run_a, run_b=run_b)
    return {
        "run_a": {**_run(run_a), "summary": vars(cmp.summary_a)},
        "run_b": {**_run(run_b), "summary": vars(cmp.summary_b)},
        "same": cmp.same,
        "changes": [
            {
                "mentee": {"id": c.mentee_id, "name": c.mentee},
                "mentor_a": c.mentor_a,
                "score_a": c.score_a,
                "mentor_b": c.mentor_b,
                "score_b": c.score_b,
                "delta": c.delta,
            }
            for c in cmp.changes
        ],
    }


@router.post(
    "/{slug}/runs/{run_id}/publish",
    response=RunDetailOut,
    summary="Publish: create every proposed mentorship, or none",
    operation_id="tandem_programs_matchruns_api_run_publish",
)
def run_publish(request: AuthenticatedRequest, slug: str, run_id: TextId):
    run = services.match_run_publish(user=request.auth, run=_access(request, slug, run_id))
    return _run(run, summary=True)


@router.post(
    "/{slug}/runs/{run_id}/discard",
    response=RunDetailOut,
    summary="Discard a run",
    operation_id="tandem_programs_matchruns_api_run_discard",
)
def run_discard(request: AuthenticatedRequest, slug: str, run_id: TextId):
    run = services.match_run_discard(user=request.auth, run=_access(request, slug, run_id))
    return _run(run, summary=True)


@router.get(
    "/{slug}/recommendations",
    response=RecommendationPage,
    summary="Mentors with a free place, ranked for the current mentee",
    operation_id="tandem_programs_matchruns_api_recommendations",
)
def recommendations(
    request: AuthenticatedRequest, slug: str, filters: Query[RecommendationFilters]
):
    program = access_program(user=request.auth, slug=slug, need=ProgramAccess.MENTEE)
    result = selectors.mentor_recommendations(
        user=request.auth,
        program=program,
        filters=selectors.MentorFilters(
            skill=filters.skill,
            language=filters.language,
            timezone=filters.timezone,
            format=filters.format,
        ),
    )
    found, meta = numbered_page(result.items, filters.page, 20)
    return {
        **meta,
        "items": [
            {
                "mentor": {"id": r.mentor_id, "name": r.name},
                "headline": r.headline,
                "score": r.score,
                "reasons": r.reasons,
                "free_places": r.free_places,
            }
            for r in found.object_list
        ],
        "preparing": result.preparing,
    }
