from django.contrib import admin

from tandem.core.admin import PreciseDateTimes
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification, NotificationPreference, SentReminder

# Kinds whose mere sending tells a mentorship's health: a nudge goes to both people of a
# flagged pair at once, a divergence prompt to a pair whose answers differ, an alert to the
# admins of a pair at risk. Health is the pair's and their program admins' (DESIGN.md), and
# the Django admin shows no health, so these notifications are not listed to site staff.
HEALTH_KINDS = (Kind.HEALTH_NUDGE, Kind.CHECKIN_DIVERGENCE, Kind.HEALTH_ALERT)


@admin.register(Notification)
class NotificationAdmin(PreciseDateTimes, admin.ModelAdmin):
    """Who was told what kind of thing, and when; never the words, which may quote what a
    pair wrote (an overdue action item, a request's message) and are the recipient's alone,
    nor the link, which names the mentorship and, for a health alert, its state
    (``?state=stalled``): health is the pair's and their program admins' (live privacy review);
    nor a notification of the ``HEALTH_KINDS`` at all (code review: a nudge's two recipients,
    listed by kind, named the flagged pair)."""

    list_display = ["__str__", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["kind", "recipient__email"]
    list_select_related = ["recipient"]
    fields = readonly_fields = ("recipient", "kind", "created_at", "read_at", "emailed_at")

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(kind__in=HEALTH_KINDS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ["user", "daily_digest", "updated_at"]
    list_filter = ["daily_digest"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(SentReminder)
class SentReminderAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ["kind", "object_id", "recipient", "slot", "created_at"]
    list_filter = ["kind"]
    search_fields = ["kind", "slot", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
