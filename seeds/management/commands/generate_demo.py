from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from seeds.generated import PASSWORD, generate


class Command(BaseCommand):
    help = "Create a large made-up dataset (departments, users of every role, plans, tasks, updates) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=100_000)
        parser.add_argument("--updates", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=7, help="Another seed adds another, separate dataset.")

    def handle(self, *args, tasks: int, updates: int, seed: int, **options):
        if tasks < 1 or updates < 0:
            raise CommandError(_("--tasks must be at least 1 and --updates not negative."))
        from plans.models import Department

        if Department.objects.filter(name__startswith=f"gen{seed}-").exists():
            raise CommandError(_("A dataset with seed %(seed)s exists already; pass another --seed.") % {"seed": seed})
        made = generate(tasks=tasks, updates=updates, today=timezone.localdate(), seed=seed)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in made.items()))
        self.stdout.write(
            f"logins: gen{seed}-keyuan000 … (staff), gen{seed}-kezhang00 … (managers); password {PASSWORD}"
        )
