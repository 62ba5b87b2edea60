from django.contrib import admin

from tandem.notify.models import Notification, NotificationPreference, SentReminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "updated_at"]
    list_filter = ["daily_digest"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "recipient", "slot", "created_at"]
    list_filter = ["kind"]
    search_fields = ["kind", "slot", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
