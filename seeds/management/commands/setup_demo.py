from django.core.management.base import BaseCommand
from django.utils import timezone

from seeds.loader import setup_demo


class Command(BaseCommand):
    help = "Load the demo departments, users (password demo12345) and the five seed plans with some progress."

    def handle(self, *args, **options):
        summary = setup_demo(today=timezone.localdate())
        self.stdout.write(
            "演示数据 / demo data: {departments} new departments, {users} new users, "
            "{plans} plans, {tasks} new tasks, {updates} new progress updates".format(**summary)
        )
