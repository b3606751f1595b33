"""gunicorn settings of the production profile: ``gunicorn -c python:portal.gunicorn_conf``.

Everything else (workers, bind address) stays on the command line. With
``PROMETHEUS_MULTIPROC_DIR`` set, a worker that exits has its open-requests figure dropped
(prometheus-client's multiprocess mode); its counters stay, so totals never go backwards.
"""

import os

# The request log is the portal's own (portal.core.logs, one JSON line with its id).
accesslog = None


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
