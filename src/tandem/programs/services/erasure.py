"""What programs keep of a deleted account (docs/people.md, *Deleting your account*).

The person leaves every program (``leaving.enrolments_close_for_closed_account``); the enrolment
rows stay, as "Left the program", since the program's figures and the mentorships in it point at
them. What they wrote to the admins goes: the free-text answers they gave when joining; so does
the id an imported file gave them (an employee number names them as well as an address would,
and a later import may give it to someone again). The e-mail invitations they accepted no longer
carry the address they had (the admins typed it, but beside the enrolment it dated, it names
them): they read the account's anonymised address, as the participant list does. Uploaded
participant files still kept lose the person's rows, or go if they uploaded them
(``imports.erasure``).
"""

from __future__ import annotations

from django.urls import reverse

from tandem.people.models import User
from tandem.people.services.closing import DeleteBlocker, Former
from tandem.programs.imports.erasure import import_files_erase_for_closed_account
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Program, Role
from tandem.programs.selectors import program_admin_enrolments
from tandem.programs.services.leaving import enrolments_close_for_closed_account

LAST_ADMIN_FIRST = (
    "You are the last admin of {program}: make someone else its admin first (Participants, "
    "Make admin)."
)


def programs_erase_for_closed_account(*, user: User, former: Former) -> None:
    """The account eraser (``people.services.closing``, handed what the account was called
    before it was anonymised)."""
    # The uploads first: an import's write locks its upload, then the program (leaving locks
    # the program), so the two never wait for each other the other way round.
    import_files_erase_for_closed_account(user=user, former=former)
    enrolments_close_for_closed_account(user=user)
    Enrolment.objects.filter(person=user).exclude(answers={}).update(answers={})
    Enrolment.objects.filter(person=user).exclude(external_id="").update(external_id="")
    if former.email:
        ParticipantInvitation.objects.filter(
            email__iexact=former.email, accepted_at__isnull=False
        ).update(email=user.email, external_id="")


def last_admin_blockers(*, user: User) -> list[DeleteBlocker]:
    """The account check: the programs the person is the last active admin of, which the
    eraser would refuse to leave (``leaving``), in words with the participants page."""
    programs = Program.objects.filter(
        enrolments__person=user,
        enrolments__role=Role.ADMIN,
        enrolments__status=EnrolmentStatus.ACTIVE,
    ).distinct()
    return [
        DeleteBlocker(
            text=LAST_ADMIN_FIRST.format(program=program.name),
            url=reverse("program_participants", args=[program.slug]),
        )
        for program in programs.order_by("name", "pk")
        if not program_admin_enrolments(program_id=program.pk).exclude(person=user).exists()
    ]
