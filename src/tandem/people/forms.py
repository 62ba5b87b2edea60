"""HTML forms: they parse and render; the rules live in ``services``."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from tandem.core.forms import (
    CheckboxFilter,
    IntegerField,
    OneLineField,
    TextareaField,
    choice_field,
)
from tandem.matching.records.availability import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    AvailabilityError,
    parse_time,
)
from tandem.matching.records.cells import (
    MAX_IDENTITY_ITEMS,
    WORKING_STYLE_QUESTIONS,
    WORKING_STYLE_SCALE,
)
from tandem.matching.records.languages import LANGUAGES
from tandem.people.choices import SENIORITY_LEVELS, Cadence, MeetingFormat
from tandem.people.models import Profile
from tandem.people.ratelimit import client_ip, login_is_throttled, login_throttle_message
from tandem.people.services.accounts import (
    ACCOUNT_EMAIL_MAX_LENGTH,
    EMAIL_TOO_LONG,
    NAME_MAX_LENGTH,
)
from tandem.people.services.common import blank_name
from tandem.people.services.manager import MANAGER_EMAIL_MAX_LENGTH, MANAGER_NAME_MAX_LENGTH
from tandem.people.services.passwords import password_rules_help
from tandem.people.services.profiles import TEXT_LIMITS
from tandem.people.services.tokens import TOKEN_NAME_LIMIT

PASSWORDS_DIFFER = "The two passwords differ; type the same password twice."
NEW_PASSWORD_AGAIN = "Type the new password again"
ROW_INCOMPLETE = "Row {row}: choose a weekday and fill in both times, or clear the row."
ROW_BAD_TIME = "Row {row}: {error}"
MANAGER_TWO_WAYS = (
    "Either untick the person you chose or clear the name and email: name your manager one way."
)
LANGUAGE_CHOICES = sorted(LANGUAGES.items(), key=itemgetter(1))
# The service checks a zone by name (``check_timezone``); the column bounds what is typed.
TIMEZONE_MAX_LENGTH = cast(int, Profile._meta.get_field("timezone").max_length)


def own_languages_first(codes: Iterable[str]) -> list[tuple[str, str]]:
    """The language choices with the person's own first, in their order (most fluent first),
    then the rest by name: the boxes post in the order they are listed, so a save keeps the
    person's order and adds a newly ticked language after theirs.

    >>> [code for code, _ in own_languages_first(["pt", "en"])[:3]]
    ['pt', 'en', 'ab']
    """
    own = [code for code in dict.fromkeys(codes) if code in LANGUAGES]
    return [(code, LANGUAGES[code]) for code in own] + [
        choice for choice in LANGUAGE_CHOICES if choice[0] not in own
    ]


class NameField(OneLineField):
    """A first or last name: read as any single line, but text that reads as nothing (only
    spaces) goes to the service as typed, which refuses it on this field (an empty box clears
    the name)."""

    def to_python(self, value: Any) -> str | None:
        kept = super().to_python(value)
        return value if not kept and blank_name(value) else kept


class SignUpForm(forms.Form):
    first_name = NameField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = NameField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    # The account's email is its username too: Django's EmailField took 320 characters the
    # service then refused past 150 (limits review). Refused here in the service's words.
    email = forms.EmailField(
        max_length=ACCOUNT_EMAIL_MAX_LENGTH,
        error_messages={"max_length": EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH)},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not only digits, not a common password, "
        "not like your name or email.",
    )
    password_again = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Filled in by the page from the browser (Intl API) so availability starts in local time.
    timezone = forms.CharField(
        required=False, max_length=TIMEZONE_MAX_LENGTH, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", PASSWORDS_DIFFER)
        return data


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with email; refuses further tries after too many failures (see ``ratelimit``)."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both, or "
        "reset your password.",
    }

    def clean(self):
        # The backend enforces the throttle (and counts failures) for every log-in form; this
        # check only words the refusal, whatever the password.
        email = self.cleaned_data.get("username") or ""
        if self.request is not None and login_is_throttled(email=email, ip=client_ip(self.request)):
            raise ValidationError(login_throttle_message(), code="throttled")
        return super().clean()


def new_password_fields(form: forms.BaseForm, *, first: str, again: str) -> None:
    """Every form that sets a password says its two fields alike: the rules alone under the
    first (``password_rules_help``; each page says what saving cuts off), and the second in
    plain words instead of Django's "New password confirmation" or "Password confirmation"
    (UX review)."""
    form.fields[first].help_text = password_rules_help()
    form.fields[again].label = NEW_PASSWORD_AGAIN
    form.fields[again].help_text = ""


class NewPasswordForm(SetPasswordForm):
    """Django's set-password form (the reset link's page) in the site's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        new_password_fields(self, first="new_password1", again="new_password2")


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's change-password form (the site admin's own, in the admin) in the site's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        new_password_fields(self, first="new_password1", again="new_password2")


