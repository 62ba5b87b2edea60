"""The errors shown above a form: its own and those of its hidden fields, which have no place of
their own on the page (a page left open while the record changed, or a tampered field, would
otherwise come back with no word of what was wrong): ``{% load form_errors %}`` then
``{{ form|errors_above }}``, as ``web/_form_errors.html`` does."""

from __future__ import annotations

from django import forms, template

register = template.Library()

HIDDEN_FIELD_ERROR = (
    "{error} (a field the page fills in itself, “{label}”: reload the page and try again)"
)


@register.filter
def errors_above(form: forms.BaseForm) -> list[str]:
    hidden = [
        HIDDEN_FIELD_ERROR.format(error=error, label=field.label)
        for field in form.hidden_fields()
        for error in field.errors
    ]
    return [*form.non_field_errors(), *hidden]
