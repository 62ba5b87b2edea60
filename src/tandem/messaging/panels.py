"""The Messages section of the mentorship page: for the pair, the conversation itself (live
with script, a plain form without); for the program's admins, only how many messages there are
and when the last one came (DESIGN.md: admins never read a conversation)."""

from __future__ import annotations

from django.urls import reverse

from tandem.mentorships.models import Mentorship
from tandem.mentorships.panels import Panel
from tandem.mentorships.selectors import Viewer
from tandem.messaging import selectors
from tandem.messaging.chat import chat_context, new_message_form
from tandem.messaging.services import EDIT_WINDOW
from tandem.people.models import User


def conversation_panel(mentorship: Mentorship, viewer: Viewer, user: User) -> Panel | None:
    if not viewer.can_read_content:
        activity = selectors.conversation_activity(mentorship_id=mentorship.pk)
        return Panel("messaging/_mentorship_activity.html", {"activity": activity}, "aside")
    thread = selectors.conversation_of_mentorship(user=user, mentorship_id=mentorship.pk)
    messages_url = reverse("mentorship_messages", args=[mentorship.pk])
    here = reverse("mentorship_detail", args=[mentorship.pk])
    context: dict[str, object] = {
        "form_action": messages_url,
        "next": here,
        "messages_url": messages_url,
    }
    if thread.conversation is None:
        # The chat before its first message, live like any (conversation.js takes the
        # conversation's id from the first message's list): a page opened before the partner
        # wrote said "No messages yet" until a reload.
        context.update(
            other=mentorship.other(user),
            is_open=thread.is_open,
            form=new_message_form(),
            conversation=None,
            shown=[],
            seen_up_to=0,
            list_url=f"/api/mentorships/{mentorship.pk}/messages",  # as _chat.html writes it
            mentorship_id=mentorship.pk,  # live.js knows the chat by it until then
            edit_window_minutes=int(EDIT_WINDOW.total_seconds() // 60),
        )
    else:
        context.update(chat_context(user=user, conversation=thread.conversation))
    return Panel("messaging/_mentorship_messages.html", context, "aside")
