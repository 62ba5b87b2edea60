"""Joining (part of ``/api/programs/``): what joining asks, before one joins (the questions of an
invitation link's role, and of an import's invitation by email, with the answers the caller's
enrolment in that role gave already; without them an API client could not know what to send
in ``answers``, an API review), and answering an invitation by email as its page does.
Readable by whoever may answer: anyone signed in holding a link's token
(``access_invitation``); only the invited address for an invitation by email
(``access_participant_invitation``), anyone else getting the 404 of a wrong token."""

from __future__ import annotations

from ninja import Field, Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.openapi import ErrorOut
from tandem.people.models import User
from tandem.programs import selectors
from tandem.programs.api_schemas import EnrolmentOut, JoinIn
from tandem.programs.imports import services as import_services
from tandem.programs.models import Invitation, ParticipantInvitation
from tandem.programs.selectors.joining import answer_field, join_questions_for
from tandem.programs.services import Joined

router = Router(tags=["programs"])

# A join's answers: 201 with what it made, or 200 with the same body for a retry that wrote
# nothing (it answered 201 again: a client could not tell a retry from a new enrolment).
JOINED = {201: EnrolmentOut, 200: EnrolmentOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def joined_out(joined: Joined) -> tuple[int, object]:
    return (200 if joined.again else 201), joined.enrolment


class JoinQuestionOut(Schema):
    key: str = Field(description="Send the answer as `answers.<key>` (`q<question id>`).")
    prompt: str
    required: bool


class JoinQuestionsOut(Schema):
    program: str = Field(description="The program's slug.")
    program_name: str
    role: str = Field(description="mentee | mentor (an invitation by email: admin too)")
    state: str = Field(
        description="A link: usable | revoked | expired | used up. An invitation by email: "
        "pending | accepted | declined | withdrawn | expired. Only a usable or pending one "
        "can be answered."
    )
    questions: list[JoinQuestionOut] = Field(description="In the order the form asks them.")
    answers: dict[str, str] = Field(
        description="By key: the answers your enrolment in this role gave already (kept "
        "unless you send new ones when accepting an invitation by email)."
    )


def _questions_out(user: User, invitation: Invitation | ParticipantInvitation) -> JoinQuestionsOut:
    questions, given = join_questions_for(user=user, invitation=invitation)
    return JoinQuestionsOut(
        program=invitation.program.slug,
        program_name=invitation.program.name,
        role=invitation.role,
        state=invitation.state,
        questions=[
            JoinQuestionOut(key=answer_field(q), prompt=q.prompt, required=q.required)
            for q in questions
        ],
        answers=given,
    )


@router.get(
    "/join/{token}/questions",
    response={200: JoinQuestionsOut, 404: ErrorOut},
    operation_id="tandem_programs_api_join_questions",
)
def join_questions(request: AuthenticatedRequest, token: str):
    """The questions `POST /join/{token}` asks: its link's role's. Anyone signed in holding
    the token may read them (the token is the secret, as for joining)."""
    invitation = selectors.access_invitation(user=request.auth, token=token)
    return _questions_out(request.auth, invitation)


@router.get(
    "/invited/{token}/questions",
    response={200: JoinQuestionsOut, 404: ErrorOut},
    operation_id="tandem_programs_api_invitation_questions",
)
def invitation_questions(request: AuthenticatedRequest, token: str):
    """The questions accepting an invitation by email asks (the token of its link,
    `/programs/invited/<token>/`): its role's, as a link asks. Only the account with the
    invited address; anyone else gets the 404 of a wrong token."""
    invitation = selectors.access_participant_invitation(user=request.auth, token=token)
    return _questions_out(request.auth, invitation)


class DeclinedOut(Schema):
    state: str = Field(description="declined")


@router.post(
    "/invited/{token}/accept",
    response=JOINED,
    operation_id="tandem_programs_api_invitation_accept",
)
def invitation_accept(request: AuthenticatedRequest, token: str, payload: JoinIn):
    """Accept an invitation by email, as its page does: 201 with the enrolment (active; on the
    waitlist when the role is full; awaiting approval for someone an admin removed), the
    role's join questions answered in `answers` as when joining by a link. Only the account
    with the invited address (anyone else: 404, as a wrong token); a withdrawn, expired or
    declined invitation is a 409 saying so. Accepted again with the same answers (or none):
    200, the same body, written nothing."""
    return joined_out(
        import_services.participant_invitation_accept(
            user=request.auth, token=token, answers=payload.answers
        )
    )


@router.post(
    "/invited/{token}/decline",
    response={200: DeclinedOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="tandem_programs_api_invitation_decline",
)
def invitation_decline(request: AuthenticatedRequest, token: str):
    """Decline an invitation by email, as its page does: nothing else changes. Declined again:
    the same answer; accepted, withdrawn or expired: 409."""
    import_services.participant_invitation_decline(user=request.auth, token=token)
    return {"state": "declined"}
