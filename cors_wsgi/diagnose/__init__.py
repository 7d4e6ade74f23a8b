"""What a browser makes of CORS answers: ``cors-wsgi explain`` and ``check``.

:mod:`.browser` holds the Fetch Standard's checks of the answers as pure
functions; :mod:`.audit` sends requests to a live server as a browser would
and turns the answers into steps and findings (``cors-wsgi check``).
"""

from __future__ import annotations
