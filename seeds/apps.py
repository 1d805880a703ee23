from django.apps import AppConfig


class SeedsConfig(AppConfig):
    """The published seed plans, the demo organisation and the commands that load them."""

    name = "seeds"
    verbose_name = "Demo data"
