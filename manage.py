#!/usr/bin/env python
"""Django's command-line entry point for the patch tracker."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["parsemail"]:
        # A running ingestd stores the mail without this process loading Django.
        from ingest.relay import relay_parsemail

        status = relay_parsemail(sys.argv[2:])
        if status is not None:
            sys.exit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchwork_api.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
