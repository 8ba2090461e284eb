"""The production settings, plus the opt-in query counter (first, so it sees the session and auth queries too).

Only `make bench` runs with these; the middleware still does nothing unless QUERY_COUNT_HEADER=true.
"""

from connectivity.settings import *  # noqa: F403
from connectivity.settings import MIDDLEWARE

MIDDLEWARE = ["connectivity.query_count.QueryCountHeaderMiddleware", *MIDDLEWARE]
