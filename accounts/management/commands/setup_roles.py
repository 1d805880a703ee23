from django.core.management.base import BaseCommand

from accounts.roles import ROLE_PERMISSIONS, sync_roles


class Command(BaseCommand):
    help = "Create or refresh the role groups (科员, 科长/局领导, 系统管理员) and their permissions."

    def handle(self, *args, **options):
        sync_roles()
        self.stdout.write(", ".join(ROLE_PERMISSIONS))
