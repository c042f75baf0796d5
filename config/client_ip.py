"""The address a request came from, trusting X-Forwarded-For only from the proxies in TRUSTED_PROXIES."""

import ipaddress

from django.conf import settings


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind trusted proxies, the right-most X-Forwarded-For entry that is not one of them.

    Each proxy appends the address it received from, so entries left of the last untrusted one could
    have been written by the client itself and are never believed.
    """
    address = request.META.get("REMOTE_ADDR")
    if not address or not _is_trusted(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a proxy we trust passed on garbage: count the proxy
        address = hop
    return address
