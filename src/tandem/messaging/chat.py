"""What a page needs to show one conversation and its form: the conversation page and the
mentorship page's Messages section both render ``messaging/_chat.html`` from it. Showing the
messages marks them read: the person has them in front of them."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from tandem.messaging import selectors, services
from tandem.messaging.forms import MessageForm
from tandem.messaging.models import Conversation
from tandem.people.models import User


def new_message_form() -> MessageForm:
    return MessageForm(initial={"client_id": secrets.token_urlsafe(16)})


def chat_context(
    *, user: User, conversation: Conversation, form: MessageForm | None = None
) -> dict[str, Any]:
    shown = selectors.messages_latest(conversation=conversation)
    if shown:
        services.conversation_mark_read(
            user=user, conversation_id=conversation.pk, last_read_id=shown[-1].pk
        )
    return {
        "conversation": conversation,
        "other": conversation.mentee if user.pk == conversation.mentor_id else conversation.mentor,
        "shown": shown,
        "earlier": bool(shown) and conversation.messages.filter(pk__lt=shown[0].pk).exists(),
        "seen_up_to": selectors.seen_by_other(conversation=conversation, user=user),
        "is_open": selectors.conversation_is_open(conversation),
        "form": form or new_message_form(),
        "edit_window_minutes": int(services.EDIT_WINDOW.total_seconds() // 60),
        "edit_after": timezone.now() - services.EDIT_WINDOW,
    }
