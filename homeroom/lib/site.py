"""The portal's own address, for links in mails, letters and reports: configured
(HOMEROOM_SITE_URL, or a command's --site), never taken from a request's Host header, which a
client chooses."""

from urllib.parse import urlsplit

from django.conf import settings


class SiteAddressError(ValueError):
    pass


def site_url(given: str | None = None) -> str:
    """The address given, else HOMEROOM_SITE_URL; checked, without a trailing slash."""
    address = (given or settings.HOMEROOM_SITE_URL or "").strip()
    if not address:
        raise SiteAddressError(
            "no site address: set HOMEROOM_SITE_URL (or give --site), e.g. "
            "https://portal.district.org"
        )
    parsed = urlsplit(address)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise SiteAddressError(
            f"{address!r} is not the portal's address: give it with its scheme, e.g. "
            "https://portal.district.org"
        )
    return address.rstrip("/")
