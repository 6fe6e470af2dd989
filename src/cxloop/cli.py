"""The ``cxloop`` console command: a thin front door to Django's management commands.

``cxloop serve``, ``cxloop demo``, ``cxloop worker``, ``cxloop migrate``, ``cxloop createworkspace``
and ``cxloop createuser`` are management commands like any other, so ``cxloop help`` lists them all
and ``cxloop check --deploy`` works as ``manage.py`` would.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "cxloop"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
