"""Departments, annual work plans and their tasks with targets.

Progress (percent complete, expected percent, health) is derived from the
progress updates (``plans.progress_models``) and never stored: see ``plans.pacing``.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.encryption import EncryptedTextField

from .words import format_target


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        help_text=_("分管领导: receives escalations of this department's overdue tasks."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_departments",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        help_text=_("联络员: receives deadline reminders for the department's tasks."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_departments",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="departments"
    )
    reporting_day = models.PositiveSmallIntegerField(
        _("reporting day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month by which progress for the month is due."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    # Reminder channels: email to each person always (unless they opt out); the group robots of the
    # chat tool the department uses, when it has one.
    # Encrypted at rest (accounts.encryption): a webhook's token is the robot's credential.
    wecom_webhook = EncryptedTextField(
        _("WeCom group robot webhook"),
        blank=True,
        help_text=_("企业微信群机器人: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    )
    dingtalk_webhook = EncryptedTextField(
        _("DingTalk group robot webhook"),
        blank=True,
        help_text=_("钉钉群机器人: https://oapi.dingtalk.com/robot/send?access_token=…"),
    )
    dingtalk_secret = EncryptedTextField(
        _("DingTalk signing secret"), blank=True, help_text=_("加签密钥 (SEC…), if the robot uses one.")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reporting_day__gte=1, reporting_day__lte=28), name="department_reporting_day_in_month"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A department cannot be its own parent unit.")})
            ancestor = ancestor.parent


class CalendarDay(models.Model):
    """A day whose status the office sets by hand, over the chinese_calendar package.

    The State Council publishes each year's holidays in November or December; until the package
    ships them, the office enters the year's holidays and adjusted working days (调休) here.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=64, blank=True, help_text=_("e.g. 春节, 国庆节调休上班"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}".strip()


