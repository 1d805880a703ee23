"""The departments and owners a sheet names: looked up once per import, created on request.

A bureau writes a department in several ways: its full name (高新技术科), its short name
(高新科), with the bureau in front (市科技局高新技术科), with full-width or half-width brackets,
or as a 处 where the system has a 科. ``DepartmentNames`` reads all of them; a spelling it
cannot tell apart gets the closest departments as suggestions, and a spelling a manager
confirms in the preview is kept as an alias (``DepartmentAlias``).
"""

import difflib
import re
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import STAFF
from intake.extraction.text import normalize
from plans.models import Department, DepartmentAlias

_BUREAU = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,12}?[省市区县])?(?:科学技术和信息化局|科技和信息化局|科学技术局|科技局|本局|局)(?:机关)?"
)
_UNIT = re.compile(r"(?:科室|处室|科|处|室|股)$")


def name_key(name: str) -> str:
    """A name as compared: width-folded, without spaces, brackets' shape or trailing punctuation."""
    text = normalize(name or "").lower()
    return re.sub(r"[\s\"'“”‘’《》<>·•*]+", "", text).strip(".,:;、。")


def _without_bureau(key: str) -> str:
    rest = _BUREAU.sub("", key, count=1)
    return rest if len(rest) >= 2 else key


def _stem(key: str) -> tuple[str, bool]:
    """The name without its unit word (科, 处, 室), and whether it had one."""
    stem = _UNIT.sub("", key)
    return (stem, True) if stem != key and len(stem) >= 2 else (key, False)


def _is_subsequence(short: str, full: str) -> bool:
    chars = iter(full)
    return all(char in chars for char in short)


class DepartmentNames:
    """Department by any spelling a sheet uses. ``get`` returns None for a name it cannot place;
    ``resolve`` fixes what a name means for this import (a department, or None for none)."""

    def __init__(self):
        self.departments = list(Department.objects.all())
        self._by_key: dict[str, Department] = {}
        for department in self.departments:
            for spelling in (department.name, department.short_name):
                if spelling:
                    self._by_key.setdefault(name_key(spelling), department)
        for alias in DepartmentAlias.objects.select_related("department"):
            self._by_key.setdefault(name_key(alias.name), alias.department)
        self._resolved: dict[str, Department | None] = {}
        self._cache: dict[str, Department | None] = {}

    def resolve(self, name: str, department: Department | None) -> None:
        self._resolved[name] = department

    def __contains__(self, name: str) -> bool:
        return name in self._resolved or self.get(name) is not None

    def __getitem__(self, name: str) -> Department:
        department = self.get(name)
        if department is None:
            raise KeyError(name)
        return department

    def get(self, name: str, default=None) -> Department | None:
        if not name:
            return default
        if name in self._resolved:
            return self._resolved[name]
        if name not in self._cache:
            self._cache[name] = self._match(name)
        return self._cache[name] or default

    def _match(self, name: str) -> Department | None:
        key = name_key(name)
        bare = _without_bureau(key)
        for spelling in dict.fromkeys((key, bare)):
            if spelling in self._by_key:
                return self._by_key[spelling]
        stem, has_unit = _stem(bare)
        if not has_unit or len(stem) < 2:
            return None
        # The same name with another unit word (政策法规处 ↔ 政策法规科), or a short name whose
        # characters the full name has in order (高新科 ↔ 高新技术科): only when one department fits.
        same, short = set(), set()
        for spelling, department in self._by_key.items():
            other, other_unit = _stem(spelling)
            if not other_unit:
                continue
            if other == stem:
                same.add(department.pk)
            elif len(stem) != len(other) and (
                _is_subsequence(stem, other) if len(stem) < len(other) else _is_subsequence(other, stem)
            ):
                short.add(department.pk)
        for found in (same, short):
            if len(found) == 1:
                return next(department for department in self.departments if department.pk in found)
            if found:
                return None
        return None

    def suggest(self, name: str, limit: int = 3) -> list[tuple[Department, float]]:
        """The departments closest to a name, best first, with how close (0-1)."""
        stem = _stem(_without_bureau(name_key(name)))[0]
        scores = {}
        for spelling, department in self._by_key.items():
            other = _stem(spelling)[0]
            score = difflib.SequenceMatcher(None, stem, other).ratio()
            if _is_subsequence(stem, other) or _is_subsequence(other, stem):
                score = max(score, 0.6)
            if score > scores.get(department.pk, (0, None))[0]:
                scores[department.pk] = (score, department)
        ranked = sorted(scores.values(), key=lambda pair: (-pair[0], pair[1].position, pair[1].name))
        return [(department, round(score, 2)) for score, department in ranked if score >= 0.3][:limit]


def departments_by_name() -> DepartmentNames:
    return DepartmentNames()


def remember_aliases(names: dict[str, Department | None]) -> None:
    """Keep the spellings a manager confirmed, so that the next sheet matches them by itself."""
    for name, department in names.items():
        if department is not None and name_key(name) != name_key(department.name):
            DepartmentAlias.objects.get_or_create(name=name[:100], defaults={"department": department})


def owners_by_name() -> dict[str, object]:
    found = {}
    for user in get_user_model().objects.filter(is_active=True).only("pk", "username", "full_name"):
        found.setdefault(user.username, user)
        if user.full_name:
            found.setdefault(user.full_name, user)
            found.setdefault(re.sub(r"\s+", "", user.full_name), user)
    return found


def create_unknown_names(departments: dict[str, None], owners: dict[str, Department | str]) -> None:
    """Create departments and owners the sheet names but the system lacks; an owner joins the
    department of the first row that names them."""
    User = get_user_model()
    for name in departments:
        Department.objects.get_or_create(name=name)
    staff = Group.objects.get(name=STAFF)
    for name, department in owners.items():
        owner = User(username=f"u-{uuid.uuid4().hex[:10]}", full_name=name, is_staff=True)
        owner.set_unusable_password()  # an administrator sets a password before the first login
        owner.save()
        owner.groups.add(staff)
        if isinstance(department, str) and department:
            department = Department.objects.filter(name=department).first()
        if department:
            owner.departments.add(department)
