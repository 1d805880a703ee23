from accounts.roles import is_manager

from .review_queue import review_waiting_count


def review_count(request) -> dict:
    """``review_count`` for the top bar: how many items wait for a manager's review (read only when shown)."""

    def count() -> int:
        user = getattr(request, "user", None)
        return review_waiting_count(user) if user is not None and is_manager(user) else 0

    return {"review_count": count}
