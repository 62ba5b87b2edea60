"""Read-mostly admin: state changes go through services, so the state fields are read-only.

Private notes are deliberately not registered (nor shown inline): they are their author's
alone. What the pair write together is theirs too (DESIGN.md "Who may read what"): the
agreement's terms, goal titles and measures, milestone titles, progress notes, action items'
descriptions, shared meeting notes, agenda items and the closing reflection are neither shown,
searchable nor editable here (nor in the objects' names, which say "Goal #12"); staff see
states, dates, counts and who is involved. Goals and action items are the pair's to write, so
they are read-only here. Timeline summaries carry no content either (``MentorshipEvent``).

A calendar feed's token is a secret URL, so it is never shown; staff can only replace
it (through the service), which kills a leaked URL at once.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

from tandem.core.admin import PreciseDateTimes
from tandem.matching.records.cells import CellError
from tandem.matching.records.timezones import check_timezone
from tandem.mentorships.models import (
    ActionItem,
    AgreementVersion,
    CalendarFeed,
    Goal,
    GoalUpdate,
    Meeting,
    MeetingSeries,
    Mentorship,
    MentorshipEvent,
    MentorshipPause,
    MentorshipRequest,
    Milestone,
)
from tandem.mentorships.scheduling import RRULE_BY_CADENCE, is_series_rule
from tandem.mentorships.services import calendar_feed_regenerate

# ``Mentorship.__str__`` names the mentor, the mentee and the program: a changelist showing a
# mentorship column must join all three, or it costs three queries a row.
MENTORSHIP_JOINS = ("mentorship__mentor", "mentorship__mentee", "mentorship__program")
# Video links are https (and Django 6 defaults to it); say so now to keep forms quiet.
HTTPS_URLS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}
MENTORSHIP_SEARCH = (
    "mentorship__mentor__email",
    "mentorship__mentee__email",
    "mentorship__program__name",
)


class ReadOnlyInline(PreciseDateTimes, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(PreciseDateTimes, admin.ModelAdmin):
    """Listed and inspected, never written from here (history rows, the pair's own work)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ["pk", "program", "sender", "recipient", "state", "created_at", "expires_at"]
    list_filter = ["state", "program"]
    search_fields = ["sender__email", "recipient__email", "program__name"]
    list_select_related = ["program", "sender", "recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["state", "decided_at"]
    # What one person wrote to the other (the request, a decline's reason) is theirs.
    exclude = ["message", "decline_reason"]
    raw_id_fields = ["program", "sender", "recipient", "mentor", "mentee"]


class AgreementVersionInline(PreciseDateTimes, admin.StackedInline):
    """Versions are never edited: an amendment is a new version the pair proposes."""

    model = AgreementVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "proposed_by",
        "created_at",
        "signed_by_mentor_at",
        "signed_by_mentee_at",
    )
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposed_by")


@admin.register(Mentorship)
class MentorshipAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ["pk", "program", "mentor", "mentee", "state", "starts_on", "ends_on"]
    list_filter = ["state", "program"]
    search_fields = [
        "mentor__email",
        "mentor__first_name",
        "mentor__last_name",
        "mentee__email",
        "mentee__first_name",
        "mentee__last_name",
        "program__name",
    ]
    list_select_related = ["program", "mentor", "mentee"]
    readonly_fields = ["state", "activated_at", "ended_at", "ended_by"]
    # The pair's reflection, and the early-end reason and category, which are the program
    # admins' only (site staff read states and dates; live privacy review).
    exclude = ["closing_reflection", "end_reason", "end_category"]
    raw_id_fields = ["program", "mentor", "mentee", "origin_request", "ended_by"]
    inlines = [AgreementVersionInline]


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = readonly_fields = ("due_on", "done_at")


class GoalUpdateInline(ReadOnlyInline):
    model = GoalUpdate
    fields = readonly_fields = ("created_at", "author", "state", "percent")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "mentorship", "state", "percent", "target_date", "created_at"]
    list_filter = ["state", "mentorship__program"]
    search_fields = MENTORSHIP_SEARCH
    list_select_related = MENTORSHIP_JOINS
    fields = readonly_fields = (
        "mentorship",
        "state",
        "percent",
        "target_date",
        "created_by",
        "created_at",
    )
    inlines = [MilestoneInline, GoalUpdateInline]


SERIES_RULE_INVALID = (
    "Write a rule Tandem schedules by: {rules}, then optionally ;COUNT=6 or "
    ";UNTIL=20271231T235959Z (UTC)."
).format(rules=", ".join(RRULE_BY_CADENCE.values()))


