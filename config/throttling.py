"""The API's anonymous throttle, counting clients by an address a client cannot make up.

DRF's own throttle takes the client from X-Forwarded-For whenever the header is there, so any
client could send a new address with each request. Here the header counts only when the request
comes from a proxy listed in TRUSTED_PROXIES (addresses or networks, the setting the sign-in
lock-out uses too): then the right-most entry that is not a trusted proxy is the client. The
counts live in the default cache: Redis when REDIS_URL is set, so every process and host shares them.
"""

import ipaddress

from django.conf import settings
from rest_framework import throttling


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for entry in getattr(settings, "TRUSTED_PROXIES", []):
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request) -> str:
    """REMOTE_ADDR; from trusted proxies, the right-most X-Forwarded-For entry that is not one of them."""
    address = request.META.get("REMOTE_ADDR") or ""
    if not _trusted(address):
        return address
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a trusted proxy passed on garbage: count the proxy
        address = hop
    return address


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request) -> str:
        return client_address(request)
