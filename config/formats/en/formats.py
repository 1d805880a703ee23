from config.formats.zh_Hans.formats import *  # noqa: F403

YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
