"""The RQ worker for TASKS_BACKEND=rq (settings.RQ's WORKER_CLASS, used by `manage.py rqworker`).

RQ forks a work horse for each job. The horse inherits what the worker has loaded, and loses
what it loads itself: without this, every delivery imports the URLconf and every view again to
build the patient's link (about a second each). The worker loads them once, before forking.
"""

from __future__ import annotations

from django.urls import get_resolver
from rq.worker import Worker as RQWorker

__all__ = ["Worker"]


class Worker(RQWorker):
    def work(self, *args, **kwargs):
        get_resolver().url_patterns  # noqa: B018  (imports the URLconf and each view)
        return super().work(*args, **kwargs)
