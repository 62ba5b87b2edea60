"""Django admin for people.

``Identity`` is deliberately NOT registered: the opt-in background is readable only by its
owner, so no admin page lists or shows it per person (aggregates live in insights reports,
with small groups suppressed). Token secrets are never stored, and the hash is not shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html

from tandem.core.admin import PreciseDateTimes
from tandem.matching.records.cells import CellError
from tandem.people.forms import OwnPasswordChangeForm, new_password_fields
from tandem.people.models import (
    ApiToken,
    AvailabilityWindow,
    OfferedSkill,
    Profile,
    Skill,
    User,
    WantedSkill,
)
from tandem.people.services import (
    ACCOUNT_EMAIL_MAX_LENGTH,
    EMAIL_TOO_LONG,
    SITE_ADMIN_CREATED,
    SITE_ADMIN_DISABLED,
    SITE_ADMIN_SET,
    api_token_revoke,
    credentials_cut_off,
    password_by_site_admin_notify,
    profile_refresh_availability,
)
from tandem.people.services.profiles import RECORD_RULES
from tandem.people.services.vectors import TEXT_FIELDS, profile_vectors_on_save

SITE_ADMIN_CUT_OFF = (
    "Saving signs this person out everywhere, revokes their API tokens and gives their "
    "calendar feed a new address, whether you set a password or disable it."
)
# Not opening with the address: the admin's messages capitalise their first letter.
PERSON_EMAILED = "An email tells {email} that a site administrator {did}, without the password."
PERSON_EMAILED_DID = {
    SITE_ADMIN_CREATED: "created their account",
    SITE_ADMIN_SET: "set their password",
    SITE_ADMIN_DISABLED: "turned off their password",
}


class EmailVerifiedFilter(admin.SimpleListFilter):
    title = "email verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(email_verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(email_verified_at__isnull=True)
        return queryset


class UserCreationByEmailForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if len(email) > ACCOUNT_EMAIL_MAX_LENGTH:  # it is the username too
            raise forms.ValidationError(EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH))
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.email  # kept equal to the email (see EmailUserManager)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("email"):
            data["email"] = data["email"].strip().lower()
            if len(data["email"]) > ACCOUNT_EMAIL_MAX_LENGTH:  # it is the username too
                limit = ACCOUNT_EMAIL_MAX_LENGTH
                self.add_error("email", EMAIL_TOO_LONG.format(limit=limit))
                return data
            self.instance.username = data["email"]
        return data


class PasswordSetBySiteAdminForm(AdminPasswordChangeForm):
    """A password a site admin sets (or makes unusable) cuts off what the old one let anyone
    copy, as the person's own new password does (docs/people.md, *A new password*): once, by
    ``CutOffOnNewPassword`` as a new password is saved, or here for an unusable one, which
    Django saves without that hook (third privacy review: a new password was cut off twice,
    the calendar feed's address replaced twice)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        new_password_fields(self, first="password1", again="password2")
        rules = self.fields["password1"].help_text
        self.fields["password1"].help_text = format_html("{}<p>{}</p>", rules, SITE_ADMIN_CUT_OFF)

    def save(self, commit: bool = True) -> Any:
        with transaction.atomic():  # the password and the cut-off, or neither
            user = super().save(commit=commit)
            if commit and not user.has_usable_password():
                credentials_cut_off(user=user)
        return user


def own_password_change(request: HttpRequest) -> HttpResponseBase:
    """The admin's own change-password page (its header's link), as ``AdminSite.password_change``
    serves it but with ``OwnPasswordChangeForm``: the admin site takes no other form."""
    request.current_app = admin.site.name
    return PasswordChangeView.as_view(
        form_class=OwnPasswordChangeForm,
        template_name="registration/password_change_form.html",
        success_url=reverse("admin:password_change_done"),
        extra_context=admin.site.each_context(request),
    )(request)


@admin.register(User)
class UserAdmin(PreciseDateTimes, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationByEmailForm
    change_password_form = PasswordSetBySiteAdminForm
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "email_verified_at",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", EmailVerifiedFilter)
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Status", {"fields": ("is_active", "email_verified_at", "last_login", "date_joined")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # an account a site admin made: its person learns of it by email
            self._person_told(request, user=obj, change=SITE_ADMIN_CREATED)

    def user_change_password(self, request, id, form_url=""):
        """Django's page; when it saved a new or disabled password for someone other than the
        site admin themselves, the person is told by email (never the password: services,
        ``password_by_site_admin_notify``). Their own is theirs to know, as on every page
        where people change their own."""
        user = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        if request.method != "POST" or user is None or user.pk == request.user.pk:
            return response
        saved = User.objects.get(pk=user.pk)
        if saved.password != user.password:
            usable = saved.has_usable_password()
            change = SITE_ADMIN_SET if usable else SITE_ADMIN_DISABLED
            self._person_told(request, user=saved, change=change)
        return response

    def _person_told(self, request: HttpRequest, *, user: User, change: str) -> None:
        if password_by_site_admin_notify(user=user, change=change):
            did = PERSON_EMAILED_DID[change]
            self.message_user(request, PERSON_EMAILED.format(email=user.email, did=did))


class AvailabilityWindowInline(PreciseDateTimes, admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class SkillInline(PreciseDateTimes, admin.TabularInline):
    """A holder's tags, each with the spelling the holder reads (and everyone reads on them)."""

    extra = 0
    raw_id_fields = ("skill",)


class OfferedSkillInline(SkillInline):
    model = OfferedSkill
    verbose_name = "skill offered"


class WantedSkillInline(SkillInline):
    model = WantedSkill
    verbose_name = "skill wanted"


# What a JSON column of the profile holds, before its record rule reads it.
JSON_SHAPES = {
    "languages": (list, "a list of language codes"),
    "working_style": (dict, "an object"),
}


class ProfileAdminForm(forms.ModelForm):
    """A profile's columns pass the participant record's rules (``RECORD_RULES``), as on the
    profile page and through the API: the admin took any text and JSON, so a zone such as
    ``Mars/Olympus`` was a 500 (the availability is converted on save), and ``localtime``, a
    working style of 10**23 or languages ``["xx"]`` were stored, which the person's own
    profile form then refused to save untouched (live crawl)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for field, (check, relation) in RECORD_RULES.items():
            if relation or field not in cleaned:
                continue
            shape, named = JSON_SHAPES.get(field, (object, ""))
            if cleaned[field] is not None and not isinstance(cleaned[field], shape):
                self.add_error(field, f"Give {named}.")
                continue
            try:
                cleaned[field] = check(cleaned[field])
            except CellError as error:
                self.add_error(field, error.message)
        return cleaned


@admin.register(Profile)
class ProfileAdmin(PreciseDateTimes, admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = (
        "user",
        "headline",
        "seniority",
        "department",
        "timezone",
        "meeting_format",
        "cadence",
        "updated_at",
    )
    list_filter = ("seniority", "meeting_format", "cadence", "timezone")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "headline",
        "department",
        "city",
    )
    list_select_related = ("user",)
    raw_id_fields = ("user", "manager")
    readonly_fields = ("availability_utc", "updated_at")
    inlines = [AvailabilityWindowInline, OfferedSkillInline, WantedSkillInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or TEXT_FIELDS & set(form.changed_data):
            # As the profile service does: the kept vectors follow the texts.
            profile_vectors_on_save(profile=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Window rows edited inline: keep the derived UTC intervals in step.
        profile_refresh_availability(profile=form.instance)


@admin.register(Skill)
class SkillAdmin(PreciseDateTimes, admin.ModelAdmin):
    """A tag a site admin adds here is curated (suggested to everyone) unless they untick it;
    tags typed on profiles arrive uncurated and are suggested to nobody until ticked here. The
    list shows how many profiles offer and want each, so the tags people share can be found
    (sort by a column) and curated."""

    list_display = ("name", "slug", "curated", "offered", "wanted")
    list_editable = ("curated",)
    list_filter = ("curated",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                offered_count=Count("offered_by", distinct=True),
                wanted_count=Count("wanted_by", distinct=True),
            )
        )

    @admin.display(description="offered by", ordering="offered_count")
    def offered(self, skill: Skill) -> int:
        return skill.offered_count  # type: ignore[attr-defined]

    @admin.display(description="wanted by", ordering="wanted_count")
    def wanted(self, skill: Skill) -> int:
        return skill.wanted_count  # type: ignore[attr-defined]

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "curated": True}


@admin.register(ApiToken)
class ApiTokenAdmin(PreciseDateTimes, admin.ModelAdmin):
    """Read-only list for auditing and revoking; tokens are created by their owners."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            api_token_revoke(user=token.user, token_id=token.pk)
        self.message_user(request, "Revoked.")

    def has_add_permission(self, request):
        return False
