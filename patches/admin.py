"""Django admin for states, tags, patches (with comments and checks) and relations.

Patch, comment and check tables grow to hundreds of thousands of rows: their pages use
raw id inputs instead of drop-downs for foreign keys, select the related rows they
display in the same query, filter only on small tables, and skip the unfiltered count.

Changes go through the services, as from the API: a patch's state, delegate, archived
flag and commit (permission, validation, events with the admin user as actor) and a
comment's ``addressed`` flag. Patches and comments come from mail and checks from CI,
so none is added by hand; checks are read-only, as in the API. Relations are changed
from the API or the patch page (``related`` is shown, not edited).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from patches.models import Check, Patch, PatchComment, PatchRelation, PatchTag, State, Tag
from patches.services import (
    can_edit_comment,
    update_comment,
    update_patch,
    validate_patch_update,
)
from patchwork_api.adminforms import ServiceAdminMixin, ServiceCheckedForm

# The patch fields whose changes go through update_patch.
SERVICE_FIELDS = ("state", "delegate", "archived", "commit_ref")


class PatchAdminForm(ServiceCheckedForm):
    service_fields = SERVICE_FIELDS

    def service_check(self, changes: dict) -> None:
        checked = {
            name: changes[name] for name in ("state", "delegate", "commit_ref") if name in changes
        }
        if "commit_ref" in checked:
            checked["commit_ref"] = checked["commit_ref"] or None
        validate_patch_update(self.instance, actor=self.actor, **checked)


class PatchCommentAdminForm(ServiceCheckedForm):
    service_fields = ("addressed",)

    def service_check(self, changes: dict) -> None:
        if not can_edit_comment(self.actor, self.instance):
            raise PermissionDenied("You may not change this comment.")


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "slug", "ordering", "action_required")
    list_editable = ("ordering", "action_required")
    search_fields = ("name", "slug")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "abbrev", "pattern", "show_column")
    search_fields = ("name",)


class PatchTagInline(admin.TabularInline):
    model = PatchTag
    extra = 0


@admin.register(Patch)
class PatchAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = PatchAdminForm
    list_display = ("id", "name", "project", "submitter", "state", "delegate", "archived", "date")
    list_select_related = ("project", "submitter", "state", "delegate")
    list_filter = ("project", "state", "archived")
    search_fields = ("name", "msgid", "submitter__email", "submitter__name")
    raw_id_fields = ("submitter", "delegate", "series")
    readonly_fields = ("hash", "related")
    inlines = [PatchTagInline]
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # patches come from mail

    def save_service_changes(self, request: HttpRequest, patch: Patch, changes: dict) -> None:
        if "commit_ref" in changes:
            changes["commit_ref"] = changes["commit_ref"] or None
        update_patch(patch, actor=request.user, **changes)


@admin.register(PatchComment)
class PatchCommentAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = PatchCommentAdminForm
    list_display = ("id", "msgid", "patch", "submitter", "date", "addressed")
    list_select_related = ("patch", "submitter")
    list_filter = ("addressed",)
    search_fields = ("msgid", "submitter__email")
    raw_id_fields = ("patch", "submitter")
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from mail

    def save_service_changes(self, request, comment: PatchComment, changes: dict) -> None:
        update_comment(comment, actor=request.user, addressed=changes["addressed"])


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ("id", "patch", "context", "state", "user", "date")
    list_select_related = ("patch", "user")
    list_filter = ("state",)
    search_fields = ("context", "user__username")
    raw_id_fields = ("patch", "user")
    show_full_result_count = False
    ordering = ("-id",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Checks are reported by CI through the API (create_check records their event) and
    # never change afterwards; the admin shows and deletes them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PatchRelation)
class PatchRelationAdmin(admin.ModelAdmin):
    list_display = ("id", "patch_names")
    ordering = ("-id",)

    @admin.display(description="patches")
    def patch_names(self, relation: PatchRelation) -> str:
        return ", ".join(patch.name for patch in relation.patches.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[PatchRelation]:
        return super().get_queryset(request).prefetch_related("patches")
