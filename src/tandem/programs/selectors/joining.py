"""What joining a program asks: a role's join questions and the answers given already, the
same for a link and for an import's invitation."""

from __future__ import annotations

from tandem.people.models import User
from tandem.programs.models import (
    Enrolment,
    EnrolmentQuestion,
    Invitation,
    ParticipantInvitation,
    Program,
)


def answer_field(question: EnrolmentQuestion) -> str:
    """The join form's field for ``question``, by which answers are sent and checked."""
    return f"q{question.pk}"


def join_questions(*, program: Program, role: str) -> list[EnrolmentQuestion]:
    """The questions joining ``program`` in ``role`` asks, in their order."""
    return list(EnrolmentQuestion.objects.filter(program=program, role=role))


def join_answers_given(
    questions: list[EnrolmentQuestion], held: Enrolment | None
) -> dict[str, str]:
    """The answers ``held`` gave already to ``questions``, by the join form's field names."""
    given = held.answers if held is not None else {}
    return {answer_field(q): given[q.prompt] for q in questions if q.prompt in given}


def join_questions_for(
    *, user: User, invitation: Invitation | ParticipantInvitation
) -> tuple[list[EnrolmentQuestion], dict[str, str]]:
    """The join questions ``invitation`` (a link, or an import's invitation) asks, its role's,
    and the answers to start from: those ``user``'s enrolment in that role gave already."""
    questions = join_questions(program=invitation.program, role=invitation.role)
    held = Enrolment.objects.filter(
        program=invitation.program, person=user, role=invitation.role
    ).first()
    return questions, join_answers_given(questions, held)


def participant_invitation_questions(
    *, user: User, invitation: ParticipantInvitation
) -> tuple[list[EnrolmentQuestion], dict[str, str]]:
    """The join questions accepting ``invitation`` asks (its role's, as a link asks) and the
    answers to start from."""
    return join_questions_for(user=user, invitation=invitation)


def answers_in_question_order(enrolments: list[Enrolment]) -> list[Enrolment]:
    """Each enrolment's join answers (kept by prompt) in its role's question order, answers to a
    question since removed or reworded after them as stored: PostgreSQL keeps a JSON object
    (jsonb) by its keys' length, not as written, so there the admins read them out of order
    (API review)."""
    program_ids = {e.program_id for e in enrolments if e.answers}
    questions = EnrolmentQuestion.objects.filter(program_id__in=program_ids)
    place = {(q.program_id, q.role, q.prompt): n for n, q in enumerate(questions)}
    for enrolment in enrolments:
        if enrolment.answers:
            order = {
                prompt: place.get((enrolment.program_id, enrolment.role, prompt), len(place))
                for prompt in enrolment.answers
            }
            enrolment.answers = dict(sorted(enrolment.answers.items(), key=lambda a: order[a[0]]))
    return enrolments
