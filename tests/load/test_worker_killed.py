"""A report worker killed in the middle of a rendering, through real server and worker processes.

A manager asks for reports in the browser's way (form posts, the status
JSON the page polls); `manage.py db_worker` renders them and is killed with
SIGKILL (with everything it started, Chromium included) as soon as the
report says "rendering". Then:

* no partial or temporary file is left in the reports folder;
* once the worker's heartbeat is older than REPORT_STALE_AFTER (2 s here),
  the polled status no longer says "rendering": the report is queued again
  and the next `db_worker --batch` renders it;
* a report whose worker dies on every try (REPORT_MAX_ATTEMPTS = 2) is
  marked failed; the report page shows why and offers to request it again,
  and the new request is rendered.
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.load.conftest import SUMMARY, Browser, running_server

STALE_AFTER = 2  # seconds, for the processes started here
POLL = 0.1  # seconds between two looks at the status, as the page does (more often)
LOOKS = 1200  # how many looks before giving up on a state that never comes


def wait_for_state(browser: Browser, pk: int, wanted, what: str, worker: subprocess.Popen | None = None) -> dict:  # type: ignore[no-untyped-def]
    """Poll the report's status JSON, as the report page does, until wanted(status) holds."""
    status = {}
    for _look in range(LOOKS):
        status = browser.get_json(f"/reports/{pk}/status.json")
        if wanted(status):
            return status
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}; last status {status}")
        time.sleep(POLL)
    pytest.fail(f"never {what}; last status {status}")


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def kill_while_rendering(database, browser: Browser, pk: int, log: Path) -> dict:  # type: ignore[no-untyped-def]
    """Start a worker, wait until it renders report pk, SIGKILL it and its children; the status seen."""
    with log.open("a") as out:
        worker = database.manage(
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        seen = wait_for_state(browser, pk, lambda s: s["status"] != "queued", "the worker took the report", worker)
        assert seen["status"] == "running" and seen["progress"] > 0, f"killed too late: {seen}"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    return seen


def batch_worker(database, log: Path) -> None:  # type: ignore[no-untyped-def]
    with log.open("a") as out:
        done = database.manage(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=subprocess.STDOUT
        ).wait(timeout=600)
    assert done == 0, log.read_text()[-3000:]


def request_report(browser: Browser, fields: dict[str, str]) -> int:
    page = browser.post_form("/reports/request/", {**fields, "next": "/"})
    found = re.search(r"/reports/(\d+)/$", page)
    assert found, f"the request did not lead to a report page but to {page}"
    return int(found.group(1))


def test_a_killed_worker_leaves_no_partial_file_and_its_report_is_retried_or_failed_with_a_message(
    load_database, tmp_path
):
    media = tmp_path / "media"
    load_database.env.update(
        DJANGO_SETTINGS_MODULE="tests.load.settings",
        TEST_MEDIA_ROOT=str(media),
        REPORT_STALE_AFTER=str(STALE_AFTER),
        REPORT_MAX_ATTEMPTS="2",
    )
    world = load_database.world("build-reports")
    worker_log = tmp_path / "worker.log"
    with running_server(load_database, tmp_path / "server.log") as base:
        browser = Browser(base)
        browser.sign_in(world["manager"], world["password"])
        browser.post_form("/i18n/setlang/", {"language": "en", "next": "/"})

        # 1. Killed once, then retried: the next worker run renders it.
        regional = {"kind": "region", "region": world["region"], "period": str(world["period"]), "language": "en"}
        retried = request_report(browser, regional)
        assert browser.get_json(f"/reports/{retried}/status.json")["status"] == "queued"
        kill_while_rendering(load_database, browser, retried, worker_log)
        assert files_in(media) == [], "a killed worker left files behind"
        status = wait_for_state(browser, retried, lambda s: s["status"] != "running", "given up on the dead worker")
        assert status["status"] == "queued" and "rendered again" in status["message"]
        batch_worker(load_database, worker_log)
        status = browser.get_json(f"/reports/{retried}/status.json")
        assert status["status"] == "done" and status["message"] == "", status
        assert load_database.world("report", str(retried))["attempts"] == 2
        _url, pdf = browser.get(status["download"])
        assert pdf.startswith(b"%PDF")
        assert [name for name in files_in(media) if Path(name).name.startswith(".")] == []

        # 2. Killed on every try: failed, with a message and a way to ask again.
        city = {
            "kind": "city",
            "city": "310000",
            "region": world["region"],
            "period": str(world["period"]),
            "language": "en",
        }
        doomed = request_report(browser, city)
        for _attempt in range(2):
            kill_while_rendering(load_database, browser, doomed, worker_log)
            status = wait_for_state(browser, doomed, lambda s: s["status"] != "running", "given up on the dead worker")
        assert status["status"] == "failed", status
        assert "stopped while rendering this report (2 attempts)" in status["message"]
        _url, page = browser.get(f"/reports/{doomed}/")
        page = page.decode()
        assert "stopped while rendering this report (2 attempts)" in page
        again = re.search(r'<form[^>]*data-testid="report-request-again"[^>]*>', page)
        assert again and "d-none" not in again.group(0), "the page offers no way to request the report again"
        assert [name for name in files_in(media) if Path(name).name.startswith(".")] == []

        again_pk = request_report(browser, city)
        assert again_pk != doomed
        batch_worker(load_database, worker_log)
        assert browser.get_json(f"/reports/{again_pk}/status.json")["status"] == "done"
        assert browser.get_json(f"/reports/{doomed}/status.json")["status"] == "failed"
    leftovers = [name for name in files_in(media) if not name.endswith(".pdf") or Path(name).name.startswith(".")]
    assert leftovers == []
    SUMMARY.append(
        f"killed worker on {load_database.vendor}: 3 workers killed mid-render, no partial file; "
        "retried report rendered on attempt 2; report killed twice marked failed, requested again and rendered"
    )
