"""An app module with a bug that raises while it is imported."""

from __future__ import annotations

raise RuntimeError("a bug in the application's own module")
