#!/usr/bin/env python
"""Django's command-line entry point for the patch tracker (a checkout's patchwork-manage)."""

from patchwork_api.cli import main

if __name__ == "__main__":
    main()
