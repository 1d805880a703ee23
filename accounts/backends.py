"""django-axes in front of Django's own password check."""

from axes.backends import AxesStandaloneBackend


class LoginBackend(AxesStandaloneBackend):
    """Counts and refuses web logins; a login without a request (a shell, the test client's login()) has
    no address to count and goes straight to the next backend."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