class Plan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        DOCUMENT = "document", _("Plan document")
        SPREADSHEET = "spreadsheet", _("Spreadsheet")
        MANUAL = "manual", _("Entered by hand")

    title = models.CharField(_("title"), max_length=200)
    bureau = models.CharField(_("issuing bureau"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("plan year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.MANUAL)
    source_text = models.TextField(_("source text"), blank=True)
    source_name = models.CharField(_("source file name"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "bureau", "title"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year", "title"], name="plan_unique_per_bureau_year_title"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="plan_period_in_order"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="plan_year_plausible"),
        ]

    def __str__(self):
        return f"{self.title}（{self.year}）"

    @staticmethod
    def default_period(year: int) -> tuple[datetime.date, datetime.date]:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class Task(models.Model):
    class Kind(models.TextChoices):
        SECTION = "section", _("Section")
        QUANTITATIVE = "quantitative", _("Quantitative target")
        MILESTONE = "milestone", _("Milestone")

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", _("at least (≥)")
        MORE_THAN = ">", _("more than (>)")
        EQUAL = "=", _("exactly (=)")
        ABOUT = "~", _("about (≈)")
        AT_MOST = "<=", _("at most (≤)")
        RANGE = "range", _("range")

    class Measure(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative count")
        RATIO = "ratio", _("Point-in-time ratio")

    class Pacing(models.TextChoices):
        LINEAR = "linear", _("Linear from start to deadline")
        AT_DEADLINE = "deadline", _("All at the deadline")

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent task"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(
        _("code"), max_length=64, help_text=_("The item's number as the plan writes it, unique within the plan.")
    )
    position = models.PositiveIntegerField(_("order in plan"), default=0)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True, help_text=_("The plan's own words for this item."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.MILESTONE)

    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    supporting_departments = models.ManyToManyField(
        Department, verbose_name=_("supporting departments"), blank=True, related_name="supported_tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
    )
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(
        _("original deadline"), null=True, blank=True, help_text=_("Kept when an extension moves the deadline.")
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    # The target: a number (quantitative) or done / not done (milestone).
    metric = models.CharField(_("metric"), max_length=200, blank=True, help_text=_("What is counted or measured."))
    target_value = models.DecimalField(_("target value"), max_digits=18, decimal_places=4, null=True, blank=True)
    target_value_max = models.DecimalField(
        _("target upper bound"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    comparator = models.CharField(_("comparator"), max_length=8, choices=Comparator, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4, null=True, blank=True)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure, default=Measure.CUMULATIVE)
    pacing = models.CharField(_("pacing"), max_length=16, choices=Pacing, default=Pacing.LINEAR)
    reporting_cycle = models.CharField(_("reporting cycle"), max_length=16, choices=Cycle, default=Cycle.MONTHLY)
    needs_review = models.BooleanField(
        _("needs review"), default=False, help_text=_("Set when an import could not read the item with certainty.")
    )
    # Derived state, written only by tracking.derived (docs/derived-state.md). The latest approved
    # progress update's figures, so that lists and the dashboard colour 100,000 tasks without
    # looking up each task's updates. The updates stay the record; this is a copy of their newest line.
    reported_value = models.DecimalField(
        _("approved actual"), max_digits=18, decimal_places=4, null=True, blank=True, editable=False
    )
    reported_percent = models.DecimalField(
        _("approved percent"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    reported_at = models.DateTimeField(_("approved report of"), null=True, blank=True, editable=False)
    # The health colour as of ``colour_on``, so that the overdue and behind-pace lists and the
    # dashboard read an index instead of colouring every task. Every write service works it out again
    # in its own transaction; the night's run moves it to the new day.
    colour = models.CharField(_("health"), max_length=8, blank=True, default="", editable=False)
    colour_on = models.DateField(_("health as of"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "position",
            "updated_at",
            "created_at",
            "description",
            "reported_value",
            "reported_percent",
            "reported_at",
            "colour",
            "colour_on",
        ],
        verbose_name=_("historical task"),
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(deadline__gte=F("start_date")), name="task_deadline_after_start"),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0), name="task_target_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(target_value_max__isnull=True) | Q(target_value_max__gt=F("target_value")),
                name="task_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(baseline__isnull=True) | Q(baseline__gte=0), name="task_baseline_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["deadline"], name="task_deadline_idx"),
            models.Index(fields=["lead_department", "deadline"], name="task_department_deadline_idx"),
            models.Index(fields=["owner", "deadline"], name="task_owner_deadline_idx"),
            models.Index(fields=["plan", "position"], name="task_plan_position_idx"),
            models.Index(fields=["colour", "deadline"], name="task_colour_deadline_idx"),
            models.Index(fields=["colour_on"], name="task_colour_on_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_quantitative(self) -> bool:
        return self.kind == self.Kind.QUANTITATIVE

    @property
    def is_extended(self) -> bool:
        return self.original_deadline is not None and self.original_deadline != self.deadline

    def target_display(self) -> str:
        if self.kind == self.Kind.SECTION:
            return ""
        if self.kind == self.Kind.MILESTONE:
            return str(_("milestone"))
        return format_target(self.comparator, self.target_value, self.target_value_max, self.unit)

    target_display.short_description = _("target")

    def clean(self):
        errors: dict[str, list] = {}

        def add(field, message):
            errors.setdefault(field, []).append(message)

        if self.start_date and self.deadline and self.deadline < self.start_date:
            add("deadline", _("The deadline cannot be before the start date."))
        if self.plan_id and self.parent_id and self.parent.plan_id != self.plan_id:
            add("parent", _("The parent task belongs to another plan."))
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    add("parent", _("A task cannot be placed under itself."))
                    break
                ancestor = ancestor.parent
        if self.kind == self.Kind.QUANTITATIVE:
            if self.target_value is None:
                add("target_value", _("A quantitative task needs a target value."))
            if not self.comparator:
                add("comparator", _("A quantitative task needs a comparator."))
        for field in ("target_value", "target_value_max", "baseline"):
            value = getattr(self, field)
            if value is not None and value < 0:
                add(field, _("The value cannot be negative."))
        if self.comparator == self.Comparator.RANGE:
            if self.target_value_max is None:
                add("target_value_max", _("A range needs an upper bound."))
            elif self.target_value is not None and self.target_value_max <= self.target_value:
                add("target_value_max", _("The upper bound must be greater than the lower bound."))
        elif self.target_value_max is not None:
            add("target_value_max", _("Only a range has an upper bound."))
        if self.unit == "%" and self.measure == self.Measure.RATIO:
            for field in ("target_value", "target_value_max", "baseline"):
                value = getattr(self, field)
                if value is not None and value > 100:
                    add(field, _("A ratio cannot be over 100%."))
        if errors:
            raise ValidationError(errors)


class DepartmentAlias(models.Model):
    """Another spelling of a department's name that sheets use (高新科, 市科技局高新技术科), kept once
    a manager has confirmed it in an import's preview."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("spelling"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("department alias")
        verbose_name_plural = _("department aliases")
        ordering = ["department", "name"]

    def __str__(self):
        return f"{self.name} → {self.department}"


# With Task, one aggregate; in their own module for its size. Registered with this app here.
from .progress_models import (  # noqa: E402, F401
    PERIOD_PATTERN,
    Evidence,
    ProgressUpdate,
    Review,
    ReviewState,
    evidence_path,
    validate_period,
)
