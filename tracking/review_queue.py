"""What waits for a manager's review (待审核): reports, extension and closure requests of the
tasks the manager may see (task_scope), oldest first, with the figures each is judged against."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from plans.models import ProgressUpdate, ReviewState
from plans.selectors import task_scope

from .models import ClosureRequest, ExtensionRequest

QUEUE_PAGE = 50
KINDS = {"update": ProgressUpdate, "extension": ExtensionRequest, "closure": ClosureRequest}


def waiting(user) -> dict[str, QuerySet]:
    """The three waiting querysets, each limited to the user's scope."""
    scope = task_scope(user).values("pk")
    return {
        kind: model.objects.filter(state=ReviewState.SUBMITTED, task__in=scope).order_by()
        for kind, model in KINDS.items()
    }


def review_waiting_count(user) -> int:
    """How many items wait, in one query (the top bar shows it on every page)."""
    first, *rest = (queryset.values("pk") for queryset in waiting(user).values())
    return first.union(*rest, all=True).count()


@dataclass
class QueueItem:
    kind: str
    item: ProgressUpdate | ExtensionRequest | ClosureRequest
    sent_at: datetime.datetime
    sender: object

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.item.pk}"

    @property
    def task(self):
        return self.item.task


def review_queue(user, *, limit: int = QUEUE_PAGE) -> tuple[list[QueueItem], int]:
    """The oldest ``limit`` waiting items of the user's scope, and how many wait in all.

    A fixed number of queries whatever the length: one per kind, one for the reports' evidence and
    one for the closures' final reports' evidence, and the count."""
    querysets = waiting(user)
    updates = (
        querysets["update"]
        .select_related("task", "reported_by")
        .prefetch_related("evidence")
        .order_by("reported_at", "pk")[:limit]
    )
    extensions = querysets["extension"].select_related("task", "requested_by").order_by("requested_at", "pk")[:limit]
    closures = (
        querysets["closure"]
        .select_related("task", "requested_by", "update__task")
        .prefetch_related("update__evidence")
        .order_by("requested_at", "pk")[:limit]
    )
    items = [QueueItem("update", u, u.reported_at, u.reported_by) for u in updates]
    items += [QueueItem("extension", e, e.requested_at, e.requested_by) for e in extensions]
    items += [QueueItem("closure", c, c.requested_at, c.requested_by) for c in closures]
    items.sort(key=lambda entry: (entry.sent_at, entry.kind, entry.item.pk))
    return items[:limit], review_waiting_count(user)


def queue_items_by_keys(user, keys: list[str]) -> list:
    """The reports and requests named by queue keys ("update-12"), within the user's scope."""
    wanted: dict[str, set[int]] = {}
    for key in keys:
        kind, _sep, pk = key.partition("-")
        if kind in KINDS and pk.isdigit():
            wanted.setdefault(kind, set()).add(int(pk))
    scope = task_scope(user).values("pk")
    found = []
    for kind, pks in wanted.items():
        found += list(KINDS[kind].objects.filter(pk__in=pks, task__in=scope).select_related("task"))
    return found
