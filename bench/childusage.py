"""Run one command and write its own resource usage as JSON:
``python -m bench.childusage USAGE.json -- COMMAND [ARG...]``.

On Linux a child's ``ru_maxrss`` keeps the high-water mark of the memory it shared with
the process that forked it, until and across ``exec``: a command started straight from
the benchmark (which holds the archive's index) would be charged for the benchmark's
memory.  Started from this small launcher instead, its peak RSS is its own (plus at most
the launcher's ~10 MiB).  The command inherits stdin, stdout and stderr; the launcher
exits with the command's exit status.
"""

import json
import os
import subprocess
import sys
from pathlib import Path


def run_and_measure(command: list[str]) -> dict:
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    return {
        "returncode": os.waitstatus_to_exitcode(status),
        "peak_rss_kib": usage.ru_maxrss,
        "user_s": usage.ru_utime,
        "system_s": usage.ru_stime,
    }


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: python -m bench.childusage USAGE.json -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    usage = run_and_measure(argv[3:])
    Path(argv[1]).write_text(json.dumps(usage))
    return usage["returncode"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
