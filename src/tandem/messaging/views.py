"""Messages pages: the list of one's conversations and one conversation, which work as plain
pages (a form post, new messages on reload) and live when script and the websocket are there
(``static/messaging/conversation.js`` uses the JSON API)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import (
    confirm_page,
    confirmed,
    form_add_error,
    friendly_errors,
    require_form_methods,
    safe_next,
)
from tandem.messaging import selectors, services
from tandem.messaging.chat import chat_context, new_message_form
from tandem.messaging.forms import MessageEditForm, MessageForm, ReportForm
from tandem.messaging.models import Conversation

CONVERSATIONS_PER_PAGE = 25
message_errors = friendly_errors(back="conversation_list")


@login_required
@require_safe
def conversation_list(request: AuthenticatedRequest) -> HttpResponse:
    conversations = selectors.conversation_list_for(user=request.user)
    page = page_of(request, conversations, CONVERSATIONS_PER_PAGE)
    return render(
        request,
        "messaging/conversation_list.html",
        {
            "page_obj": page,
            "conversations": page.object_list,
            "not_started": selectors.mentorships_without_conversation(user=request.user),
        },
    )


def _conversation_page(request: AuthenticatedRequest, conversation: Conversation) -> HttpResponse:
    """One conversation: its latest messages, what the other has seen, and the form. A send
    from another page (the mentorship's Messages section) goes back there."""
    form = MessageForm(request.POST) if request.method == "POST" else new_message_form()
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(
                user=request.user,
                conversation_id=conversation.pk,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            return redirect(safe_next(request, services.conversation_url(conversation)) + "#latest")
    return render(
        request,
        "messaging/conversation.html",
        chat_context(user=request.user, conversation=conversation, form=form),
        status=422 if form.errors else 200,
    )


@login_required
@require_form_methods
@message_errors
def mentorship_messages(request: AuthenticatedRequest, mentorship_id: int) -> HttpResponse:
    conversation = services.conversation_for_mentorship(
        user=request.user, mentorship_id=mentorship_id
    )
    return _conversation_page(request, conversation)


@login_required
@require_form_methods
@message_errors
def request_messages(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    conversation = services.conversation_for_request(user=request.user, request_id=request_id)
    if conversation.mentorship_id is not None:  # accepted: it carries on in the mentorship
        return redirect(services.conversation_url(conversation))
    return _conversation_page(request, conversation)


@login_required
@require_safe
@message_errors
def conversation_detail(request: AuthenticatedRequest, conversation_id: int) -> HttpResponse:
    """A conversation by its id (links in emails): its page under its mentorship or request."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    return redirect(services.conversation_url(conversation))


@login_required
@require_safe
@message_errors
def conversation_earlier(request: AuthenticatedRequest, conversation_id: int) -> HttpResponse:
    """The page of messages before ``before`` (oldest first), for reading back."""
    conversation = selectors.access_conversation(user=request.user, conversation_id=conversation_id)
    try:
        before = int(request.GET.get("before", "0"))
    except ValueError:
        before = 0
    shown = selectors.messages_before(conversation=conversation, before_id=before)
    return render(
        request,
        "messaging/conversation_earlier.html",
        {
            "conversation": conversation,
            "shown": shown,
            "earlier": bool(shown) and conversation.messages.filter(pk__lt=shown[0].pk).exists(),
            "back": services.conversation_url(conversation),
        },
    )


@login_required
@require_form_methods
@message_errors
def message_edit(request: AuthenticatedRequest, message_id: int) -> HttpResponse:
    message = services.access_own_recent_message(user=request.user, message_id=message_id)
    back = services.conversation_url(message.conversation)
    form = MessageEditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(
                user=request.user, message_id=message.pk, body=form.cleaned_data["body"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, "Message changed.")
            return redirect(back + f"#message-{message.pk}")
    return render(
        request, "messaging/message_edit.html", {"form": form, "message": message, "back": back}
    )


@login_required
@require_form_methods
@message_errors
def message_delete(request: AuthenticatedRequest, message_id: int) -> HttpResponse:
    message = services.access_own_recent_message(user=request.user, message_id=message_id)
    back = services.conversation_url(message.conversation)
    if not confirmed(request):
        return confirm_page(
            request,
            title="Delete this message?",
            consequences=[
                "Its text is removed for good; the other person sees “message deleted” in "
                "its place.",
                "If they already read it, or reported it to the program's admins, deleting "
                "does not take that back.",
            ],
            button="Delete the message",
            back=back,
        )
    services.message_delete(user=request.user, message_id=message.pk)
    messages.success(request, "Message deleted.")
    return redirect(back)


@login_required
@require_form_methods
@message_errors
def message_report(request: AuthenticatedRequest, message_id: int) -> HttpResponse:
    message = selectors.access_message(user=request.user, message_id=message_id)
    conversation = message.conversation
    back = services.conversation_url(conversation)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(
                user=request.user, message_id=message.pk, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                f"Reported to the admins of {conversation.program.name}. The other person is "
                "not told.",
            )
            return redirect(back)
    return render(
        request,
        "messaging/message_report.html",
        {
            "form": form,
            "message": message,
            "back": back,
            "readers": selectors.report_readers(conversation=conversation),
        },
    )


@login_required
@require_safe
@message_errors
def message_report_detail(request: AuthenticatedRequest, report_id: int) -> HttpResponse:
    """For the program's admins outside the pair: the reported message and those before it."""
    report = selectors.access_message_report(user=request.user, report_id=report_id)
    return render(request, "messaging/message_report_detail.html", {"report": report})
