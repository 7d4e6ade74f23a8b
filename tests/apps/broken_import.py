"""An app module whose own import fails: a dependency it needs is missing."""

from __future__ import annotations

import a_dependency_that_is_not_installed  # type: ignore[import-not-found]  # noqa: F401
