"""gunicorn configuration of a checkout: the packaged one (patchwork_api/gunicorn_conf.py)."""

from patchwork_api.gunicorn_conf import *  # noqa: F403
