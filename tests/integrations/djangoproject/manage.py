"""Django's command-line utility for the small test project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # The project's modules are named from the root of the checkout.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "tests.integrations.djangoproject.settings"
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
