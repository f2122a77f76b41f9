"""Django admin for states, tags, patches (with comments and checks) and relations.

Patch, comment and check tables grow to hundreds of thousands of rows: their pages use
raw id inputs instead of drop-downs for foreign keys, select the related rows they
display in the same query, filter only on small tables, and skip the unfiltered count.
"""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from patches.models import Check, Patch, PatchComment, PatchRelation, PatchTag, State, Tag


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
class PatchAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "submitter", "state", "delegate", "archived", "date")
    list_select_related = ("project", "submitter", "state", "delegate")
    list_filter = ("project", "state", "archived")
    search_fields = ("name", "msgid", "submitter__email", "submitter__name")
    raw_id_fields = ("submitter", "delegate", "series", "related")
    readonly_fields = ("hash",)
    inlines = [PatchTagInline]
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(PatchComment)
class PatchCommentAdmin(admin.ModelAdmin):
    list_display = ("id", "msgid", "patch", "submitter", "date", "addressed")
    list_select_related = ("patch", "submitter")
    list_filter = ("addressed",)
    search_fields = ("msgid", "submitter__email")
    raw_id_fields = ("patch", "submitter")
    show_full_result_count = False
    ordering = ("-id",)


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


@admin.register(PatchRelation)
class PatchRelationAdmin(admin.ModelAdmin):
    list_display = ("id", "patch_names")
    ordering = ("-id",)

    @admin.display(description="patches")
    def patch_names(self, relation: PatchRelation) -> str:
        return ", ".join(patch.name for patch in relation.patches.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[PatchRelation]:
        return super().get_queryset(request).prefetch_related("patches")
