"""The numbered structure of a plan: 一、 / (一) / 1. / (1) / 一是 / 第一 / 主要目标.

Markers are accepted only where a list may start (line start, after a sentence)
and only in sequence (一 then 二, 1 then 2), so numbers inside sentences are not
taken for headings. Each kind of marker takes the level at which it first appears.
"""

import re
from dataclasses import dataclass, field

import cn2an

_CN = "一二三四五六七八九十"
_BOUNDARY = r"(?:(?<=^)|(?<=\n)|(?<=[。;:!?\s]))"
MARKER_KINDS = [
    ("cn", rf"(?P<n>[{_CN}]+)、"),
    ("cn_paren", rf"\((?P<n>[{_CN}]+)\)"),
    ("arabic", r"(?P<n>\d{1,2})(?:\.|、)(?![\d.])"),
    ("arabic_paren", r"\((?P<n>\d{1,2})\)"),
    ("circled", r"(?P<n>[\u2460-\u2473])"),
    ("arabic_half", r"(?P<n>\d{1,2})\)(?![\d%])"),
    ("shi", rf"(?P<n>[{_CN}]+)是(?=[^\s,。;:])"),
    ("di", rf"第(?P<n>[{_CN}]+)(?:,|、)"),
    ("goal", r"(?P<n>主要目标|工作目标|总体目标|发展目标|预期目标|主要指标)(?::|\s*\n)"),
]
_MARKERS = re.compile(
    _BOUNDARY
    + "(?:"
    + "|".join(f"(?P<{kind}>{pattern.replace('(?P<n>', f'(?P<n_{kind}>')})" for kind, pattern in MARKER_KINDS)
    + ")"
)
LABEL_FORMAT = {
    "cn": "{n}、",
    "cn_paren": "({n})",
    "arabic": "{n}.",
    "arabic_paren": "({n})",
    "circled": "{n}",
    "arabic_half": "{n})",
    "shi": "{n}是",
    "di": "第{n}",
    "goal": "{n}",
}


@dataclass
class Node:
    kind: str
    number: int
    label: str
    text: str = ""
    start: int = 0
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None
    restarts: int = 0  # on the root: lists that began again at 一是 where no heading came between

    @property
    def code_part(self) -> str:
        return {"cn_paren": f"({self.label[1:-1]})", "arabic_paren": f"({self.label[1:-1]})"}.get(
            self.kind, self.label.rstrip("、.")
        )

    def title(self, limit: int = 40) -> str:
        head = re.split(r"[。;:!?\n]", self.text.strip(), maxsplit=1)[0].strip(" ,")
        return head if len(head) <= limit else head[: limit - 1] + "…"


def _number(token: str) -> int:
    if "\u2460" <= token <= "\u2473":
        return ord(token) - 0x2460 + 1  # ① is 1
    return int(token) if token.isdecimal() else int(cn2an.cn2an(token, "smart"))


def parse_outline(text: str) -> Node:
    """Parse ``text`` into a tree under a root node; text before the first marker stays on the root."""
    root = Node(kind="root", number=0, label="")
    stack: list[Node] = [root]
    accepted: list[tuple[Node, int]] = []  # node, end of its marker
    last_number: dict[str, int] = {}  # plans may number items on across sections (4. under 二、)
    for match in _MARKERS.finditer(text):
        kind = next(k for k, _ in MARKER_KINDS if match.group(k) is not None)
        raw = match.group(f"n_{kind}")
        if kind == "goal":
            node = Node(kind=kind, number=1, label=raw, start=match.start())
            stack = [root]
            root.children.append(node)
            node.parent = root
            stack.append(node)
            accepted.append((node, match.end()))
            continue
        number = _number(raw)
        level = next((i for i, n in enumerate(stack) if n.kind == kind), None)
        if level is not None:
            if number != stack[level].number + 1:
                root.restarts += number == 1 and kind == "shi"
                continue  # out of sequence: a number inside a sentence, not a heading
            stack = stack[:level]
        elif number not in (1, last_number.get(kind, 0) + 1):
            continue
        if stack[-1].kind == "goal":
            stack.pop()  # a goal paragraph holds clauses, not numbered items
        parent = stack[-1]
        node = Node(
            kind=kind, number=number, label=LABEL_FORMAT[kind].format(n=raw), start=match.start(), parent=parent
        )
        parent.children.append(node)
        stack.append(node)
        last_number[kind] = number
        accepted.append((node, match.end()))
    # Each node's own text runs from its marker to the next accepted marker.
    starts = [node.start for node, _ in accepted] + [len(text)]
    root.text = text[: starts[0]]
    for (node, body_start), next_start in zip(accepted, starts[1:], strict=True):
        node.text = text[body_start:next_start].strip()
    return root


def walk(node: Node):
    for child in node.children:
        yield child
        yield from walk(child)
