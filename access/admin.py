"""Admin for memberships: who holds which role for which country."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from access.models import Membership


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role", "country"]
    search_fields = ["user__username", "user__email"]
