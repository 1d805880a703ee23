"""The permission matrix of docs/security.md, checked cell by cell: each role × each page or action."""

import re
from pathlib import Path

import pytest
from django.conf import settings

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "security.md"
ROLES = ("staff", "manager", "administrator")


def matrix_rows() -> list[tuple[str, str, str, dict[str, bool]]]:
    text = DOC.read_text()
    table = text[text.index("## Permission matrix") :]
    rows = []
    for line in table.splitlines():
        match = re.match(r"\| ([^|]+) \| `(GET|POST) ([^`]+)` \| ([✓✗]) \| ([✓✗]) \| ([✓✗]) \|$", line)
        if match:
            name, method, path, *cells = match.groups()
            rows.append((name.strip(), method, path, dict(zip(ROLES, (cell == "✓" for cell in cells), strict=True))))
    return rows


ROWS = matrix_rows()


def test_the_matrix_in_the_docs_is_complete():
    assert len(ROWS) == 20


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "allowed"), ROWS, ids=[row[0] for row in ROWS])
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    client, role, name, method, path, allowed, staff_a, manager, administrator, department_a, department_b, task_a
):
    department_a.members.add(manager)
    user = {"staff": staff_a, "manager": manager, "administrator": administrator}[role]
    client.force_login(user)
    url = path.replace("/manage/", "/" + settings.ADMIN_URL).format(a=department_a.pk, b=department_b.pk)
    if method == "POST":
        department = department_a if "{a}" in path else department_b
        answer = client.post(
            url, {"name": department.name, "reporting_day": 25, "position": 0, "dingtalk_secret": "SECx1"}
        )
        department.refresh_from_db()
        changed = department.dingtalk_secret == "SECx1"
        assert (answer.status_code == 302 and changed) if allowed[role] else (answer.status_code == 403 and not changed)
    else:
        answer = client.get(url)
        assert answer.status_code == (200 if allowed[role] else 403), f"{role} {method} {url}"
