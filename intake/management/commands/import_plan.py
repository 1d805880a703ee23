from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from intake.documents import plan_import_document
from intake.extraction import PlanReadError, extract_plan, read_document


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
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            extracted = extract_plan(read_document(data, file.name), year=year)
            extracted.bureau = bureau or extracted.bureau
            result = plan_import_document(extracted=extracted, title=plan_title, source_name=file.name)
        except PlanReadError as error:
            raise CommandError(f"{error} (--year)" if error.field == "year" else str(error)) from error
        except ValidationError as error:
            raise CommandError(f"{'; '.join(error.messages)} (--plan-title, --bureau)") from error
        self.stdout.write(
            f"{result.plan} ({result.plan.bureau}): {result.created} tasks created, {result.unchanged} already there"
        )
