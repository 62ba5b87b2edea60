"""Site-admin screens. Changes made here bypass the services' permission checks by design
(site staff only); identity is never shown here either."""

from django import forms
from django.contrib import admin

from tandem.core.admin import PreciseDateTimes
from tandem.programs.models import (
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    ImportBatch,
    Invitation,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.services.programs import RESERVED_SLUGS, SLUG_RESERVED


class EnrolmentQuestionInline(PreciseDateTimes, admin.TabularInline):
    model = EnrolmentQuestion
    extra = 0


class ProgramAdminForm(forms.ModelForm):
    def clean_slug(self) -> str:
        """Not one of the addresses beside a program's (``RESERVED_SLUGS``); a program
        holding one already may still be saved untouched."""
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS and slug != self.instance.slug:
            raise forms.ValidationError(SLUG_RESERVED.format(slug=slug))
        return slug


@admin.register(Program)
class ProgramAdmin(PreciseDateTimes, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = ("name", "slug", "program_type", "matching_mode", "starts_on", "ends_on")
    list_filter = ("program_type", "matching_mode")
    search_fields = ("name", "slug", "description")
    readonly_fields = ("created_by", "created_at")
    inlines = [EnrolmentQuestionInline]

    def save_model(self, request, obj, form, change):
        """A program made here gets its maker as first admin, as one made in the app does;
        otherwise nobody could run it (site staff are not program admins)."""
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            Enrolment.objects.get_or_create(
                program=obj,
                person=request.user,
                role=Role.ADMIN,
                defaults={"status": EnrolmentStatus.ACTIVE},
            )


@admin.register(Enrolment)
class EnrolmentAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ("person", "program", "role", "status", "capacity", "created_at")
    list_filter = ("program", "role", "status")
    search_fields = ("person__email", "person__first_name", "person__last_name")
    list_select_related = ("person", "program")
    raw_id_fields = ("person", "exclude")
    readonly_fields = ("created_at", "updated_at")
    # Who, where and in which role are fixed once enrolled: moving a person between roles or
    # programs would rewrite every figure counted from the enrolment (and could be toggled to
    # read what one person contributes to the equity figures); end it and enrol anew instead.
    fixed_once_enrolled = ("person", "program", "role")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *self.fixed_once_enrolled) if obj is not None else fields


@admin.register(Invitation)
class InvitationAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ("program", "role", "state", "uses", "max_uses", "expires_at", "revoked_at")
    list_filter = ("role", "program")
    search_fields = ("program__name", "program__slug")
    list_select_related = ("program",)
    readonly_fields = ("token", "uses", "created_by", "created_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ("filename", "program", "status", "uploaded_by", "created_at", "applied_at")
    list_filter = ("status", "program")
    search_fields = ("filename", "program__name", "uploaded_by__email")
    list_select_related = ("program", "uploaded_by")
    exclude = ("content",)
    readonly_fields = (
        "program",
        "uploaded_by",
        "filename",
        "status",
        "report",
        "progress",
        "created_at",
        "applied_at",
    )

    def has_add_permission(self, request):
        """A batch is an uploaded file (the program's import page); added here, with its
        program read-only, it was saved without one: a 500 (live crawl on PostgreSQL)."""
        return False


@admin.register(ParticipantInvitation)
class ParticipantInvitationAdmin(PreciseDateTimes, admin.ModelAdmin):
    list_display = ("email", "program", "role", "state", "created_at")
    list_filter = ("role", "program")
    search_fields = ("email", "program__name")
    list_select_related = ("program",)
    readonly_fields = (
        "token",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "declined_at",
        "withdrawn_at",
    )
