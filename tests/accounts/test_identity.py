"""身份鉴别: login lockout, password rules and age, idle sessions, optional two-factor login."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.passwords import character_classes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOOD = "Kejiju-2025"


def attempt(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT="t"
    )


@pytest.fixture
def person(db):
    user = UserFactory(username="zhangsan")
    user.set_password(GOOD)
    user.save()
    return user


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message_even_for_the_right_one(client, person):
    for _ in range(4):
        assert attempt(client, "zhangsan", "wrong-Password1").status_code == 200
    assert attempt(client, "zhangsan", "wrong-Password1").status_code == 429
    locked = attempt(client, "zhangsan", GOOD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_from_any_address(client, person):
    for n in range(5):
        attempt(client, "zhangsan", "wrong-Password1", ip=f"10.0.1.{n}")
    assert attempt(client, "zhangsan", GOOD, ip="10.0.9.9").status_code == 429


def test_the_lock_is_per_address_across_usernames(client, person):
    for n in range(5):
        attempt(client, f"guess{n}", "wrong-Password1", ip="10.0.2.2")
    assert attempt(client, "zhangsan", GOOD, ip="10.0.2.2").status_code == 429
    assert attempt(client, "zhangsan", GOOD, ip="10.0.3.3").status_code == 302


def test_an_administrator_unlocks_by_deleting_the_attempt_in_the_admin(client, person, administrator):
    for _ in range(5):
        attempt(client, "zhangsan", "wrong-Password1")
    admin_client = type(client)()
    admin_client.force_login(administrator)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    answer = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert answer.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "zhangsan", GOOD).status_code == 302


@pytest.mark.parametrize(
    ("password", "classes"), [("abcdefgh", 1), ("abcd1234", 2), ("Abcd1234", 3), ("Ab1!xyzw", 4), ("科技局abc12", 3)]
)
def test_character_classes_are_counted(password, classes):
    assert character_classes(password) == classes


def test_a_password_needs_eight_characters_and_three_classes(person):
    for weak in ("Ab1!", "kejijuxitong", "kejiju2025x"):
        with pytest.raises(ValidationError):
            validate_password(weak, person)
    validate_password("Duban#2025", person)


def test_the_last_five_passwords_cannot_be_used_again(person):
    used = [GOOD] + [f"Kejiju-20{n}x" for n in range(26, 30)]
    for password in used[1:]:
        person.set_password(password)
        person.save()
    for password in used:
        with pytest.raises(ValidationError) as refused:
            validate_password(password, person)
        assert "last 5" in str(refused.value)
    person.set_password("Kejiju-2030x")
    person.save()
    validate_password(GOOD, person)  # the sixth-last is allowed again
    assert person.password_history.count() == 5


def test_an_administrator_with_a_password_older_than_90_days_must_change_it(client, administrator, staff_a):
    old = timezone.now() - datetime.timedelta(days=91)
    type(administrator).objects.filter(pk__in=[administrator.pk, staff_a.pk]).update(password_changed_at=old)
    client.force_login(administrator)
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and answer.url == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200
    answer = client.post(
        reverse("admin:password_change"),
        {"old_password": "pw-for-tests", "new_password1": "Xitong#2026a", "new_password2": "Xitong#2026a"},
    )
    assert answer.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.force_login(staff_a)
    assert client.get(reverse("home")).status_code == 200


def test_the_session_ends_after_30_idle_minutes_and_a_request_renews_it(client, staff_a, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel(datetime.datetime(2025, 6, 9, 9, tzinfo=datetime.UTC), tick=False) as clock:
        client.force_login(staff_a)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200  # renewed: 30 minutes from now
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        answer = client.get(reverse("home"))
        assert answer.status_code == 302 and reverse("admin:login") in answer.url


def test_two_factor_is_optional_by_default(client, manager):
    client.force_login(manager)
    assert client.get(reverse("home")).status_code == 200


def test_where_required_a_manager_sets_up_totp_and_then_reaches_the_pages(client, manager, staff_a, settings):
    settings.OTP_REQUIRED_FOR = ["manager", "administrator"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code otherwise delays the next try by a second
    client.force_login(manager)
    answer = client.get(reverse("dashboard"))
    assert answer.status_code == 302 and answer.url.startswith(reverse("two-factor"))
    with override("zh-hans"):
        setup = client.get(answer.url)
    device = TOTPDevice.objects.get(user=manager)
    assert setup.status_code == 200 and device.config_url.split("secret=")[1][:8] in setup.content.decode()
    assert client.post(reverse("two-factor"), {"token": "000000", "next": "/dashboard/"}).status_code == 400
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    answer = client.post(reverse("two-factor"), {"token": code, "next": "/dashboard/"})
    assert answer.status_code == 302 and answer.url == "/dashboard/"
    assert client.get(reverse("dashboard")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # Staff are not asked.
    client.force_login(staff_a)
    assert client.get(reverse("home")).status_code == 200


def test_a_manager_who_chose_two_factor_is_asked_for_a_code_at_the_next_login(client, manager, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client.force_login(manager)
    assert client.get(reverse("home")).status_code == 200  # optional: not asked
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=manager)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("two-factor"), {"token": code, "next": "/"}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    client.force_login(manager)
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and answer.url.startswith(reverse("two-factor"))