class TimezoneInput(forms.TextInput):
    def __init__(self):
        super().__init__(
            attrs={"list": "timezone-options", "autocomplete": "off", "spellcheck": "false"}
        )


def _skills_widget(field: str) -> forms.TextInput:
    """A text input whose ``<datalist>`` is refilled by htmx as the person types."""
    return forms.TextInput(
        attrs={
            "list": f"{field}-options",
            "autocomplete": "off",
            "hx-get": reverse_lazy("skill_suggest"),
            "hx-vals": f'{{"field": "{field}"}}',
            "hx-trigger": "input changed delay:200ms",
            "hx-target": f"#{field}-options",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


class ProfileForm(forms.Form):
    first_name = NameField(max_length=TEXT_LIMITS["first_name"], required=False)
    last_name = NameField(max_length=TEXT_LIMITS["last_name"], required=False)
    headline = OneLineField(
        max_length=TEXT_LIMITS["headline"],
        required=False,
        help_text="One line about you, e.g. “Backend engineer, 6 years in payments”.",
    )
    bio = TextareaField(
        required=False, max_length=TEXT_LIMITS["bio"], widget=forms.Textarea(attrs={"rows": 4})
    )
    goals = TextareaField(
        required=False,
        max_length=TEXT_LIMITS["goals"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you want to learn or achieve.",
    )
    expertise = TextareaField(
        required=False,
        max_length=TEXT_LIMITS["expertise"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you can help others with.",
    )
    skills_offered = OneLineField(
        label="Skills you can offer",
        required=False,
        widget=_skills_widget("skills_offered"),
        help_text=(
            "Separate skills with commas. Suggestions come from the shared vocabulary and "
            "skills several people use; what only you typed stays on your profile."
        ),
    )
    skills_wanted = OneLineField(
        label="Skills you want to grow",
        required=False,
        widget=_skills_widget("skills_wanted"),
        help_text="Separate skills with commas.",
    )
    seniority = forms.TypedChoiceField(
        choices=[("", "— not set —"), *SENIORITY_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    department = OneLineField(max_length=TEXT_LIMITS["department"], required=False)
    # The manager: someone picked from the people the person can see (an account id, from
    # the search) or a name and email typed for anyone else; see services.manager.
    manager = IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    manager_name = OneLineField(
        label="Their name",
        max_length=MANAGER_NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    manager_email = OneLineField(
        label="Their email",
        max_length=MANAGER_EMAIL_MAX_LENGTH,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="They need no account here.",
    )
    city = OneLineField(max_length=TEXT_LIMITS["city"], required=False)
    timezone = OneLineField(
        label="Time zone",
        max_length=TIMEZONE_MAX_LENGTH,
        widget=TimezoneInput(),
        help_text="Start typing a city or region, e.g. Europe/London.",
    )
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=CheckboxFilter(noun="language"),
        help_text="Languages you can hold a mentoring conversation in; tick all that apply. "
        "They are kept most fluent first: the one you name below, then the others.",
    )
    # The one thing ticks cannot say: which language comes first (matching tells a pair whose
    # first languages differ). It only orders the ticked ones: a language unticked is gone,
    # whatever this still names (an untouched select must not bring it back).
    first_language = forms.ChoiceField(
        label="Your most fluent language",
        choices=[("", "— as listed above —"), *LANGUAGE_CHOICES],
        required=False,
        help_text="One of those you ticked: it goes first.",
    )
    meeting_format = forms.ChoiceField(
        label="Meeting format", choices=MeetingFormat.choices, widget=forms.RadioSelect
    )
    cadence = forms.ChoiceField(
        label="Preferred cadence", choices=[("", "No preference"), *Cadence.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "languages").choices = own_languages_first(
            self["languages"].value() or ()
        )
        for key, (left, right) in WORKING_STYLE_QUESTIONS.items():
            self.fields[f"ws_{key}"] = forms.TypedChoiceField(
                label=f"{left} … {right}",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(n, str(n)) for n in WORKING_STYLE_SCALE],
                widget=forms.RadioSelect,
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("manager") and (data.get("manager_name") or data.get("manager_email")):
            self.add_error("manager_email", MANAGER_TWO_WAYS)
        first, ticked = data.get("first_language"), data.get("languages")
        if ticked and first in ticked:
            data["languages"] = [first, *(code for code in ticked if code != first)]
        return data

    def working_style_fields(self):
        for key, (left, right) in WORKING_STYLE_QUESTIONS.items():
            yield {"field": self[f"ws_{key}"], "left": left, "right": right, "key": key}

    def working_style(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"ws_{key}"]
            for key in WORKING_STYLE_QUESTIONS
            if self.cleaned_data.get(f"ws_{key}") is not None
        }


WEEKDAY_CHOICES = list(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))


def availability_rows_from_post(data) -> tuple[list[dict], list[str], str | None]:
    """Read the repeated ``avail_day``/``avail_start``/``avail_end`` inputs.

    Returns the rows (to re-render), the windows as "Mon 09:00-12:00" strings, and the first
    error. Fully blank rows are ignored; an end before the start runs past midnight.
    """
    days, starts, ends = (data.getlist(name) for name in ("avail_day", "avail_start", "avail_end"))
    rows, windows = [], []
    error = None
    for index in range(max(len(days), len(starts), len(ends))):
        day = days[index] if index < len(days) else ""
        start = (starts[index] if index < len(starts) else "").strip()
        end = (ends[index] if index < len(ends) else "").strip()
        rows.append({"day": day, "start": start, "end": end})
        if not day and not start and not end:
            continue
        if day not in WEEKDAYS or not start or not end:
            error = error or ROW_INCOMPLETE.format(row=index + 1)
            continue
        try:
            parse_time(start), parse_time(end)
        except AvailabilityError as exc:
            error = error or ROW_BAD_TIME.format(row=index + 1, error=exc)
            continue
        windows.append(f"{day} {start[:5]}-{end[:5]}")
    return rows, windows, error


class IdentityForm(forms.Form):
    attributes = TextareaField(
        label="How you describe yourself",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One item per line, in your own words (for example a gender identity, an "
        "ethnicity, being a parent, a first-generation graduate, a disability). "
        f"Up to {MAX_IDENTITY_ITEMS} items.",
    )
    consent = forms.BooleanField(
        label="I agree that Tandem stores this information and uses it only as described above.",
        required=False,
    )

    def attribute_list(self) -> list[str]:
        return [
            line for line in self.cleaned_data.get("attributes", "").splitlines() if line.strip()
        ]


class ApiTokenForm(forms.Form):
    name = OneLineField(
        label="Token name",
        max_length=TOKEN_NAME_LIMIT,
        help_text="What will use it, e.g. “laptop script” or “HR sync”.",
    )
