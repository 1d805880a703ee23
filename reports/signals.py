"""``report_built`` is sent after the commit that stores a built report and its files.

Receivers (the notification outbox) get ``report`` and ``rebuilt`` (True when a manager rebuilt
an existing report's files). Sending is theirs: the reports app sends no mail itself.
"""

from django.dispatch import Signal

report_built = Signal()
