"""What the match-run services say when they refuse or report, in one place so the pages, the
API and the tests read the same words."""

EMPTY_COHORT = "This program has no active {side} to match yet. Approve enrolments first."
EVERY_MENTEE_MATCHED = (
    "Every active mentee of this program already has a mentorship in it, and a run matches only "
    "mentees without one. A mentee joins the next run once their mentorship has ended (either "
    "of the pair, or an admin on its page, can end it early)."
)
SAME_RUN_IN_PROGRESS = (
    "Match run #{id} with the same settings (objective {objective}, seed {seed}, the same pins "
    "and forbids) is already {status}; open it to follow it, or start one with another "
    "objective or seed."
)
NOT_A_DRAFT = "Only a finished draft run can be changed; this one is {status}."
NOT_PUBLISHABLE = "Only a finished draft run can be published; this one is {status}."
NOT_FIXABLE = "Pins and forbids can be removed from a draft or a failed run; this one is {status}."
NOT_DISCARDABLE = "A published run cannot be discarded."
NOTHING_TO_PUBLISH = "This run matched nobody, so there is nothing to publish."
PAIRS_INVALID = "Nothing was published: some pairs are no longer valid. Re-run to refresh."
NOT_IN_RUN_MENTEE = "This person is not a mentee in this run."
NOT_IN_RUN_MENTOR = "This person is not a mentor in this run."
BAD_KIND = "Choose pin or forbid."
PIN_TAKEN = "{mentee} is already pinned to {mentor}. Remove that pin first."
PIN_FULL = "{mentor} has {capacity} free place(s), all already pinned. Remove a pin first."
SAME_PAIR_PINNED = (
    "{mentee} is pinned to {mentor} on this run. Remove that pin first to forbid the pair."
)
SAME_PAIR_FORBIDDEN = (
    "{mentee} and {mentor} are forbidden as a pair on this run. Remove that forbid first to "
    "pin them."
)
CONSTRAINT_NOT_FOUND = "No such pin or forbid on this run."
LEFT_PROGRAM = "{name} is no longer an active {role} of the program."
# At publishing, with whom: two deleted people both read "A former member".
PAIR_LEFT_PROGRAM = "{name} (paired with {partners}) is no longer an active {role} of the program."
MENTOR_FULL = "{name} is now full ({taken} of {limit} places taken, {wanted} more proposed)."
ALREADY_MATCHED = "{name} already has a mentorship in this program."
