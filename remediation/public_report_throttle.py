"""At most a few reports from the public per client address and hour, counted in the shared cache.

The client is whom the sign-in lock-out believes (settings.AXES_CLIENT_IP_CALLABLE): X-Forwarded-For
counts only from trusted proxies, so a client cannot make up a new address for each report. The
address is hashed: the cache never holds who reported.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

REPORTS_PER_HOUR = 5
WINDOW_SECONDS = 3600


def client_address(request) -> str:
    return import_string(settings.AXES_CLIENT_IP_CALLABLE)(request) or ""


def take_report_slot(address: str) -> bool:
    """Count one report from `address`; False once it has sent REPORTS_PER_HOUR in the current hour."""
    key = "public-report:" + hashlib.sha256(address.encode()).hexdigest()
    cache.add(key, 0, timeout=WINDOW_SECONDS)  # the hour starts with the first report
    try:
        count = cache.incr(key)
    except ValueError:  # the hour ended between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= REPORTS_PER_HOUR
