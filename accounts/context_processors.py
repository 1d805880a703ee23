from .roles import is_manager


def roles(request) -> dict:
    """``user_is_manager`` for templates; the groups it reads are cached on the user, as scoping reads them too."""
    return {"user_is_manager": lambda: is_manager(request.user)}
