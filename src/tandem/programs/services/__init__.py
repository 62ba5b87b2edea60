"""Every write about programs and who is in them, each checking permission itself. Split by
sub-domain (the programs, enrolments and their invitation links); import from here. Imports
have their own services (``tandem.programs.imports.services``)."""

from tandem.programs.services.admins import (
    ALREADY_ADMIN,
    program_admin_invitation_resend,
    program_admin_invitation_withdraw,
    program_admin_invite,
    program_admin_promote,
)
from tandem.programs.services.enrolment_bulk import (
    BULK_ACTIONS,
    BULK_NONE_SELECTED,
    enrolment_set_status_bulk,
)
from tandem.programs.services.enrolments import (
    ANSWER_REQUIRED,
    BAD_MAX_USES,
    INVITATION_EXPIRED,
    INVITATION_REVOKED,
    INVITATION_USED_UP,
    LAST_ADMIN,
    Joined,
    enrolment_join,
    enrolment_join_by_invitation,
    enrolment_set_status,
    enrolment_update_capacity,
    invitation_create,
    invitation_problem,
    invitation_revoke,
)
from tandem.programs.services.programs import (
    CREATE_NOT_ALLOWED,
    CREATE_PERMISSION,
    ENDS_BEFORE_START,
    PROGRAM_FIELDS,
    program_can_create,
    program_create,
    program_update,
)
from tandem.programs.services.waitlist import (
    enrolment_entry_fields,
    program_lock,
    waitlist_fill,
)

__all__ = [
    "ALREADY_ADMIN",
    "ANSWER_REQUIRED",
    "BAD_MAX_USES",
    "BULK_ACTIONS",
    "BULK_NONE_SELECTED",
    "CREATE_NOT_ALLOWED",
    "CREATE_PERMISSION",
    "ENDS_BEFORE_START",
    "INVITATION_EXPIRED",
    "INVITATION_REVOKED",
    "INVITATION_USED_UP",
    "LAST_ADMIN",
    "PROGRAM_FIELDS",
    "Joined",
    "enrolment_join",
    "enrolment_join_by_invitation",
    "enrolment_set_status",
    "enrolment_set_status_bulk",
    "enrolment_update_capacity",
    "invitation_create",
    "invitation_problem",
    "invitation_revoke",
    "program_admin_invitation_resend",
    "program_admin_invitation_withdraw",
    "program_admin_invite",
    "program_admin_promote",
    "program_can_create",
    "program_create",
    "program_update",
    "program_lock",
    "enrolment_entry_fields",
    "waitlist_fill",
]
