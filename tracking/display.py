"""How figures read wherever a report is shown: 66家, 60%, never 66.0000."""

from decimal import Decimal


def number_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def figure_text(*, value: Decimal | None, percent: Decimal | None, unit: str) -> str:
    """A report's figure in its task's unit (a milestone's as a percent)."""
    if value is not None:
        return f"{number_text(value)}{unit}"
    if percent is not None:
        return f"{number_text(percent)}%"
    return "—"
