"""Pages of cohort match runs for program admins: start, review, constrain, publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError, Repeated
from tandem.core.pagination import page_of
from tandem.core.web import error_text, form_add_error, friendly_errors, repeat_shown
from tandem.matchruns import review, selectors, services
from tandem.matchruns.forms import ConstraintForm, RerunForm, RunStartForm
from tandem.matchruns.models import RunStatus
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

PAIRS_PER_PAGE = 25
RUNS_PER_PAGE = 20
CHANGES_PER_PAGE = 50


run_errors = friendly_errors(back="dashboard")


def _run_url(run) -> str:
    return reverse("match_run_detail", args=[run.program.slug, run.pk])


def _act_on_run(request, run, service, success: str, **kwargs):
    """A button on the run page: call the service, say how it went, go back to the run."""
    try:
        service(user=request.user, run=run, **kwargs)
    except ApplicationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)
    return redirect(_run_url(run))


@login_required
@require_safe
@run_errors
def match_run_list(request, slug: str):
    program = access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    return _run_list_page(request, program, RunStartForm())


def _run_list_page(
    request: HttpRequest, program: Program, form: RunStartForm, status: int = 200
) -> HttpResponse:
    runs = page_of(request, selectors.match_run_list(program=program), RUNS_PER_PAGE)
    return render(
        request,
        "matchruns/run_list.html",
        {
            "program": program,
            "page_obj": runs,
            "runs": runs.object_list,
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
@run_errors
def match_run_start(request, slug: str):
    program = access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = RunStartForm(request.POST)
    if form.is_valid():
        try:
            run = services.match_run_start(user=request.user, program=program, **form.cleaned_data)
        except Repeated as repeat:
            return repeat_shown(request, repeat)
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, f"Match run #{run.pk} started.")
            return redirect(_run_url(run))
    return _run_list_page(request, program, form, status=400)


def _detail_context(request, run, constraint_form=None) -> dict:
    pairs = page_of(request, selectors.match_pair_list(run=run), PAIRS_PER_PAGE)
    mentees, mentors = selectors.match_run_people(run=run)
    labels = review.people_labels(run)
    reviews = review.match_constraint_reviews(run=run, labels=labels)
    options = {"objective": run.objective, "seed": run.seed}
    return {
        "program": run.program,
        "run": run,
        "summary": selectors.match_run_summary(run=run)
        if run.status in (RunStatus.DONE, RunStatus.PUBLISHED, RunStatus.DISCARDED)
        else None,
        "page_obj": pairs,
        "pairs": pairs.object_list,
        "labels": labels,
        "unmatched": review.unmatched_groups(selectors.match_unmatched_list(run=run)),
        "constraints": reviews,
        "broken": [r for r in reviews if r.problem],
        "superseded_by": review.match_run_superseded_by(run=run)
        if run.status == RunStatus.DONE
        else None,
        "constraint_form": constraint_form
        or ConstraintForm(mentees=mentees, mentors=mentors, labels=labels),
        "rerun_form": RunStartForm(initial=options),
        "rerun_options": options,
        "other_runs": selectors.match_run_list(program=run.program).exclude(pk=run.pk)[:20],
    }


@login_required
@require_safe
@run_errors
def match_run_detail(request, slug: str, run_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    return render(request, "matchruns/run_detail.html", _detail_context(request, run))


@login_required
@require_safe
@run_errors
def match_run_status(request, slug: str, run_id: int):
    """The polled progress partial; once the run stops, htmx reloads the page for results."""
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    response = render(request, "matchruns/_status.html", {"run": run, "program": run.program})
    if not run.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
@run_errors
def match_run_constrain(request, slug: str, run_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    mentees, mentors = selectors.match_run_people(run=run)
    labels = review.people_labels(run)
    form = ConstraintForm(request.POST, mentees=mentees, mentors=mentors, labels=labels)
    if form.is_valid():
        try:
            constraint = services.match_run_constrain(
                user=request.user, run=run, **form.cleaned_data
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                f"{constraint.get_kind_display()}: "
                f"{labels.get(constraint.mentee_id)} ↔ "
                f"{labels.get(constraint.mentor_id)}. Re-run to apply it.",
            )
            return redirect(_run_url(run))
    return render(
        request,
        "matchruns/run_detail.html",
        _detail_context(request, run, constraint_form=form),
        status=400,
    )


@login_required
@require_POST
@run_errors
def match_run_unconstrain(request, slug: str, run_id: int, constraint_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    return _act_on_run(
        request,
        run,
        services.match_run_unconstrain,
        "Removed. Re-run to apply the change.",
        constraint_id=constraint_id,
    )


@login_required
@require_POST
@run_errors
def match_run_rerun(request, slug: str, run_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    ids = run.constraints.values_list("pk", flat=True)
    form = RerunForm(request.POST, constraint_ids=list(ids))
    if not form.is_valid():
        for field, errors in form.errors.items():
            said = " ".join(map(str, errors))
            named = f"{form[field].label}: {said}" if field in form.fields else said
            messages.error(request, named)
        return redirect(_run_url(run))
    try:
        new = services.match_run_rerun(user=request.user, run=run, **form.cleaned_data)
    except Repeated as repeat:
        return repeat_shown(request, repeat)
    except ApplicationError as error:
        messages.error(request, error_text(error))
        return redirect(_run_url(run))
    messages.success(request, _rerun_message(new, run, form.cleaned_data))
    return redirect(_run_url(new))


def _rerun_message(new, run, data: dict) -> str:
    if data["remove_all"]:
        return f"Match run #{new.pk} started without pins or forbids."
    if data["remove"]:
        what = "it" if len(data["remove"]) == 1 else f"those {len(data['remove'])}"
        return f"Removed from run #{run.pk}. Match run #{new.pk} started without {what}."
    return f"Match run #{new.pk} started with the pins and forbids of run #{run.pk}."


@login_required
@require_POST
@run_errors
def match_run_publish(request, slug: str, run_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    return _act_on_run(
        request,
        run,
        services.match_run_publish,
        "Published: every pair now has a proposed mentorship.",
    )


@login_required
@require_POST
@run_errors
def match_run_discard(request, slug: str, run_id: int):
    run = selectors.access_match_run(user=request.user, slug=slug, run_id=run_id)
    return _act_on_run(request, run, services.match_run_discard, f"Run #{run.pk} discarded.")


@login_required
@require_safe
@run_errors
def match_run_compare(request, slug: str):
    program = access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        messages.error(request, "Choose two runs to compare.")
        return redirect("match_run_list", slug=program.slug)
    run_a = selectors.access_match_run(user=request.user, slug=slug, run_id=a)
    run_b = selectors.access_match_run(user=request.user, slug=slug, run_id=b)
    comparison = selectors.match_run_compare(run_a=run_a, run_b=run_b)
    changes = page_of(request, comparison.changes, CHANGES_PER_PAGE)
    return render(
        request,
        "matchruns/compare.html",
        {
            "program": program,
            "cmp": comparison,
            "page_obj": changes,
            "changes": changes.object_list,
            "labels": review.people_labels(run_a, run_b),
            "query_string": f"a={run_a.pk}&b={run_b.pk}",
        },
    )
