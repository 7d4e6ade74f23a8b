"""``cors-wsgi demo``: a page that shows, in a real browser, what the middleware does.

The demo runs three origins on 127.0.0.1 with the standard library's
``wsgiref``: the page, an API wrapped in :class:`~cors_wsgi.CORSMiddleware`,
and a second page origin the policy does not list. The page runs a battery
of cross-origin ``fetch()`` calls and shows, for each, what the browser
did, how many preflights the API received, what the middleware decided
(from its decision log) and whether that is what the policy should give.
"""

from __future__ import annotations

from .app import Demo, default_policy
from .cases import CASES, Case

__all__ = ["CASES", "Case", "Demo", "default_policy"]
