"""Several machines, measured (issue 22); on demand only.

    .venv/bin/python -m pytest -m benchmark tests/benchmarks/test_storage_benchmark.py -s -p no:randomly
    .ci/postgres -m benchmark tests/benchmarks/test_storage_benchmark.py -s -p no:randomly   # on PostgreSQL

1. Report rendering throughput with 1 and then 2 `db_worker` processes, side by
   side in one run: the G60 batch of 9 city reports (one language), queued
   afresh before each round, rendered by workers started together with
   ``--batch`` (each exits when the queue is empty). One report is rendered
   first and not counted, so both rounds find the rank intervals in the
   shared cache. Reports per minute = 9 / (time until the last worker exits).
2. Evidence download latency through the app (STORAGE_DOWNLOADS=stream) and by
   a presigned redirect (STORAGE_DOWNLOADS=redirect, the browser then fetches
   the object from the S3 server), for 1 MB and 20 MB files in a real moto S3
   server: the median of DOWNLOADS downloads each, from the request to the last
   byte, with a runserver process per mode on the same database and bucket.

The figures go to docs/performance.md ("Several machines"). Nothing here
asserts a time: the test checks that every report was rendered and every
download returned the stored bytes.
"""

import hashlib
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from tests.load.conftest import Browser, load_database, running_server
from tests.services import s3_server

pytestmark = [pytest.mark.benchmark]
__all__ = ["load_database"]  # the load tests' fixture: a database every process opens

BATCH_LANGUAGE = "en"
DOWNLOADS = 15  # per file and mode
SIZES_MB = (1, 20)


def _batch(load_database, workers: int, log: Path) -> tuple[float, list[str]]:
    """Queue the 9 city reports, start ``workers`` batch workers together; seconds until all exit, and who rendered."""
    queued = load_database.world("queue-city-reports", BATCH_LANGUAGE)["reports"]
    started = time.perf_counter()
    with log.open("a") as out:
        processes = [
            load_database.manage(
                "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=subprocess.STDOUT
            )
            for _worker in range(workers)
        ]
        codes = [process.wait(timeout=1800) for process in processes]
    elapsed = time.perf_counter() - started
    assert codes == [0] * workers, log.read_text()[-3000:]
    done = load_database.world("reports-done", *map(str, queued))
    assert done["statuses"] == ["done"] * len(queued), done
    return elapsed, done["workers"]


def test_report_throughput_with_one_and_two_workers(load_database, tmp_path):
    load_database.env.update(DJANGO_SETTINGS_MODULE="tests.load.settings", REPORT_USER_QUEUE_LIMIT="100")
    load_database.env["TEST_MEDIA_ROOT"] = str(tmp_path / "media")
    load_database.world("build-reports", timeout=900)
    log = tmp_path / "workers.log"
    # Warm-up, not counted: the region's rank intervals and audit land in the shared cache.
    _batch(load_database, 1, log)
    rounds = {workers: _batch(load_database, workers, log) for workers in (1, 2)}
    one, two = rounds[1][0], rounds[2][0]
    print()
    print(f"report batch on {load_database.vendor}: 9 G60 city reports ({BATCH_LANGUAGE})")
    for workers, (seconds, names) in rounds.items():
        rate = 9 * 60 / seconds
        print(f"  {workers} worker(s): {seconds:.1f} s, {rate:.1f} reports/min, rendered by {len(names)} worker(s)")
    print(f"  throughput ratio 2 workers / 1 worker: {one / two:.2f}x")
    assert len(rounds[2][1]) == 2, "the second worker rendered nothing"


def _timed_downloads(browser: Browser, path: str, expected: str) -> list[float]:
    times = []
    for _download in range(DOWNLOADS):
        started = time.perf_counter()
        _url, body = browser.get(path)
        times.append(time.perf_counter() - started)
        assert hashlib.sha256(body).hexdigest() == expected
    return times


def test_evidence_download_streamed_through_the_app_and_by_presigned_redirect(load_database, tmp_path):
    with s3_server() as s3:
        load_database.env.update(s3.env())
        world = load_database.world("build-evidence", *map(str, SIZES_MB), timeout=900)
        client = s3.client()
        # The stored bytes, to check each download against (each file's size names it).
        objects = {item: client.get_object(Bucket=s3.bucket, Key=item)["Body"].read() for item in s3.keys()}
        by_size = {len(body) // (1024 * 1024): hashlib.sha256(body).hexdigest() for body in objects.values()}
        results: dict[str, dict[str, float]] = {}
        for mode in ("stream", "redirect"):
            load_database.env["STORAGE_DOWNLOADS"] = mode
            with running_server(load_database, tmp_path / f"server-{mode}.log") as base:
                browser = Browser(base)
                browser.sign_in(world["consultant"], world["password"])
                results[mode] = {}
                for size, pk in world["evidence"].items():
                    path = f"/evidence/{pk}/"
                    _timed_downloads(browser, path, by_size[int(size)])  # warm the connection and the code path
                    results[mode][size] = statistics.median(_timed_downloads(browser, path, by_size[int(size)]))
    print()
    print(f"evidence downloads on {load_database.vendor}, moto S3, median of {DOWNLOADS}:")
    for size in world["evidence"]:
        stream, redirect = results["stream"][size] * 1000, results["redirect"][size] * 1000
        print(
            f"  {size} MB: stream {stream:.0f} ms, redirect {redirect:.0f} ms, stream/redirect {stream / redirect:.2f}x"
        )
