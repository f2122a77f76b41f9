"""Interleaved A/B of the DRF path and the compiled read path in one process.

``DATABASE_URL=<the benchmark's database> SECRET_KEY=x .venv/bin/python -m
bench.fastread_ab [endpoint...]``: for each endpoint, requests alternate between DRF
(``FAST_READS = False``) and the compiled path through Django's test client; the CPU
time (``process_time``) and wall time of each are recorded, so that the load of a
shared machine hits both alike. ``N`` (30) requests of each per endpoint.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchwork_api.settings")
import django

django.setup()
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

import patchwork_api.wsgi  # noqa: E402, F401 - compiles the plans, as gunicorn does
from covers.models import Cover  # noqa: E402
from patches.models import Patch  # noqa: E402
from series.models import Series  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
c = Client()
proj = Patch.objects.values_list("project__linkname", flat=True).first()
pid = Patch.objects.filter(series__isnull=False).order_by("-id").values_list("id", flat=True)[50]
sid = Series.objects.filter(total__gte=5).order_by("-id").values_list("id", flat=True)[5]
cid = Cover.objects.order_by("-id").values_list("id", flat=True)[3]
paths = {
    "patch-list": f"/api/1.2/patches/?project={proj}&state=new&archived=false",
    "patch-list-p5": f"/api/1.2/patches/?project={proj}&page=5",
    "patch-detail": f"/api/1.2/patches/{pid}/",
    "events-since": "/api/1.1/events/?category=series-completed&since=2000-01-01",
    "events-1.4": "/api/events/",
    "series-list": f"/api/1.2/series/?project={proj}",
    "series-detail": f"/api/1.2/series/{sid}/",
    "cover-list": f"/api/1.2/covers/?project={proj}",
    "cover-detail": f"/api/1.2/covers/{cid}/",
    "checks-list": f"/api/1.2/patches/{pid}/checks/",
    "comments-list": f"/api/1.2/patches/{pid}/comments/",
}
N = int(os.environ.get("N", "30"))
print(
    "| endpoint | DRF CPU p50 ms | fast CPU p50 ms | ratio | DRF wall p50 ms | fast wall p50 ms |"
)
print("|---|--:|--:|--:|--:|--:|")
for name in sys.argv[1:] or paths:
    p = paths[name]
    res = {False: ([], []), True: ([], [])}
    for fast in (False, True):
        settings.FAST_READS = fast
        r = c.get(p)
        assert r.status_code == 200, (p, r.status_code)
    for _ in range(N):
        for fast in (False, True):
            settings.FAST_READS = fast
            t, w = time.process_time(), time.perf_counter()
            c.get(p)
            res[fast][0].append((time.process_time() - t) * 1000)
            res[fast][1].append((time.perf_counter() - w) * 1000)
    d, f = statistics.median(res[False][0]), statistics.median(res[True][0])
    drf_wall, fast_wall = statistics.median(res[False][1]), statistics.median(res[True][1])
    print(f"| {name} | {d:.2f} | {f:.2f} | {d / f:.1f}x | {drf_wall:.2f} | {fast_wall:.2f} |")
print("load average", os.getloadavg())
