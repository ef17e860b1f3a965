"""Progress of a running job, in a small file beside the database.

A file, not a row: an import writes in one long transaction, and a row updated inside it would
stay invisible to the page polling for progress until the very end.
"""

import json
import os
import threading
import time

from django.conf import settings


def _path(job_id):
    folder = settings.VAR_DIR / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job_id}.json"


def write(job_id, done: int, total: int, stage: str):
    path = _path(job_id)
    # A temporary name of this writer's own: two processes writing at once (two test runs sharing var/)
    # must not rename each other's file away.
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total, "stage": stage, "at": time.time()}))
    os.replace(tmp, path)


def read(job_id) -> dict | None:
    try:
        return json.loads(_path(job_id).read_text())
    except (FileNotFoundError, ValueError):
        return None
