"""Development and single-machine defaults (what ``make run`` uses).

Debug is off unless DEBUG=true: people trying the product with ``make run`` see the site's own Chinese
error pages, not Django's English debug pages. WhiteNoise serves the static files from the apps'
folders, so no collectstatic is needed.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
