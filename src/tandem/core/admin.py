"""What every admin page of Tandem shares: a change page saved untouched changes nothing.

Django's admin shows a date-time's time as ``HH:MM:SS``, so saving a change page untouched
cut the microseconds off every stored moment on it (an email verified at ``.014061`` became
``.000000``): a form opened and saved untouched must change nothing (DESIGN.md). Every
``ModelAdmin`` and inline of the apps derives from :class:`PreciseDateTimes` (a test checks).

And no changelist filters through what its admin does not show (:class:`PrivateLookupsRefused`,
which every :class:`PreciseDateTimes` is): Django lets a query string filter on any field of the
model and through any one relation, so ``/admin/people/user/?identity__isnull=False&q=<email>``
told site staff who had opted in to identity, and ``?private_notes__isnull=False`` which
meetings had a private note, though neither is registered in the admin.

And a JSON box holds only what both databases store (:class:`StorableJSONField`), and a
relation box takes no id past its column's range (``tandem.core.forms.ModelChoiceField``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
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
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.forms.widgets import SplitHiddenDateTimeWidget
from django.http import HttpRequest

from tandem.core.forms import ModelChoiceField, ModelMultipleChoiceField
from tandem.core.middleware import unwanted_at, unwanted_character_message

TIME_WITH_MICROSECONDS = "%H:%M:%S.%f"  # one of Django's time input formats
NOTHING_CHANGED = "Nothing changed: it was saved as it was."
NULL_REFUSED = "This box cannot hold null: empty it for the default, or write a value."


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


class StorableJSONDecoder(json.JSONDecoder):
    """Reads only JSON both databases store: a number past a float's range (``1e400`` reads
    as infinity) or NaN, which neither takes as JSON, is invalid, and so is text nested too
    deeply for the decoder or an integer too long for Python (a ``RecursionError`` or a bare
    ``ValueError``, which Django's JSON field lets through as a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parse_float=_finite, parse_constant=_finite, **kwargs)

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().decode(s, *args, **kwargs)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as error:
            raise json.JSONDecodeError(str(error) or "too deep", s, 0) from None


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is no finite number")
    return number


class StorableJSONField(forms.JSONField):
    """The admin's JSON box, read with :class:`StorableJSONDecoder`, refusing the characters
    Tandem never stores (``tandem.core.text``) in its keys and texts: typed as an escape
    (``\\u0000``) they passed the request guard, and PostgreSQL's jsonb refused the NUL with a
    500 (live crawl on PostgreSQL; SQLite stored it).

    With ``empty`` (a column that may be left empty but not NULL), an emptied box is that
    value and ``null`` an error: both were saved as NULL, a 500 on either database (live
    crawl: a notification preference's email kinds emptied)."""

    def __init__(self, *, empty: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        kwargs["decoder"] = kwargs.get("decoder") or StorableJSONDecoder
        self.empty = empty
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        converted = super().to_python(value)
        if converted is None and self.empty is not None:
            if value in self.empty_values:
                return self.empty()
            raise ValidationError(NULL_REFUSED, code="null")
        if found := unwanted_at(converted):
            raise ValidationError(unwanted_character_message(found[1]), code="unwanted")
        return converted


# Fields of registered models that no admin shows (the pair's words, secrets), by model label:
# no changelist filters on them, on that model or through a relation. An admin's own
# ``exclude`` counts too. (tests/web/test_admin_coverage.py's PAIR_CONTENT is the same list
# for what admins show and search.)
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "people.user": frozenset({"password"}),
    "people.apitoken": frozenset({"key_hash"}),
    "mentorships.calendarfeed": frozenset({"token"}),
    "mentorships.meeting": frozenset({"shared_notes"}),
    # The early-end reason and its category are the program admins' (docs/mentorships.md).
    "mentorships.mentorship": frozenset({"closing_reflection", "end_reason", "end_category"}),
    "mentorships.mentorshiprequest": frozenset({"message", "decline_reason"}),
    "mentorships.agreementversion": frozenset({"content"}),
    "mentorships.goal": frozenset({"title", "measure"}),
    "mentorships.milestone": frozenset({"title"}),
    "mentorships.goalupdate": frozenset({"note"}),
    "mentorships.actionitem": frozenset({"description"}),
    "notify.notification": frozenset({"title", "body", "url"}),
    "matchruns.matchrun": frozenset({"inputs"}),
    "programs.importbatch": frozenset({"content"}),
}


def lookup_is_private(
    model: type[models.Model],
    lookup: str,
    *,
    shown: Callable[[type[models.Model]], bool],
    hidden: Iterable[str] = (),
) -> bool:
    """Whether a changelist lookup (``identity__isnull``, ``mentorship__closing_reflection``)
    reaches, on its way, a model the admin does not show (``shown``: registered or inline;
    the identity record, private notes, check-ins, messages are deliberately neither) or a
    private field; ``hidden``: fields of ``model`` itself its admin leaves out. A part that is
    no field (``isnull``, ``icontains``) ends the path."""
    hidden = set(hidden)
    for k, part in enumerate(lookup.split(LOOKUP_SEP)):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if (k == 0 and part in hidden) or part in PRIVATE_FIELDS.get(model._meta.label_lower, ()):
            return True
        related = field.related_model
        if related is None or isinstance(related, str):
            return False
        if not shown(related):
            return True
        model = related
    return False


class PrivateLookupsRefused(BaseModelAdmin):
    """A changelist query string that filters through a model no admin shows, or a private
    field, is refused as Django refuses any lookup it does not allow
    (``DisallowedModelAdminLookup``: a 400)."""

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest) -> bool:
        site = self.admin_site
        registered = site._registry
        inlined = {inline.model for each in registered.values() for inline in each.inlines}

        def shown(model: type[models.Model]) -> bool:
            return model in registered or model in inlined

        if lookup_is_private(self.model, lookup, shown=shown, hidden=self.exclude or ()):
            return False
        return super().lookup_allowed(lookup, value, request)


class PreciseDateTimes(PrivateLookupsRefused, BaseModelAdmin):
    """Shows every editable date-time with :class:`PreciseSplitDateTime`, every JSON field
    with :class:`StorableJSONField`, every relation with ``tandem.core.forms``' choice fields
    (an id past the column's range is a form error, not a 500), and a change page saved
    untouched writes nothing (no save that would move an ``auto_now`` ``updated_at``, no "No
    fields changed." history entry); mix it in before ``admin.ModelAdmin`` (or an inline, or
    Django's ``UserAdmin``). Inlines need nothing: a formset saves changed rows only."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", StorableJSONField)
            if db_field.blank and not db_field.null:
                kwargs.setdefault("empty", db_field.get_default)
        elif isinstance(db_field, models.ForeignKey):
            kwargs.setdefault("form_class", ModelChoiceField)
        elif isinstance(db_field, models.ManyToManyField):
            kwargs.setdefault("form_class", ModelMultipleChoiceField)
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
