from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the WSGI server saw it.

    Behind a reverse proxy the server must be told to trust X-Forwarded-For (gunicorn's
    --forwarded-allow-ips); the application never reads that header itself, so a client
    cannot forge its address.
    """
    return request.META.get("REMOTE_ADDR", "") or ""
