"""``item_returned`` is sent inside the transaction that returns a report or request to its sender.

Receivers get ``item`` (a ProgressUpdate, ExtensionRequest or ClosureRequest). Telling the sender is
theirs (the reminders outbox, ``reminders.notices``): the tracking app sends no mail itself, and a
notice is written, or not, with the review that caused it.
"""

from django.dispatch import Signal

item_returned = Signal()
