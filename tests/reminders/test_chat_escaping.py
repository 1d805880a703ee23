"""Task titles and names reach the group robots as text: nothing a channel would render as a link, an
image, emphasis, a heading or a mention."""

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from reminders.chat_text import chat_escape

pytestmark = pytest.mark.django_db
MORNING = datetime.datetime(2025, 6, 9, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOSTILE = "[链接](http://evil.example) **粗体** <b>x</b> `c` ![图](http://evil.example/p.png) @所有人\n# 标题\n> 引用"
INTERPRETED = ("[链接](", "](", "http://", "**", "<b>", "`", "![", "\n# ", "\n> ", "@所有人")


def test_chat_escape_turns_markdown_and_links_into_plain_full_width_text():
    escaped = chat_escape(HOSTILE)
    assert not [token for token in INTERPRETED if token in escaped]
    assert escaped.startswith("［链接］（http：//evil.example）") and "\n" not in escaped
    assert chat_escape("2025年完成（一）项") == "2025年完成（一）项"  # Chinese text reads the same


def test_a_hostile_title_reaches_dingtalk_and_wecom_as_plain_text(bureau, webhook_server):
    bureau.due_in_3.title = HOSTILE
    bureau.due_in_3.save()
    bureau.department.dingtalk_webhook = webhook_server.url("dingtalk")
    bureau.department.wecom_webhook = webhook_server.url("wecom")
    bureau.department.save()
    with time_machine.travel(MORNING, tick=False):
        call_command("send_reminders", "--json", stdout=StringIO())
    posts = webhook_server.received
    texts = [post["json"]["markdown"]["text"] for post in posts if post["json"]["msgtype"] == "markdown"]
    texts += [post["json"]["text"]["content"] for post in posts if post["json"]["msgtype"] == "text"]
    with_title = [text for text in texts if "链接" in text]
    assert len(with_title) >= 2, json.dumps(texts, ensure_ascii=False)[:500]
    for text in with_title:
        (line,) = [line for line in text.splitlines() if "链接" in line]  # the site's own link stays a link
        assert not [token for token in INTERPRETED if token in line], line
        assert "［链接］" in line
