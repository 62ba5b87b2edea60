"""What every admin page of Tandem shares: date-times that survive a save untouched.

Django's admin shows a date-time's time as ``HH:MM:SS``, so saving a change page untouched
cut the microseconds off every stored moment on it (an email verified at ``.014061`` became
``.000000``): a form opened and saved untouched must change nothing (DESIGN.md). Every
``ModelAdmin`` and inline of the apps derives from :class:`PreciseDateTimes` (a test checks).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    BaseAdminDateWidget,
    BaseAdminTimeWidget,
)
from django.db import models
from django.http import HttpRequest

TIME_WITH_MICROSECONDS = "%H:%M:%S.%f"  # one of Django's time input formats


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


class PreciseDateTimes(BaseModelAdmin):
    """Shows every editable date-time with :class:`PreciseSplitDateTime`; mix it in before
    ``admin.ModelAdmin`` (or an inline, or Django's ``UserAdmin``)."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("widget", PreciseSplitDateTime)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
