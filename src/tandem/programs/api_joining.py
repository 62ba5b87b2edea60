"""What joining asks, before one joins (part of ``/api/programs/``): the questions of an
invitation link's role, and of an import's invitation by email, with the answers the caller's
enrolment in that role gave already. Without them an API client could not know what to send
in ``answers`` (an API review). Readable by whoever may answer: anyone signed in holding a
link's token (``access_invitation``); only the invited address for an invitation by email
(``access_participant_invitation``), anyone else getting the 404 of a wrong token."""

from __future__ import annotations

from ninja import Field, Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.openapi import ErrorOut
from tandem.people.models import User
from tandem.programs import selectors
from tandem.programs.models import Invitation, ParticipantInvitation
from tandem.programs.selectors.joining import answer_field, join_questions_for

router = Router(tags=["programs"])


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
