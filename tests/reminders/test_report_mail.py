"""A built report reaches every manager once, by email through the outbox, with its files attached."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.roles import MANAGER
from plans.models import CalendarDay
from reminders import delivery
from reminders.models import Message
from reports.services import report_build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the report's signal is sent on commit


@pytest.fixture
def managers(db):
    return [
        UserFactory(username="juzhang", email="juzhang@kjj.test", role=MANAGER),
        UserFactory(username="kezhang2", email="kezhang2@kjj.test", role=MANAGER),
        UserFactory(username="nomail", email="", role=MANAGER),
    ]


@pytest.fixture
def mail_goes_out_now(db):
    """The real clock decides when mail may go: make today a working day without quiet hours."""
    CalendarDay.objects.update_or_create(date=timezone.localdate(), defaults={"is_working_day": True})
    with override_settings(REMINDER_QUIET_HOURS="00:00-00:00"):
        yield


def test_a_built_report_is_mailed_to_each_manager_once_with_its_files(bureau, managers, smtp_server, mail_goes_out_now):
    report = report_build(kind="month", day=datetime.date(2025, 5, 10), today=datetime.date(2025, 6, 9))
    queued = Message.objects.filter(report=report)
    assert sorted(queued.values_list("address", flat=True)) == [
        "fenguan@kjj.test",
        "juzhang@kjj.test",
        "kezhang2@kjj.test",
    ]
    report_build(kind="month", day=datetime.date(2025, 5, 10), today=datetime.date(2025, 6, 9), force=True)
    assert queued.count() == 3  # rebuilt, not mailed again
    with override_settings(**smtp_server.settings(), REMINDER_QUIET_HOURS="00:00-00:00"):
        from django.utils import timezone

        from plans.models import CalendarDay

        CalendarDay.objects.update_or_create(date=timezone.localdate(), defaults={"is_working_day": True})
        outcomes = delivery.deliver_due()
    assert outcomes[delivery.SENT] == 3
    mail = next(message for message in smtp_server.handler.messages if message["To"] == "juzhang@kjj.test")
    assert "通报" in smtp_server.handler.subject(mail)
    names = sorted(part.get_filename() for part in mail.walk() if part.get_filename())
    assert [name.rsplit(".", 1)[1] for name in names] == ["docx", "xlsx"]
    body = next(part for part in mail.walk() if part.get_content_type() == "text/plain").get_payload(decode=True)
    assert report.figures["summary"][:10].encode() in body
