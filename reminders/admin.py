"""The outbox in the admin: what was sent to whom, what failed and why, and a retry."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.encryption import mask

from .models import Channel, Message, Preference, Reminder, TaskMute
from .services import message_confirm_sent, message_retry, unconfirmed_count


class ReminderInline(admin.TabularInline):
    model = Reminder
    fields = ("task", "kind", "due_on", "days", "period")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("day", "recipient", "channel", "state", "reminder_count", "attempts", "sent_at", "error_summary")
    list_filter = ("state", "channel", "day")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "recipient__full_name")
    date_hierarchy = "day"
    ordering = ("-day", "-pk")
    # A robot's webhook is its credential: shown masked, never searched (docs/security.md).
    exclude = ("address",)
    readonly_fields = [field.name if field.name != "address" else "address_shown" for field in Message._meta.fields]
    inlines = [ReminderInline]
    actions = ["retry_now", "confirm_sent"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reminder_total=Count("reminders"))

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and (count := unconfirmed_count()):
            self.message_user(
                request,
                ngettext(
                    "%(count)d message is unconfirmed: it may or may not have arrived. Check with its recipient, "
                    "then confirm it or send it again (see the state filter).",
                    "%(count)d messages are unconfirmed: they may or may not have arrived. Check with their "
                    "recipients, then confirm them or send them again (see the state filter).",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("reminders"), ordering="reminder_total")
    def reminder_count(self, message):
        return message.reminder_total

    @admin.display(description=_("address"))
    def address_shown(self, message):
        return message.address if message.channel == Channel.EMAIL else mask(message.address)

    @admin.display(description=_("last error"))
    def error_summary(self, message):
        return message.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again now (failed, waiting or unconfirmed messages)"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = message_retry(queryset, now=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d message queued to be sent again.", "%(count)d messages queued to be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Confirm received: record unconfirmed messages as sent"), permissions=["change"])
    def confirm_sent(self, request, queryset):
        count = message_confirm_sent(queryset, now=timezone.now())
        self.message_user(
            request,
            ngettext(
                "%(count)d unconfirmed message recorded as sent; it will not be sent again.",
                "%(count)d unconfirmed messages recorded as sent; they will not be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("due_on", "task", "kind", "recipient", "channel", "message_state")
    list_filter = ("kind", "channel", "due_on")
    list_select_related = ("task", "recipient", "message")
    search_fields = ("task__code", "task__title", "recipient__username", "recipient__full_name")
    raw_id_fields = ("task", "recipient", "message")
    readonly_fields = [field.name for field in Reminder._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("message"))
    def message_state(self, reminder):
        return reminder.message.get_state_display() if reminder.message else _("not yet gathered")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaskMute)
class TaskMuteAdmin(admin.ModelAdmin):
    list_display = ("user", "task", "created_at")
    list_select_related = ("user", "task")
    raw_id_fields = ("user", "task")
    search_fields = ("user__username", "user__full_name", "task__code", "task__title")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "by_email", "by_chat")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    search_fields = ("user__username", "user__full_name")
