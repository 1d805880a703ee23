"""Development and single-machine defaults (what ``make run`` uses)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
