"""The one error the plan reader raises: its message says, in the user's language, why and what to do."""


class PlanReadError(ValueError):
    """The input cannot be read as a plan; the message says why and what was expected.

    ``field`` names what the user can give to get past it ("year"), so that the page and the command
    line can each say where to give it.
    """

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field
