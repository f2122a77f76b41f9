"""Django admin for bundles, with their patches in order."""

from django.contrib import admin

from bundles.models import Bundle, BundlePatch


class BundlePatchInline(admin.TabularInline):
    model = BundlePatch
    fields = ("order", "patch")
    raw_id_fields = ("patch",)
    extra = 0


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "project", "public")
    list_select_related = ("owner", "project")
    list_filter = ("project", "public")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)
    inlines = [BundlePatchInline]
