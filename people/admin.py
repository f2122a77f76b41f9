"""Django admin for people, and user profiles shown on the user page."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from people.models import Person, UserProfile


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "user")
    list_select_related = ("user",)
    search_fields = ("email", "name", "user__username")
    raw_id_fields = ("user",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "send_email", "items_per_page", "show_ids")
    list_select_related = ("user",)
    list_filter = ("send_email", "show_ids")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False


class UserWithProfileAdmin(UserAdmin):
    """The stock user admin with the Patchwork settings of the user on the same page."""

    inlines = [*UserAdmin.inlines, UserProfileInline]


user_model = get_user_model()
admin.site.unregister(user_model)
admin.site.register(user_model, UserWithProfileAdmin)
