"""Rate limits of our own, counted per client address by the one rule the site uses.

Behind a reverse proxy the connection comes from the proxy, so counting by REMOTE_ADDR
would put every visitor in one bucket. The client address is taken the way allauth takes
it for its own rate limits (the site's account adapter calls `client_ip` too):

- ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` names a header the proxy sets to the client's
  address (``X-Real-IP``, ``CF-Connecting-IP``); it wins when set;
- otherwise ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies of ours each appended the address they
  received the request from to ``X-Forwarded-For``, so the client is that many entries from
  the right; anything further left was written by the client and is not trusted;
- otherwise (no proxy, the default) the connection's address.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

IPV6_PREFIX = 64  # one household or server holds a whole /64, as allauth counts it


def _address(raw: str) -> str | None:
    raw = raw.strip()
    candidates = [raw]
    if raw.startswith("[") and "]" in raw:  # [v6]:port
        candidates.append(raw[1 : raw.index("]")])
    elif raw.count(":") == 1:  # v4:port
        candidates.append(raw.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request) -> str | None:
    """The visitor's address, or None when what the proxy sent is not an address."""
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.headers.get("X-Forwarded-For", "")
    if header:
        return _address(request.headers.get(header, ""))
    if proxies > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) < proxies:
            # Fewer hops than proxies: the request skipped one of them. The leftmost
            # entry is the best guess; allauth would refuse the request with a 500.
            logger.warning(
                "X-Forwarded-For has %s hops for %s trusted proxies",
                len(hops),
                proxies,
            )
            return _address(hops[0]) if hops else None
        return _address(hops[-proxies])
    return _address(request.META.get("REMOTE_ADDR", ""))


def _bucket(request) -> str:
    address = client_ip(request)
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return address


def rate_limited(request, scope: str, *, limit: int, window: int) -> bool:
    """Count this request; True once the client made more than `limit` in `window`
    seconds. A fixed window in the shared cache, so every worker counts together."""
    key = f"ratelimit:{scope}:{_bucket(request)}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
