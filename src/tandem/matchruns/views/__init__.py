"""Match-run pages for program admins and the ranked mentor list for mentees."""

from tandem.matchruns.views.recommendations import program_mentors
from tandem.matchruns.views.runs import (
    match_run_compare,
    match_run_constrain,
    match_run_detail,
    match_run_discard,
    match_run_list,
    match_run_publish,
    match_run_rerun,
    match_run_start,
    match_run_status,
    match_run_unconstrain,
)

__all__ = [
    "match_run_compare",
    "match_run_constrain",
    "match_run_detail",
    "match_run_discard",
    "match_run_list",
    "match_run_publish",
    "match_run_rerun",
    "match_run_start",
    "match_run_status",
    "match_run_unconstrain",
    "program_mentors",
]
