"""Text from people (task titles, names) made inert for the group robots.

DingTalk renders a robot's message as markdown: a task title "[链接](http://evil.example)" became a
link in the department's group, and *, _, #, >, ` and ! (images) change the text too. WeCom's text
messages show links and "@" mentions. Each character a channel would interpret is replaced by its
full-width form, which reads the same in Chinese text and which neither robot interprets; a URL's
"://" loses its colon, so it is never a link; line breaks become spaces, so that no title starts a
heading, quote or list.
"""

FULL_WIDTH = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "!": "！",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "~": "～",
        "|": "｜",
        "\\": "＼",
        "@": "＠",
        "\r": " ",
        "\n": " ",
    }
)


def chat_escape(value) -> str:
    """The value as text neither DingTalk markdown nor WeCom text interprets."""
    text = "" if value is None else str(value)
    return text.translate(FULL_WIDTH).replace("://", "：//")