class MeetingSeriesAdminForm(forms.ModelForm):
    """The zone and the rule are held to what scheduling writes: any text was stored, and the
    pair's meeting pages and calendar files were then a 500 (live crawl on PostgreSQL: a zone
    and a rule of "😀…" saved on /admin/mentorships/meetingseries/<id>/change/)."""

    def clean_timezone(self) -> str:
        try:
            return check_timezone(self.cleaned_data["timezone"])
        except CellError as error:
            raise forms.ValidationError(error.message) from None

    def clean_rrule(self) -> str:
        rule = self.cleaned_data["rrule"]
        if not is_series_rule(rule):
            raise forms.ValidationError(SERIES_RULE_INVALID)
        return rule

    def clean_duration_minutes(self) -> int:
        """As long as each of its meetings may be (5 to 480 minutes; live crawl: 1 was saved)."""
        minutes = self.cleaned_data["duration_minutes"]
        for validator in Meeting._meta.get_field("duration_minutes").validators:
            validator(minutes)
        return minutes


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(PreciseDateTimes, admin.ModelAdmin):
    form = MeetingSeriesAdminForm
    list_display = [
        "pk",
        "mentorship",
        "rrule",
        "starts_at",
        "timezone",
        "duration_minutes",
        "format",
        "cancelled_at",
    ]
    list_filter = ["format", ("cancelled_at", admin.EmptyFieldListFilter), "mentorship__program"]
    search_fields = ["rrule", *MENTORSHIP_SEARCH]
    list_select_related = MENTORSHIP_JOINS
    raw_id_fields = ["mentorship", "created_by"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["sequence", "cancelled_at", "created_by", "created_at"]


@admin.register(Meeting)
class MeetingAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = [
        "__str__",
        "mentorship",
        "starts_at",
        "duration_minutes",
        "format",
        "status",
        "series",
    ]
    list_filter = ["status", "format", "mentorship__program"]
    search_fields = ["location", *MENTORSHIP_SEARCH]
    list_select_related = [*MENTORSHIP_JOINS, "series"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["mentorship", "series", "created_by"]
    formfield_overrides = HTTPS_URLS
    # Cancelling, moving and marking as not taken place go through services (they bump the
    # calendar sequence and notify).
    readonly_fields = [
        "status",
        "missed_marked_by",
        "missed_marked_at",
        "sequence",
        "series",
        "original_start",
        "created_by",
        "created_at",
        "updated_at",
    ]
    exclude = ["shared_notes"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "owner", "mentorship", "due_on", "status", "done_at"]
    list_filter = ["status", "mentorship__program"]
    search_fields = ["owner__email", *MENTORSHIP_SEARCH]
    list_select_related = ["owner", *MENTORSHIP_JOINS]
    fields = readonly_fields = (
        "mentorship",
        "meeting",
        "owner",
        "due_on",
        "status",
        "done_at",
        "created_by",
        "created_at",
    )


@admin.register(MentorshipEvent)
class MentorshipEventAdmin(ReadOnlyAdmin):
    # Summaries name who did what, never the pair's text (see ``services/work.py``).
    list_display = ["created_at", "mentorship", "kind", "actor", "summary"]
    list_filter = ["kind", "mentorship__program"]
    search_fields = ["summary", "kind", "actor__email", *MENTORSHIP_SEARCH]
    list_select_related = ["actor", *MENTORSHIP_JOINS]
    date_hierarchy = "created_at"


@admin.register(MentorshipPause)
class MentorshipPauseAdmin(ReadOnlyAdmin):
    # A pause is dates and who declared it; it has no text. Declared and ended through the
    # services only (the partner is told, the allowance is checked), so read-only here.
    list_display = ["mentorship", "declared_by", "starts_on", "ends_on", "created_at"]
    list_filter = ["mentorship__program", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["declared_by__email", *MENTORSHIP_SEARCH]
    list_select_related = ["declared_by", *MENTORSHIP_JOINS]
    date_hierarchy = "starts_on"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    # Never the token: not listed, not shown, not searchable.
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "created_at")
    actions = ["regenerate"]

    @admin.action(
        description="Replace the feed URL (the old one stops working)", permissions=["regenerate"]
    )
    def regenerate(self, request, queryset):
        for feed in queryset.select_related("user"):
            calendar_feed_regenerate(user=feed.user)
        self.message_user(request, "Replaced.")

    def has_regenerate_permission(self, request):
        return request.user.has_perm("mentorships.change_calendarfeed")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
