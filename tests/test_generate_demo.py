from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.models import ProgressUpdate, Task
from plans.selectors import with_progress

pytestmark = pytest.mark.django_db


def test_generate_demo_makes_every_colour_and_refuses_to_run_twice_on_one_seed():
    call_command("generate_demo", "--tasks", "400", "--updates", "2000", stdout=StringIO())
    assert Task.objects.count() == 400 and ProgressUpdate.objects.count() == 2000
    colours = Counter(with_progress(Task.objects.all(), today=timezone.localdate()).values_list("health", flat=True))
    assert {"red", "blue", "yellow", "green", "done"} <= set(colours)
    with pytest.raises(CommandError, match="exists already"):
        call_command("generate_demo", "--tasks", "10", "--updates", "10", stdout=StringIO())
