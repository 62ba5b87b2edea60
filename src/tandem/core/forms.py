"""Form fields and widgets every app uses for dates, times, whole numbers and ids.

Browsers accept only the ISO form in ``<input type="date|time|datetime-local">``: under the
``en-gb`` locale Django's own widgets render ``15/01/2027``, which the browser rejects and shows
as an empty field, so a form saved untouched erased the date. These widgets always render
``2027-01-15``, ``14:30`` (``14:30:27`` when there are seconds, with ``step="1"`` so the browser
keeps them) and ``2027-01-15T14:30``; the fields accept what the widgets send and keep dates in
the range of ``tandem.core.dates``. Text typed in a textarea has its line breaks as LF before its
length is checked. A test walks every form of the project and fails on a date or time input
without these, on an integer field without bounds, on a textarea field of another type and
on a text input that is not a ``OneLineField``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import QuerySet
from django.forms.widgets import DateTimeBaseInput
from django.utils import timezone

from tandem.core.api_types import INT32_MAX
from tandem.core.dates import DATE_OUT_OF_RANGE, MAX_YEAR, MIN_YEAR, date_in_range
from tandem.core.text import one_line, with_lf_line_breaks

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_TIME_SECONDS = "%H:%M:%S"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_DATETIME_SECONDS = "%Y-%m-%dT%H:%M:%S"


def _has_seconds(value: object) -> bool:
    return isinstance(value, time | datetime) and bool(value.second or value.microsecond)


def typed_time_zone() -> str:
    """The zone a typed time is read in, named for its field's help: "In your time zone." left
    whoever had never set one on their profile (still UTC) to guess which clock the form reads."""
    return f"In your time zone, {timezone.get_current_timezone_name()} (set on your profile)"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {"min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31", **(attrs or {})}
        super().__init__(attrs, format=ISO_DATE)


class _KeepSeconds(DateTimeBaseInput):
    """A time or date-time input that renders seconds when the value has them.

    ``step="1"`` makes the browser keep them; without seconds the minute form is rendered.
    """

    iso_format: str
    iso_format_seconds: str

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=self.iso_format)

    def format_value(self, value: Any) -> str | None:
        if _has_seconds(value):
            return value.strftime(self.iso_format_seconds)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if _has_seconds(value):
            context["widget"]["attrs"].setdefault("step", "1")
        return context


class TimeInput(_KeepSeconds, forms.TimeInput):
    input_type = "time"
    iso_format = ISO_TIME
    iso_format_seconds = ISO_TIME_SECONDS


class DateTimeInput(_KeepSeconds, forms.DateTimeInput):
    input_type = "datetime-local"
    iso_format = ISO_DATETIME
    iso_format_seconds = ISO_DATETIME_SECONDS


def _check_range(value: date | None) -> None:
    if not date_in_range(value):
        raise ValidationError(DATE_OUT_OF_RANGE, code="out_of_range")


class DateField(forms.DateField):
    widget = DateInput
    input_formats = [ISO_DATE, "%d/%m/%Y"]  # what browsers send; a typed UK date
    default_validators = [_check_range]


class TimeField(forms.TimeField):
    widget = TimeInput
    input_formats = [ISO_TIME, ISO_TIME_SECONDS, "%H:%M:%S.%f"]


class DateTimeField(forms.DateTimeField):
    """Reads what ``datetime-local`` sends, in the current (the viewer's) time zone."""

    widget = DateTimeInput
    input_formats = [ISO_DATETIME, ISO_DATETIME_SECONDS, "%Y-%m-%dT%H:%M:%S.%f"]
    default_validators = [_check_range]


class IntegerField(forms.IntegerField):
    """An integer the database column can hold: bounded to ``integer`` unless told otherwise."""

    def __init__(
        self,
        *,
        min_value: int | None = -INT32_MAX - 1,
        max_value: int | None = INT32_MAX,
        **kwargs: Any,
    ) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class TextareaField(forms.CharField):
    """Text typed in a textarea, its line breaks as LF before ``max_length`` is checked.

    Browsers send each line break as CRLF but count it as one character against the
    textarea's ``maxlength``: checked as sent, a full notes box of 20 lines was refused as
    20,018 characters of 20,000. As LF, the text is also what the services store, so a form
    sent back untouched has not changed."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = with_lf_line_breaks(value)
        return super().to_python(value)


class OneLineField(forms.CharField):
    """Text typed in a single-line input, read by ``tandem.core.text.one_line`` before its
    length is checked: what the services store, so the form shows back what was kept (a line
    break pasted into a name reached e-mail subjects and made them fail)."""

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = one_line(value)
        return super().to_python(value)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, to fill its choices per request (``form.fields``
    holds plain ``Field``s)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name!r} is not a choice field")
    return field


class CheckboxFilter(forms.CheckboxSelectMultiple):
    """The one multi-select of the app: a plain list of checkboxes (it works without script,
    and nobody has to Ctrl-click), which ``behaviours.js`` turns into a filter box, removable
    chips for the chosen items and a spoken count. ``noun`` words the filter ("Find a
    language") and the count ("3 languages chosen")."""

    template_name = "core/widgets/checkbox_filter.html"

    def __init__(self, *, noun: str, plural: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.noun, self.plural = noun, plural or f"{noun}s"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(noun=self.noun, plural=self.plural)
        return context


def id_out_of_range(queryset: QuerySet[Any] | None, key: str | None, value: Any) -> bool:
    """Whether ``value`` reads as a whole number its whole-number column cannot hold: SQLite
    refused ``99999999999999999999`` in an ``IN`` with an ``OverflowError``, which Django's
    choice fields let through as a 500 (they catch only ``ValueError`` and ``TypeError``)."""
    if queryset is None:
        return False
    field = queryset.model._meta.get_field(key) if key else queryset.model._meta.pk
    if not isinstance(field, models.IntegerField):
        return False
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    low, high = connections[queryset.db].ops.integer_field_range(field.get_internal_type())
    return (low is not None and number < low) or (high is not None and number > high)


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one row whose id past the column's range is "not one of the choices"."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and id_out_of_range(
            self.queryset, self.to_field_name, value
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of rows where an id past the column's range is "not a valid value"."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if id_out_of_range(self.queryset, self.to_field_name, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)
