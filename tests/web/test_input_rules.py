"""Issue 8, items 8 and 9, as checks of the whole class rather than of one form.

- Every date, time and date-time input of every form in the project renders the ISO value a
  browser accepts (``2027-01-15``, ``14:30``, ``2027-01-15T14:30``) under the site's ``en-gb``
  locale; Django's own widgets render ``15/01/2027``, which the browser drops (and a form saved
  untouched then erased the date).
- Every integer field of every form and every API input is bounded to what a database column
  holds, every API date-time demands a UTC offset, every API time of day refuses one, and every
  API date is in the sane range.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import types
import typing
from datetime import date, datetime, time

import pydantic
import pytest
from annotated_types import Ge, Gt, Le, Lt
from django import forms
from django.utils import translation

import tandem
from tandem.core.api_types import INT64_MAX

ISO = {
    "date": (date(2027, 1, 15), "2027-01-15"),
    "time": (time(14, 30), "14:30"),
    "datetime-local": (datetime(2027, 1, 15, 14, 30), "2027-01-15T14:30"),
}
DATE_WIDGETS = {
    forms.DateInput: "date",
    forms.DateTimeInput: "datetime-local",
    forms.TimeInput: "time",
}
DATE_FIELDS = {
    forms.DateTimeField: "datetime-local",
    forms.DateField: "date",
    forms.TimeField: "time",
}


def _import_everything() -> None:
    for module in pkgutil.walk_packages(tandem.__path__, "tandem."):
        if ".migrations" in module.name or module.name.startswith("tandem.matching"):
            continue
        importlib.import_module(module.name)


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def project_forms() -> list[type]:
    _import_everything()
    return sorted(
        (
            c
            for c in _subclasses(forms.BaseForm)
            # The Django admin swaps in its own text widgets, which read the locale's format.
            if c.__module__.startswith("tandem.") and not c.__module__.endswith(".admin")
        ),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _fields(form_class) -> dict[str, forms.Field]:
    """The class's fields, plus those its ``__init__`` adds when it can be built bare."""
    fields = dict(form_class.base_fields)
    # Forms that need arguments keep their declared fields.
    with contextlib.suppress(Exception):
        fields.update(form_class().fields)
    return fields


def _expected_kind(field: forms.Field) -> str | None:
    for field_class, kind in DATE_FIELDS.items():
        if isinstance(field, field_class):
            return kind
    for widget_class, kind in DATE_WIDGETS.items():
        if isinstance(field.widget, widget_class):
            return kind
    return None


def test_the_walk_finds_the_forms_that_had_the_bug():
    names = {f"{c.__module__}.{c.__name__}" for c in project_forms()}
    assert {
        "tandem.programs.forms.ProgramForm",
        "tandem.programs.forms.InvitationForm",
        "tandem.mentorships.forms.meetings.MeetingForm",
        "tandem.mentorships.forms.meetings.RescheduleForm",
    } <= names


@pytest.mark.django_db
def test_every_date_and_time_input_renders_iso_under_the_site_locale(settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    problems = []
    with translation.override("en-gb"):
        for form_class in project_forms():
            for name, field in _fields(form_class).items():
                kind = _expected_kind(field)
                if kind is None:
                    continue
                value, iso = ISO[kind]
                widget = field.widget
                where = f"{form_class.__module__}.{form_class.__qualname__}.{name}"
                if getattr(widget, "input_type", None) != kind:
                    problems.append(f"{where}: input type {widget.input_type!r}, not {kind!r}")
                elif widget.format_value(value) != iso:
                    problems.append(f"{where}: renders {widget.format_value(value)!r}, not {iso!r}")
                elif field.to_python(iso) in (None, "") and field.required:
                    problems.append(f"{where}: does not read back {iso!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_integer_form_field_is_bounded():
    problems = []
    for form_class in project_forms():
        for name, field in _fields(form_class).items():
            if isinstance(field, forms.IntegerField) and (
                field.max_value is None
                or field.min_value is None
                or field.max_value > INT64_MAX
                or field.min_value < -INT64_MAX - 1
            ):
                problems.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    assert not problems, "\n".join(problems)


# API inputs ------------------------------------------------------------------------------


def _leaves(model: type[pydantic.BaseModel], prefix: str = ""):
    for name, info in model.model_fields.items():
        yield from _walk(info.annotation, list(info.metadata), f"{prefix}{name}")


def _walk(annotation, metadata, where):
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        for item in extra:
            metadata = [*metadata, *getattr(item, "metadata", [item])]
        yield from _walk(inner, metadata, where)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _walk(arg, metadata, where)
    elif origin in (list, tuple, set):
        for arg in typing.get_args(annotation):
            yield from _walk(arg, [], f"{where}[]")
    elif origin is dict:  # the values of a mapping (working_style's answers, weights)
        yield from _walk(typing.get_args(annotation)[1], [], f"{where}{{}}")
    elif isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield from _leaves(annotation, f"{where}.")
    else:
        yield where, annotation, metadata


def _api_inputs():
    from tandem.api import api

    api.urls  # noqa: B018 -- builds the routers: only then are nested ones (mentorships') listed
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__name__ == "PathParams":
                        continue  # ids in paths: matched through ``__pk`` (test_api_huge_ids)
                    for where, annotation, metadata in _leaves(model):
                        if where.startswith("ninja_pagination."):
                            continue  # ninja clamps page_size; core bounds page
                        yield f"{operation.methods} {prefix}{path} {where}", annotation, metadata


def _bounded(metadata) -> bool:
    upper = any(isinstance(m, Le | Lt) for m in metadata)
    lower = any(isinstance(m, Ge | Gt) for m in metadata)
    return upper and lower


def _validators(metadata) -> list:
    return [m for m in metadata if isinstance(m, pydantic.AfterValidator)]


def test_every_api_integer_input_is_bounded():
    problems = [
        where
        for where, annotation, metadata in _api_inputs()
        if annotation is int and not _bounded(metadata)
    ]
    assert not problems, "\n".join(problems)


def test_every_api_datetime_needs_an_offset_and_every_date_is_in_range_and_time_naive():
    problems = []
    for where, annotation, metadata in _api_inputs():
        if annotation is datetime:
            problems.append(f"{where}: naive date-times accepted (use ApiDateTime)")
        elif annotation in (pydantic.AwareDatetime, date) and not _validators(metadata):
            problems.append(f"{where}: no range check (use ApiDateTime / ApiDate)")
        elif annotation is time and not _validators(metadata):
            problems.append(f"{where}: times with a UTC offset accepted (use ApiTime)")
    assert not problems, "\n".join(problems)
