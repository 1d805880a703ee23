"""The rows of the sheet import's preview table, and its choices for names not found, built in Python.

A 10,000-row sheet's preview lists every row; the template engine's loop over its 80,000 cells
took about as long as checking the sheet (0.6 s of a 2.4 s preview + confirm)."""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.roles import is_manager

register = template.Library()
# A suggestion at least this close is chosen in advance; a manager confirms or changes it.
CLOSE_ENOUGH = 0.6


@register.simple_tag
def import_preview_rows(rows) -> SafeString:
    """One ``<tr>`` a row result: its kind (new, changed, unchanged, skipped), then its cells, escaped."""
    kinds = {
        "new": gettext("New"),
        "update": gettext("Changed"),
        "unchanged": gettext("Unchanged"),
        "skipped": gettext("Skipped"),
        "error": gettext("Skipped"),
    }
    lines = []
    for row in rows:
        cells = "".join(
            f"<td>{escape(value if isinstance(value, str) else str(localize(value)))}</td>" for value in row.diff
        )
        kind = escape(str(row.import_type))
        label = kinds.get(getattr(row, "outcome", ""), kinds["unchanged"])
        lines.append(f'<tr class="{kind}"><td class="import-type">{escape(label)}</td>{cells}</tr>')
    return mark_safe("\n".join(lines))  # every value above is escaped


@register.simple_tag(takes_context=True)
def import_name_choices(context, departments, owners, suggestions) -> SafeString:
    """For each department or owner the sheet names but the system lacks: a choice among the closest
    departments, none, or (last, and for managers only) a new one. ``suggestions``: name → [(id,
    name, closeness)], as ``SheetImport.suggestions`` (or a job's preview) holds them."""
    if not (departments or owners):
        return mark_safe("")
    request = context.get("request")
    manager = request is not None and is_manager(request.user)
    rows = []
    number = 0
    for name in departments:
        suggestions_of_name = (suggestions or {}).get(name, [])
        options = [
            (str(pk), gettext("existing department: %(name)s") % {"name": found})
            for pk, found, _closeness in suggestions_of_name
        ]
        options.append(("none", gettext("no lead department")))
        if manager:
            options.append(("new", gettext("create a new department “%(name)s”") % {"name": name}))
        close = suggestions_of_name and suggestions_of_name[0][2] >= CLOSE_ENOUGH
        chosen = str(suggestions_of_name[0][0]) if close else ("new" if manager else "none")
        rows.append(_choice(number, gettext("department"), name, options, chosen))
        number += 1
    for name in owners:
        options = [("none", gettext("no owner"))]
        if manager:
            options.append(("new", gettext("create an account for “%(name)s”") % {"name": name}))
        rows.append(_choice(number, gettext("owner"), name, options, "new" if manager else "none"))
        number += 1
    head = escape(gettext("Names not found: choose what each one is. A confirmed spelling is remembered."))
    return mark_safe(
        f'<fieldset class="module"><h2>{head}</h2><table class="import-names">{"".join(rows)}</table></fieldset>'
    )


def _choice(number: int, what: str, name: str, options: list[tuple[str, str]], chosen: str) -> str:
    items = "".join(
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(label)}</option>'
        for value, label in options
    )
    return (
        f"<tr><td>{escape(what)}</td><td>{escape(name)}"
        f'<input type="hidden" name="name-{number}" value="{escape(name)}"></td>'
        f'<td><select name="choice-{number}">{items}</select></td></tr>'
    )
