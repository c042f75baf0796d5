"""How gunicorn serves the registry: `gunicorn -c config/gunicorn.conf.py` in `make run`, the image and compose.

Threaded workers (gthread): a request spends part of its time waiting for PostGIS, and another thread
of the same process runs meanwhile; the threads of a process also share its tile cache (a per-process
LocMemCache unless REDIS_URL is set), and a browser's connection stays open between a map's tiles. One
process per core (at least two) runs Python in parallel, past the GIL. Each thread keeps its own
persistent database connection (CONN_MAX_AGE), so the database sees up to workers × threads
connections from the web server (16 on two cores, well under PostgreSQL's default 100).
Measured with bench/load.py: on two cores, 2 processes × 8 threads served more requests per second
than 2 or 5 single-threaded (sync) workers, and used less CPU per request.
The address is given on the command line (`--bind`); the environment can change the rest.
"""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", max(2, os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A worker process silent this long is restarted; with threads a long download or upload does not count.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
keepalive = 5  # seconds an idle browser connection stays open, so a map's burst of tiles reuses it
accesslog = "-"
