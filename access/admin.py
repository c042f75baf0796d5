"""Admin for memberships (who holds which role where), and read-only views of e-mail choices and proposed changes."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from access.models import Membership, NotificationPreference, ProposedChange
from access.notifications import KINDS as NOTIFICATION_KINDS


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role", "country"]
    search_fields = ["user__username", "user__email"]


class ReadOnlyAdmin:
    """Mixed into a ModelAdmin: shown in the admin, changed only through the registry's own pages and services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: each person chooses their own e-mails on the notifications page, nobody else for them."""

    list_display = ["user", "language", *NOTIFICATION_KINDS]
    list_filter = ["language", *NOTIFICATION_KINDS]
    search_fields = ["user__username", "user__email"]


@admin.register(ProposedChange)
class ProposedChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read only: changes are proposed through the records' own forms and decided on the review pages."""

    list_display = ["__str__", "country", "author", "state", "created_at", "decided_by"]
    list_filter = ["state", "country"]
