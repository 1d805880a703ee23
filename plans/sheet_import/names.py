"""The departments and owners a sheet names: looked up once per import, created on request."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import STAFF

from ..models import Department


def departments_by_name() -> dict[str, Department]:
    found = {}
    for department in Department.objects.all():
        found[department.name] = department
        if department.short_name:
            found.setdefault(department.short_name, department)
    return found


def owners_by_name() -> dict[str, object]:
    found = {}
    for user in get_user_model().objects.filter(is_active=True).only("pk", "username", "full_name"):
        found.setdefault(user.username, user)
        if user.full_name:
            found.setdefault(user.full_name, user)
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
