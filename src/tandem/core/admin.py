"""What every admin page of Tandem shares: a change page saved untouched changes nothing.

Django's admin shows a date-time's time as ``HH:MM:SS``, so saving a change page untouched
cut the microseconds off every stored moment on it (an email verified at ``.014061`` became
``.000000``): a form opened and saved untouched must change nothing (DESIGN.md). Every
``ModelAdmin`` and inline of the apps derives from :class:`PreciseDateTimes` (a test checks).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    BaseAdminDateWidget,
    BaseAdminTimeWidget,
)
from django.db import models
from django.forms.widgets import SplitHiddenDateTimeWidget
from django.http import HttpRequest

TIME_WITH_MICROSECONDS = "%H:%M:%S.%f"  # one of Django's time input formats
NOTHING_CHANGED = "Nothing changed: it was saved as it was."


class PreciseTimeWidget(BaseAdminTimeWidget):
    """The admin's time input, with the microseconds when the time has any."""

    supports_microseconds = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"size": "15", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, time) and value.microsecond:
            return value.strftime(TIME_WITH_MICROSECONDS)
        return super().format_value(value)


class PreciseSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, the time keeping its microseconds (Django's form
    drops them from the shown value for a widget that says it does not support them)."""

    supports_microseconds = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # As Django's own __init__ does, with the precise time input in place of its own.
        forms.MultiWidget.__init__(self, [BaseAdminDateWidget, PreciseTimeWidget], attrs)


class PreciseSplitHiddenDateTime(SplitHiddenDateTimeWidget):
    """The hidden copy of a date-time's value as first shown, which a field with a callable
    default (``timezone.now``) sends back to tell whether it changed, with its microseconds:
    without them every such field read as changed on a page saved untouched."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, time_format=TIME_WITH_MICROSECONDS)


class PreciseDateTimes(BaseModelAdmin):
    """Shows every editable date-time with :class:`PreciseSplitDateTime`, and a change page
    saved untouched writes nothing (no save that would move an ``auto_now`` ``updated_at``,
    no "No fields changed." history entry); mix it in before ``admin.ModelAdmin`` (or an
    inline, or Django's ``UserAdmin``). Inlines need nothing: a formset saves changed rows
    only."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if not isinstance(db_field, models.DateTimeField):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        kwargs.setdefault("widget", PreciseSplitDateTime)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.hidden_widget = PreciseSplitHiddenDateTime
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not form.changed_data:
            return
        # ModelAdmin's, next after this mixin in every admin's order.
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if not message:
            request.tandem_nothing_changed = True  # type: ignore[attr-defined]
            return None
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def message_user(
        self,
        request: HttpRequest,
        message: Any,
        level: int | str = messages.INFO,
        extra_tags: str = "",
        fail_silently: bool = False,
    ) -> None:
        """Says "nothing changed" instead of "was changed successfully" after a save that
        wrote nothing (``log_change`` was given no change)."""
        if level == messages.SUCCESS and getattr(request, "tandem_nothing_changed", False):
            message, level = NOTHING_CHANGED, messages.INFO
        super().message_user(request, message, level, extra_tags, fail_silently)  # type: ignore[misc]
