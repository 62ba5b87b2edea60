"""Django admin for match runs: read-only views of runs and their results.

The inputs snapshot holds no identity, but it is participant data the pages never show in
bulk, so it is left out here too.
"""

from django.contrib import admin

from tandem.core.admin import PreciseDateTimes
from tandem.matchruns.models import MatchConstraint, MatchPair, MatchRun, MatchUnmatched


class ReadOnlyInline(PreciseDateTimes, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PairInline(ReadOnlyInline):
    model = MatchPair
    fields = ("mentee", "mentor", "score", "pinned", "reasons")
    readonly_fields = fields
    ordering = ("-score",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mentee", "mentor")


class UnmatchedInline(ReadOnlyInline):
    model = MatchUnmatched
    fields = ("person", "side", "reasons")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class ConstraintInline(ReadOnlyInline):
    model = MatchConstraint
    fields = ("kind", "mentee", "mentor", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mentee", "mentor", "created_by")


@admin.register(MatchRun)
class MatchRunAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ("id", "program", "objective", "seed", "status", "progress", "created_at")
    list_filter = ("status", "objective")
    search_fields = ("program__name", "program__slug")
    list_select_related = ("program",)
    exclude = ("inputs",)
    readonly_fields = (
        "program",
        "objective",
        "seed",
        "status",
        "progress",
        "error",
        "report",
        "parent",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "published_at",
        "published_by",
    )
    inlines = (ConstraintInline, PairInline, UnmatchedInline)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
