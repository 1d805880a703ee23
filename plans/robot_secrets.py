"""Robot webhooks and signing secrets in the department admin: write-only, masked, and changed only by an
administrator or a manager of that department.

A webhook's access token is the robot's credential: whoever holds it can post 督办 messages into the
department's group. Pages show at most its last four characters; the form's inputs are empty password
boxes, where a blank keeps the stored value and a tick clears it.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.encryption import mask
from accounts.roles import ADMINISTRATOR, MANAGER
from audit.models import Action
from audit.services import audit_record

from .models import Department

SECRET_FIELDS = ("wecom_webhook", "dingtalk_webhook", "dingtalk_secret")
MASKED_FIELDS = tuple(f"{name}_masked" for name in SECRET_FIELDS)


def can_change_robots(user, department: Department | None) -> bool:
    """Administrators, and managers who lead or belong to the department."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("plans.change_department"):
        return True
    if department is None or department.pk is None:
        return False
    roles = {group.name for group in user.groups.all()}
    if ADMINISTRATOR in roles:
        return True
    if MANAGER not in roles:
        return False
    return department.leader_id == user.pk or department.members.filter(pk=user.pk).exists()


def _secret_input():
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 60})


class DepartmentRobotForm(forms.ModelForm):
    wecom_webhook = forms.URLField(
        label=_("WeCom group robot webhook"), required=False, assume_scheme="https", widget=_secret_input()
    )
    dingtalk_webhook = forms.URLField(
        label=_("DingTalk group robot webhook"), required=False, assume_scheme="https", widget=_secret_input()
    )
    dingtalk_secret = forms.CharField(
        label=_("DingTalk signing secret"), required=False, max_length=200, widget=_secret_input()
    )
    clear_secrets = forms.MultipleChoiceField(
        label=_("Remove"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("wecom_webhook", _("WeCom group robot webhook")),
            ("dingtalk_webhook", _("DingTalk group robot webhook")),
            ("dingtalk_secret", _("DingTalk signing secret")),
        ],
    )

    class Meta:
        model = Department
        # The admin passes the fields of its fieldsets (modelform_factory); these are the secret ones.
        fields = SECRET_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = {name: getattr(self.instance, name, "") or "" for name in SECRET_FIELDS}
        for name in SECRET_FIELDS:
            if name not in self.fields:
                continue
            current = mask(self.stored[name]) or _("not set")
            self.fields[name].help_text = _("Current: %(current)s. Leave blank to keep it.") % {"current": current}

    def clean(self):
        cleaned = super().clean()
        clear = set(cleaned.get("clear_secrets") or ())
        for name in SECRET_FIELDS:
            if name not in self.fields:
                continue
            if name in clear:
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = self.stored[name]
        return cleaned

    def changed_secrets(self) -> list[str]:
        """The secret fields whose stored value this form changes (names only, never values)."""
        return [name for name in SECRET_FIELDS if name in self.fields and self.cleaned_data[name] != self.stored[name]]


class DepartmentRobotAdminMixin:
    """For DepartmentAdmin: masked display for readers, write-only inputs for those who may change them."""

    form = DepartmentRobotForm

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        # A manager of this department may open its page to set the robots (and nothing else).
        return obj is not None and can_change_robots(request.user, obj)

    def _edits_everything(self, request) -> bool:
        return super().has_change_permission(request, None)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            shown = SECRET_FIELDS
        elif can_change_robots(request.user, obj):
            shown = (*SECRET_FIELDS, "clear_secrets")
        else:
            shown = MASKED_FIELDS
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [name for name in options["fields"] if name not in SECRET_FIELDS]
            if len(fields) != len(options["fields"]):
                fields.extend(shown)
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *MASKED_FIELDS]
        if obj is not None and not self._edits_everything(request):
            # A department's manager changes the robots only.
            readonly.extend(
                field.name
                for field in (*Department._meta.fields, *Department._meta.many_to_many)
                if field.name not in SECRET_FIELDS and field.editable and not field.primary_key
            )
        return readonly

    def save_model(self, request, obj, form, change):
        changed = form.changed_secrets() if hasattr(form, "changed_secrets") else []
        super().save_model(request, obj, form, change)
        if changed:
            # Names of the changed fields only, never their values.
            audit_record(action=Action.SECRET_CHANGE, obj=obj, request=request, detail=", ".join(changed))

    @admin.display(description=_("WeCom group robot webhook"))
    def wecom_webhook_masked(self, obj):
        return mask(obj.wecom_webhook) or "—"

    @admin.display(description=_("DingTalk group robot webhook"))
    def dingtalk_webhook_masked(self, obj):
        return mask(obj.dingtalk_webhook) or "—"

    @admin.display(description=_("DingTalk signing secret"))
    def dingtalk_secret_masked(self, obj):
        return mask(obj.dingtalk_secret) or "—"
