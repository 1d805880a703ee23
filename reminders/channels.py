"""Sending one rendered message: email through Django's mail framework, or a group robot's webhook.

Every failure raises ``DeliveryError`` with a reason a person can read in the admin. A failure after the
message was handed over, with no answer (a timeout, a dropped connection), raises ``UnconfirmedDelivery``:
the server may have it, so it must not simply be sent again.
"""

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _

from plans.models import Department

from .models import Channel, Message

# The robots refuse longer texts (WeCom: 4096 bytes of markdown; DingTalk: 20,000 bytes).
CHAT_MAX_BYTES = 4000


# The outbox keeps a department's robot as a reference: the webhook (its access token) and the signing secret
# are credentials, kept encrypted on the department and read only at the moment of sending.
ROBOT_PREFIX = "department:"


def robot_address(department_id: int) -> str:
    return f"{ROBOT_PREFIX}{department_id}"


def _robot(message: Message) -> tuple[str, str]:
    """(webhook, DingTalk signing secret) of the robot a chat message goes to, as the department has them now."""
    if not message.address.startswith(ROBOT_PREFIX):  # queued before robots were kept by reference
        secret = _dingtalk_secret(message.address) if message.channel == Channel.DINGTALK else ""
        return message.address, secret
    department = Department.objects.filter(pk=int(message.address.removeprefix(ROBOT_PREFIX))).first()
    webhook, secret = "", ""
    if department is not None:
        if message.channel == Channel.WECOM:
            webhook = department.wecom_webhook
        else:
            webhook, secret = department.dingtalk_webhook, department.dingtalk_secret
    if not webhook:
        raise DeliveryError(_("the department no longer has this chat robot"))
    return webhook, secret


# A chat message sent after an attempt whose outcome was unknown: robots take no message id, so the group
# may see it twice, and the second copy says why.
RESEND_PREFIX = "【补发】"


class DeliveryError(Exception):
    pass


class UnconfirmedDelivery(DeliveryError):
    """The message was handed over and no answer came: the server may or may not have it."""


def send(message: Message, *, mention: str = "") -> None:
    if message.channel == Channel.EMAIL:
        _send_email(message)
    elif message.channel == Channel.WECOM:
        _post_wecom(message, mention)
    elif message.channel == Channel.DINGTALK:
        _post_dingtalk(message, mention)
    else:
        raise DeliveryError(_("unknown channel “%(channel)s”") % {"channel": message.channel})


def _send_email(message: Message) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        # The same Message-ID on every attempt, so that a mail system can tell a resend from a new mail.
        headers={"Message-ID": f"<message-{message.pk}-{message.day:%Y%m%d}@kejiju.tracker>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.report_id:
        from .report_mail import report_attachments

        for name, content, mimetype in report_attachments(message.report):
            email.attach(name, content, mimetype)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()  # a failure to connect or log in: the server has nothing
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP: {error}") from error
    email.connection = connection
    try:
        if email.send(fail_silently=False) != 1:
            raise DeliveryError(_("the mail backend accepted nothing"))
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        raise DeliveryError(f"SMTP: {error}") from error  # the server answered: it refused
    except (smtplib.SMTPException, OSError) as error:
        raise UnconfirmedDelivery(
            _("SMTP gave no answer after the message was handed over: %(error)s") % {"error": repr(error)}
        ) from error
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass


def _truncate(text: str) -> str:
    data = text.encode()
    if len(data) <= CHAT_MAX_BYTES:
        return text
    return data[: CHAT_MAX_BYTES - 40].decode(errors="ignore").rsplit("\n", 1)[0] + "\n……（更多见系统）"


def _post(url: str, payload: dict) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.REMINDER_WEBHOOK_TIMEOUT) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(_("webhook answered HTTP %(code)s") % {"code": error.code}) from error
    except urllib.error.URLError as error:
        # urllib wraps only what fails before the request is fully written: the robot has nothing.
        raise DeliveryError(_("webhook unreachable: %(reason)s") % {"reason": error.reason}) from error
    except OSError as error:  # a timeout or a dropped connection while waiting for the answer
        raise UnconfirmedDelivery(
            _("webhook gave no answer after the message was posted: %(error)s") % {"error": repr(error)}
        ) from error
    try:
        answer = json.loads(body or b"{}")
    except ValueError as error:
        raise DeliveryError(
            _("webhook answered something that is not JSON: %(body)s") % {"body": repr(body[:200])}
        ) from error
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(
            _("webhook refused: errcode %(code)s %(text)s")
            % {"code": answer.get("errcode"), "text": answer.get("errmsg", "")}
        )


def _chat_text(message: Message) -> str:
    return _truncate(f"{RESEND_PREFIX}{message.body_text}" if message.unconfirmed_at else message.body_text)


def _post_wecom(message: Message, mention: str) -> None:
    webhook, _secret = _robot(message)
    payload = {"msgtype": "text", "text": {"content": _chat_text(message)}}
    if mention:
        payload["text"]["mentioned_mobile_list"] = [mention]
    _post(webhook, payload)


def _signed(url: str, secret: str) -> str:
    """DingTalk's 加签: timestamp and HMAC-SHA256 of "timestamp\\nsecret", in the query string."""
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _dingtalk_secret(webhook: str) -> str:
    """The signing secret of the department whose robot this is; the columns are encrypted, so each
    department's webhook is compared after decryption (a bureau has tens of departments)."""
    for address, secret in Department.objects.exclude(dingtalk_secret="").values_list(
        "dingtalk_webhook", "dingtalk_secret"
    ):
        if hmac.compare_digest(address.encode(), webhook.encode()):
            return secret
    return ""


def _post_dingtalk(message: Message, mention: str) -> None:
    webhook, secret = _robot(message)
    text = _chat_text(message)
    title = f"{RESEND_PREFIX}{message.subject}" if message.unconfirmed_at else message.subject
    payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if mention:
        payload["at"] = {"atMobiles": [mention]}
        payload["markdown"]["text"] = f"{text}\n\n@{mention}"
    _post(_signed(webhook, secret) if secret else webhook, payload)
