"""Key rotation for the encrypted columns: every value read with any configured key, written with the first."""

from django.apps import apps
from django.db import transaction
from django.db.models import TextField, Value

from .encryption import EncryptedTextField, rotate


def encrypted_fields() -> list[tuple]:
    """(model, field names) for every model with an encrypted column."""
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_encrypted_fields() -> dict[str, int]:
    """Re-encrypt every non-empty value with the first key, in one transaction; values counted per column."""
    counts = {}
    with transaction.atomic():
        for model, names in encrypted_fields():
            manager = model._base_manager
            # Read the stored tokens as text (no decryption), write the rotated tokens as text.
            stored = manager.annotate(**{f"_raw_{name}": _raw(name) for name in names}).values_list(
                "pk", *[f"_raw_{name}" for name in names]
            )
            for pk, *tokens in stored.select_for_update().iterator():
                changes = {
                    name: Value(rotate(token), output_field=TextField())
                    for name, token in zip(names, tokens, strict=True)
                    if token
                }
                if changes:
                    manager.filter(pk=pk).update(**changes)
            for name in names:
                counts[f"{model._meta.label}.{name}"] = manager.exclude(**{name: ""}).count()
    return counts


def _raw(name: str):
    from django.db.models.functions import Cast

    return Cast(name, output_field=TextField())
