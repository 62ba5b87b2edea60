from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import error_page, require_form_methods
from tandem.notify import services
from tandem.notify.forms import PreferenceForm
from tandem.notify.selectors import notification_list_for, preference_for

PAGE_SIZE = 25


@login_required
@require_safe
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    page_obj = page_of(
        request, notification_list_for(user=request.user, unread_only=unread_only), PAGE_SIZE
    )
    return render(
        request,
        "notify/notification_list.html",
        {
            "page_obj": page_obj,
            "unread_only": unread_only,
            "query_string": "show=unread" if unread_only else "",
        },
    )


@login_required
@require_POST
def notification_read(request, notification_id: int):
    try:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
    except ApplicationError as error:
        return error_page(request, error, back=reverse("notification_list"))
    if (
        request.POST.get("go")
        and notification.url.startswith("/")
        and not notification.url.startswith("//")
    ):
        return redirect(notification.url)
    if request.headers.get("HX-Request"):
        return render(request, "notify/_notification.html", {"notification": notification})
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notification_list")


@login_required
@require_form_methods
def notification_preferences(request):
    current = preference_for(user=request.user)
    form = PreferenceForm(
        request.POST or None,
        initial=PreferenceForm.initial_for(current),
    )
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing changed: your settings are as they were.")
            return redirect("notification_preferences")
        services.preference_update(user=request.user, **form.preference())
        messages.success(request, "Saved your notification settings.")
        return redirect("notification_preferences")
    return render(request, "notify/preferences.html", {"form": form})
