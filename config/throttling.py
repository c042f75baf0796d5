"""The API's anonymous throttle, counting clients by an address a client cannot make up.

DRF's own throttle takes the client from X-Forwarded-For whenever the header is there, so any
client could send a new address with each request. Here the client is whom config.client_ip
believes: X-Forwarded-For counts only from the proxies in TRUSTED_PROXIES, as for the sign-in
lock-out. The counts live in the default cache: Redis when REDIS_URL is set, so every process and
host shares them.
"""

from rest_framework import throttling

from config.client_ip import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request) -> str:
        return client_ip(request) or ""
