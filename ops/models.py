"""What the operations jobs did: each backup run, so that the admin shows the last one that succeeded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    """One run of ``manage.py backup`` or the nightly task: the archive it wrote, or why it failed."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    archive = models.CharField(_("archive"), max_length=1000, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    files = models.PositiveIntegerField(_("media files"), default=0)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.archive or self.error[:60]}"
