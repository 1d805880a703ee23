"""Checks on evidence files (佐证材料) before anything is stored."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def evidence_check(upload) -> None:
    """Refuse a file with a path in its name, a type we do not keep, or over the size limit."""
    name = upload.name or ""
    if not name or "/" in name or "\\" in name or name.startswith(".") or ".." in name or "\x00" in name:
        raise ValidationError(_("The file name “%(name)s” is not allowed: give a plain file name.") % {"name": name})
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension not in settings.EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s”: files of type .%(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"name": name, "ext": extension or "?", "allowed": ", ".join(settings.EVIDENCE_EXTENSIONS)}
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})


def evidence_storage_name(original_name: str) -> str:
    """A name of our own, keeping only the checked extension."""
    return f"{uuid.uuid4().hex}{PurePosixPath(original_name).suffix.lower()}"


# Shown inline (thumbnails), as images only: every other file is downloaded as an attachment.
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}


def evidence_is_image(original_name: str) -> bool:
    return PurePosixPath(original_name).suffix.lower().lstrip(".") in IMAGE_EXTENSIONS
