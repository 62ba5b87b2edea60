"""Read-mostly admin: state changes go through services, so the state fields are read-only.
Private notes are deliberately not registered."""

from django.contrib import admin

from tandem.mentorships.models import Mentorship, MentorshipRequest


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "sender", "recipient", "state", "created_at", "expires_at"]
    list_filter = ["state"]
    readonly_fields = ["state", "decided_at"]
    raw_id_fields = ["program", "sender", "recipient", "mentor", "mentee"]


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "mentor", "mentee", "state", "starts_on", "ends_on"]
    list_filter = ["state"]
    readonly_fields = ["state", "activated_at", "ended_at", "ended_by"]
    raw_id_fields = ["program", "mentor", "mentee", "origin_request", "ended_by"]
