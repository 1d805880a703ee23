from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.documents import plan_import_document
from intake.extraction import PlanReadError, extract_plan, read_document
from intake.management.sheet_command import read_file


class Command(BaseCommand):
    help = (
        "Read a work plan document (.txt, .docx, .pdf or .html) into a draft plan with its tasks. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="The plan year, when the document does not say it clearly.")
        parser.add_argument("--plan-title", help="Name the plan yourself instead of taking the document's title.")
        parser.add_argument("--bureau", help="The issuing bureau, when the document does not name it.")

    def handle(self, *args, file: Path, year: int | None, plan_title: str | None, bureau: str | None, **options):
        data = read_file(file)
        try:
            extracted = extract_plan(read_document(data, file.name), year=year)
            extracted.bureau = bureau or extracted.bureau
            result = plan_import_document(extracted=extracted, title=plan_title, source_name=file.name)
        except PlanReadError as error:
            raise CommandError(f"{error} (--year)" if error.field == "year" else str(error)) from error
        except ValidationError as error:
            raise CommandError(f"{'; '.join(error.messages)} (--plan-title, --bureau)") from error
        self.stdout.write(
            _("%(plan)s (%(bureau)s): %(created)s tasks created, %(unchanged)s already there")
            % {
                "plan": result.plan,
                "bureau": result.plan.bureau,
                "created": result.created,
                "unchanged": result.unchanged,
            }
        )
