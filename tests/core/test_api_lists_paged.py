"""Every list the API answers is paged, or is short by nature with its bound in the schema.

A live review found ten operations answering a bare array of every row (a mentorship's
meetings, goals, agenda, action items, agreement versions; a run's unmatched people and its
pins and forbids; ...): ``?page=2`` answered page 1 again. This walks every GET of the published
schema, so a new list cannot forget.
"""

from __future__ import annotations

from tandem.api import api

# The two ways of ``core.pagination``: ninja's ``paginate`` and ``numbered_page``; a chat's
# messages come by cursor instead (``?after=``, ``next_after``), as new ones keep arriving.
NINJA_PAGE = {"items", "count"}
NUMBERED_PAGE = {"items", "count", "page", "pages"}
CURSOR_PAGE = {"items", "next_after"}


def _lists():
    """``(path, kind, operation)`` of every GET whose answer is a list of rows."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        content = operation["responses"].get(200, {}).get("content", {})
        answer = content.get("application/json", {}).get("schema", {})
        if answer.get("type") == "array":
            yield path, "array", operation, answer
        elif "$ref" in answer:
            component = components[answer["$ref"].rsplit("/", 1)[-1]]
            fields = set(component.get("properties", {}))
            if "items" in fields:
                yield path, "page", operation, component


def test_every_list_is_paged_or_bounded():
    problems = []
    for path, kind, operation, answer in _lists():
        parameters = {p["name"] for p in operation.get("parameters", [])}
        if kind == "array":
            if "maxItems" not in answer:
                problems.append(f"GET {path}: a bare array of every row")
        elif not (
            (set(answer["properties"]) >= NINJA_PAGE and "page" in parameters)
            or (set(answer["properties"]) >= CURSOR_PAGE and "after" in parameters)
        ):
            problems.append(f"GET {path}: items without count and ?page=")
    assert not problems, "\n".join(problems)


def test_the_walk_finds_the_lists_of_the_review():
    found = {path: kind for path, kind, _, _ in _lists()}
    assert {
        "/api/mentorships/{mentorship_id}/agreement/versions": "page",
        "/api/mentorships/{mentorship_id}/goals": "page",
        "/api/mentorships/{mentorship_id}/meetings": "page",
        "/api/mentorships/meetings/{meeting_id}/agenda": "page",
        "/api/mentorships/{mentorship_id}/action-items": "page",
        "/api/match-runs/{slug}/runs/{run_id}/unmatched": "page",
        "/api/match-runs/{slug}/runs/{run_id}/constraints": "page",
        "/api/mentorships/{mentorship_id}/meetings/suggestions": "array",
        "/api/programs/{program_id}/checkin-templates": "array",
        "/api/programs/{program_id}/checkin-aggregates": "array",
    }.items() <= found.items()


def test_a_routers_pages_all_have_its_one_envelope():
    """The match-run lists give their page's position (``numbered_page``), the others ninja's
    ``{items, count}``: a client reads a run's unmatched people as it reads its pairs."""
    components = api.get_openapi_schema()["components"]["schemas"]
    for path, kind, _, answer in _lists():
        if kind == "page" and path.startswith("/api/match-runs/"):
            assert set(answer["properties"]) >= NUMBERED_PAGE, path
    assert set(components["UnmatchedPage"]["properties"]) == NUMBERED_PAGE
