import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.extraction import PlanReadError, extract_plan, read_document
from intake.management.sheet_command import read_file


class Command(BaseCommand):
    help = "Read a work plan document (.txt, .docx, .pdf or .html) and print its tasks and targets; writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="The plan year, when the document does not say it clearly.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, file: Path, year: int | None, json: bool, **options):
        try:
            plan = extract_plan(read_document(read_file(file), file.name), year=year)
        except PlanReadError as error:
            raise CommandError(f"{error} (--year)" if error.field == "year" else str(error)) from error
        if json:
            self.stdout.write(_dumps(plan.as_json()))
            return
        title, bureau = plan.title or _("(no title)"), plan.bureau or _("(no issuing bureau)")
        self.stdout.write(f"{title} · {bureau} · {plan.year}")
        if plan.starts_at:
            self.stdout.write(_("plan part starts at: %(line)s") % {"line": plan.starts_at})
        for task in plan.tasks:
            depth = task.code.count(".")
            target = task.as_json()["target"]
            reading = ""
            if target:
                bound = f"-{target['value_max']:g}" if target["value_max"] is not None else ""
                reading = f"  [{target['comparator']} {target['value']:g}{bound}{target['unit']}]"
            flags = "  " + _("(check: %(flags)s)") % {"flags": ", ".join(task.flags)} if task.flags else ""
            self.stdout.write(f"{'  ' * depth}{task.code} {task.title}{reading}  → {task.deadline}{flags}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
