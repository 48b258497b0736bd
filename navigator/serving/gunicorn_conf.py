"""Gunicorn settings for `make serve` (gunicorn -c navigator/serving/gunicorn_conf.py 'navigator:create_app()').

Workers are plain sync processes: a request holds a worker for a few milliseconds of CPU (search is
numpy over columns), and with no long I/O waits there is nothing for threads or greenlets to overlap.
Each worker warms up (search columns, coverage snapshot) before it accepts connections, so no visitor
pays a cold start. Workers are recycled after many requests, with jitter, to bound slow growth.
"""

import logging
import os

from navigator.config import ENV_PREFIX

# The site's own messages and the limits' (Redis unreachable, the fall-back, Redis back) beside gunicorn's,
# with the time and the worker's pid; without this only warnings reach stderr, bare. Libraries: warnings.
logging.basicConfig(level=logging.WARNING, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
                    datefmt="%Y-%m-%d %H:%M:%S %z")
for _name in ("navigator", "flask-limiter"):
    logging.getLogger(_name).setLevel(logging.INFO)

# `make serve` binds a Unix socket that only its nginx can open (GUNICORN_BIND=unix:…); HOST:PORT otherwise.
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get(ENV_PREFIX + "WORKERS", "4"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = None  # nginx in front logs requests (instance/nginx/access.log); gunicorn logs errors
errorlog = "-"
loglevel = "info"
proc_name = "navigator"


def post_worker_init(worker):
    """Warm the worker's app before its first request (the searcher, the columns, the coverage snapshot)."""
    from navigator.serving.warm import warm_up

    seconds = warm_up(worker.wsgi)
    worker.log.info("Worker %s warmed up in %.2f s", worker.pid, seconds)
