"""Agreement versions: propose one, sign one; when both have signed the latest, it takes effect
(and a proposed mentorship becomes active)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import AgreementVersion, Goal, Mentorship, MentorshipState
from tandem.mentorships.selectors import access_mentorship
from tandem.mentorships.services.agreement_content import (
    AGREEMENT_NEEDS_ATTENTION,
    agreement_content_same,
    check_agreement_content,
)
from tandem.mentorships.services.common import event_add, mentorship_url, notify_both
from tandem.mentorships.services.lifecycle import check_open, transition
from tandem.mentorships.services.pauses import today_for
from tandem.mentorships.services.work import DATE_PASSED
from tandem.notify.kinds import Kind
from tandem.notify.services import notifications_settle, notify_refresh
from tandem.people.models import User

OLD_VERSION = (
    "Version {number} has been replaced by version {latest}. Read version {latest} "
    "and sign that one instead."
)
ALREADY_SIGNED_BY_YOU = "You have already signed version {number}."
AGREEMENT_CHANGED_MEANWHILE = (
    "{who} proposed version {number} while you were editing; here it is. Nothing was saved: "
    "your changes are still in the form, so keep what you want of both and save again."
)
VERSION_NOT_FOUND = "That agreement version does not exist."
NO_SUCH_BASE = "There is no version {based_on} to edit from: the latest is version {latest}."


class AgreementChangedMeanwhile(ApplicationError):
    """A version newer than the one the person started editing from was proposed since."""

    def __init__(self, *, latest: AgreementVersion, user: User):
        proposer = latest.proposed_by
        who = "You" if proposer == user else proposer.display_name if proposer else "Someone"
        message = AGREEMENT_CHANGED_MEANWHILE.format(who=who, number=latest.number)
        super().__init__(message, fields={"based_on": message}, status=409)
        self.latest = latest


def agreement_propose(
    *, user: User, mentorship_id: int, content: dict[str, Any], based_on: int | None = None
) -> tuple[AgreementVersion, bool]:
    """A new version (the first draft's replacement, or an amendment) that nobody has signed,
    as ``(version, True)``; or ``(latest, False)`` when the content says what the latest
    version already says: nothing new to read, so no version and nobody asked to sign.

    ``based_on`` is the number of the version the content was edited from (0: none yet). If
    a newer one was proposed since, nothing is made and :class:`AgreementChangedMeanwhile`
    says so: a form opened before the partner's proposal must not silently replace it. The
    mentorship's row lock makes concurrent proposals from the same version take turns, so
    one of them is made and the others are refused."""
    clean = check_agreement_content(content)
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_open(mentorship)
        latest = (
            mentorship.agreement_versions.select_related("proposed_by").order_by("-number").first()
        )
        if latest is not None and agreement_content_same(clean, latest.content):
            return latest, False
        latest_number = latest.number if latest else 0
        if based_on is not None and based_on > latest_number:
            message = NO_SUCH_BASE.format(based_on=based_on, latest=latest_number)
            raise ApplicationError(message, fields={"based_on": message})
        if latest is not None and based_on is not None and based_on != latest.number:
            raise AgreementChangedMeanwhile(latest=latest, user=user)
        _check_new_target_dates(clean, latest, today=today_for(user)[0])
        version = AgreementVersion.objects.create(
            mentorship=mentorship,
            number=(latest.number if latest else 0) + 1,
            content=clean,
            proposed_by=user,
        )
        word = "an amendment" if mentorship.state == MentorshipState.ACTIVE else "an agreement"
        event_add(
            mentorship=mentorship,
            actor=user,
            kind="agreement_proposed",
            summary=f"{user.display_name} proposed {word} (version {version.number}).",
        )
        _ask_to_sign(
            mentorship=mentorship,
            actor=user,
            title=f"{user.display_name} proposed {word}",
            body=f"Read version {version.number} and sign it if you agree.",
        )
    return version, True


def _agreement_topic(mentorship: Mentorship) -> str:
    return f"agreement:{mentorship.pk}"


def agreement_seen(*, user: User, mentorship: Mentorship) -> None:
    """The participant opened the agreement (its form or a version): the notice asking them
    to sign is read, so the next version is news to them, with its own notice and email."""
    notifications_settle(recipient=user, topic=_agreement_topic(mentorship))


def _ask_to_sign(*, mentorship: Mentorship, actor: User, title: str, body: str) -> None:
    """Tell the partner a version awaits their signature, in one notice (``notify_refresh``):
    while they have not read it (nor opened the agreement), a newer version rewrites it and
    sends no second email at once (one already emailed is re-armed for the next daily run);
    once they have read it or acted on the agreement, the next one is a new notice. The
    actor's own notice is settled: proposing or signing is acting on it."""
    topic = _agreement_topic(mentorship)
    notifications_settle(recipient=actor, topic=topic)
    notify_refresh(
        recipient=mentorship.other(actor),
        topic=topic,
        kind=Kind.AGREEMENT,
        title=title,
        body=body,
        url=mentorship_url(mentorship),
    )


def _check_new_target_dates(
    content: dict[str, Any], latest: AgreementVersion | None, *, today: date
) -> None:
    """An objective's target date new in this version is today or later (its goal would be
    overdue at once); a date the latest version already had is kept, even once passed, so a
    version proposed from the pre-filled form is not refused for it."""
    known = {o["target_date"] for o in latest.content["objectives"]} if latest else set()
    errors = {
        f"objectives.{index}.target_date": DATE_PASSED
        for index, objective in enumerate(content["objectives"], start=1)
        if objective["target_date"]
        and objective["target_date"] not in known
        and date.fromisoformat(objective["target_date"]) < today
    }
    if errors:
        raise ApplicationError(AGREEMENT_NEEDS_ATTENTION, fields=errors)


def agreement_sign(*, user: User, mentorship_id: int, number: int) -> AgreementVersion:
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_open(mentorship)
        versions = list(
            AgreementVersion.objects.select_for_update()
            .filter(mentorship=mentorship)
            .order_by("-number")
        )
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            raise ApplicationError(VERSION_NOT_FOUND, status=404)
        if version.number != versions[0].number:
            raise ApplicationError(
                OLD_VERSION.format(number=number, latest=versions[0].number), status=409
            )
        field = "signed_by_mentor_at" if user.pk == mentorship.mentor_id else "signed_by_mentee_at"
        if getattr(version, field):
            raise ApplicationError(ALREADY_SIGNED_BY_YOU.format(number=number), status=409)
        setattr(version, field, timezone.now())
        version.save(update_fields=[field])
        event_add(
            mentorship=mentorship,
            actor=user,
            kind="agreement_signed",
            summary=f"{user.display_name} signed version {number}.",
        )
        if version.fully_signed:
            notifications_settle(recipient=user, topic=_agreement_topic(mentorship))
            _agreement_takes_effect(mentorship=mentorship, version=version, actor=user)
        else:
            _ask_to_sign(
                mentorship=mentorship,
                actor=user,
                title=f"{user.display_name} signed the agreement",
                body=f"Version {number} takes effect when you sign it too.",
            )
    return version


def _goals_from_objectives(*, mentorship: Mentorship, content: dict, actor: User) -> int:
    """Each objective of a version taking effect becomes a goal unless a goal of that title is
    there (achieved or dropped ones included): the first version's objectives, and those an
    amendment adds. A goal already there keeps what the pair did with it. Returns how many."""
    existing = set(mentorship.goals.values_list("title", flat=True))
    goals = []
    for objective in content["objectives"]:
        if objective["goal"] in existing:
            continue
        existing.add(objective["goal"])
        goals.append(
            Goal(
                mentorship=mentorship,
                title=objective["goal"],
                measure=objective["measure"],
                target_date=objective["target_date"] or None,
                created_by=actor,
            )
        )
    Goal.objects.bulk_create(goals)
    return len(goals)


def _agreement_takes_effect(
    *, mentorship: Mentorship, version: AgreementVersion, actor: User
) -> None:
    content = version.content
    mentorship.starts_on = date.fromisoformat(content["starts_on"])
    mentorship.ends_on = date.fromisoformat(content["ends_on"])
    added = _goals_from_objectives(mentorship=mentorship, content=content, actor=actor)
    if mentorship.state == MentorshipState.PROPOSED:
        transition(mentorship, MentorshipState.ACTIVE)
        mentorship.activated_at = timezone.now()
        event_add(
            mentorship=mentorship,
            actor=actor,
            kind="activated",
            summary=f"Both signed version {version.number}; the mentorship is active.",
        )
        notify_both(
            mentorship=mentorship,
            kind=Kind.MENTORSHIP,
            title="Your mentorship is active",
            body="You both signed the agreement. Schedule your first meeting.",
        )
    else:
        event_add(
            mentorship=mentorship,
            actor=actor,
            kind="amended",
            summary=f"Version {version.number} took effect."
            + (f" Its new objectives became {added} goals." if added > 1 else "")
            + (" Its new objective became a goal." if added == 1 else ""),
        )
        notify_both(
            mentorship=mentorship,
            kind=Kind.AGREEMENT,
            title=f"Agreement version {version.number} is in effect",
        )
    mentorship.save(update_fields=["state", "starts_on", "ends_on", "activated_at"])
