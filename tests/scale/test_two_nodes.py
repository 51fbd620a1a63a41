"""Two web nodes and two report workers behind one PostgreSQL, one S3-protocol server and one Redis.

The processes share nothing else (tests/scale/conftest.py): not a folder,
not a temporary directory, not a port. One browser, as behind a load
balancer, is sent to either web node:

a. evidence uploaded through web A (the upload form's multipart post) is
   downloaded through web B with the same bytes, and is an object in the bucket;
b. a report requested on web B is rendered by whichever worker takes it and
   downloaded on web A (a PDF); its PDF is an object in the bucket;
c. the worker rendering a report is killed (SIGKILL to its process group,
   Chromium included); once its heartbeat is REPORT_STALE_AFTER old, the status
   polled on web A queues the report again (report_check_worker) and the other,
   still running worker renders it;
d. the sign-in throttle counts failures on both web nodes together: after
   LOGIN_FAILURE_LIMIT wrong passwords alternating between A and B, the right
   password is refused with the lock message on either;
e. no node wrote a file to its media folder or working directory: a code path
   that used a local media path (default_storage.path()) fails b and c, since
   the S3 storage has no local path, and would leave files there otherwise.

Runs on PostgreSQL only: `.ci/postgres tests/scale -n 0`.
"""

import os
import re
import signal
import time
from urllib.parse import urlsplit

import pytest

from tests.load.conftest import SUMMARY
from tests.scale.conftest import FAILURE_LIMIT, STALE_AFTER, Cluster, NodeBrowser, web_server_name

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the two-node test needs PostgreSQL (DATABASE_URL); .ci/postgres runs it",
)

POLL = 0.2  # seconds between two looks at a report's status, as the report page polls
REPORT_SECONDS = 150  # for a report to be rendered (a worker's first report starts its Chromium)
LOCKED = "Too many failed sign-ins"
# A small PDF the evidence check accepts (assessment/evidence_files.py sniffs the content, not the name).
EVIDENCE = (
    b"%PDF-1.4\n% two-node evidence " + os.urandom(16).hex().encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
)


def wait_for_report(cluster: Cluster, browser: NodeBrowser, pk: int, wanted, what: str, seconds: float) -> dict:  # type: ignore[no-untyped-def]
    """Poll the report's status JSON until wanted(status) holds; fail with the workers' logs after `seconds`."""
    deadline = time.monotonic() + seconds
    status: dict = {}
    while time.monotonic() < deadline:
        status = browser.get_json(f"/reports/{pk}/status.json")
        if wanted(status):
            return status
        if status["status"] == "failed":
            break
        time.sleep(POLL)
    logs = "\n".join(f"--- {name}:\n{cluster.nodes[name].log_tail(3000)}" for name in cluster.workers)
    ending = "it failed" if status.get("status") == "failed" else f"not within {seconds} s"
    pytest.fail(f"report {pk} never {what} ({ending}); last status {status}\n{logs}")


def request_report(browser: NodeBrowser, fields: dict[str, str]) -> int:
    page = browser.post_form("/reports/request/", {**fields, "next": "/"})
    found = re.search(r"/reports/(\d+)/$", page)
    assert found, f"the request did not lead to a report page but to {page}"
    return int(found.group(1))


def worker_of(cluster: Cluster, pk: int) -> str:
    """The name of the worker node whose process the report row names ("host:pid")."""
    row = cluster.run_world("report", str(pk))
    pid = int(row["worker"].rsplit(":", 1)[1])
    names = [name for name, process in cluster.workers.items() if process.pid == pid]
    assert names, f"report {pk} was taken by {row['worker']}, none of our workers {cluster.workers}"
    return names[0]


def test_two_web_nodes_and_two_workers_share_only_the_database_object_storage_and_redis(cluster: Cluster):
    world = cluster.world

    # d. The sign-in throttle counts the failures of both nodes together.
    guesser = cluster.browser("web-a")
    guesser.get("/accounts/login/")  # a CSRF cookie
    guesser.post_form("/i18n/setlang/", {"language": "en", "next": "/"})
    for attempt in range(FAILURE_LIMIT):
        node = ("web-a", "web-b")[attempt % 2]
        signed_in, page = guesser.at(node).try_sign_in(world["throttled"], "not-the-password")
        assert not signed_in and LOCKED not in page, f"attempt {attempt + 1} on {node} was already locked"
    for node in ("web-b", "web-a"):
        signed_in, page = guesser.at(node).try_sign_in(world["throttled"], world["password"])
        assert not signed_in, f"{node} let the user in after {FAILURE_LIMIT} failures spread over both nodes"
        assert LOCKED in page, f"{node} refused without the lock message"

    # a. Evidence uploaded through web A, downloaded through web B.
    consultant = cluster.browser("web-a")
    consultant.sign_in(world["consultant"], world["password"])
    consultant.post_form("/i18n/setlang/", {"language": "en", "next": "/"})
    form = consultant.post_file(
        f"/assessments/{world['assessment']}/responses/{world['response']}/evidence/",
        "file",
        "plan.pdf",
        EVIDENCE,
        "application/pdf",
    )
    _url, page = consultant.get(urlsplit(form).path)
    links = re.findall(r'href="/evidence/(\d+)/"', page.decode())
    assert len(links) == 1, f"expected one evidence link on {form}, found {links}"
    _url, downloaded = consultant.at("web-b").get(f"/evidence/{links[0]}/")
    assert downloaded == EVIDENCE, "web B served other bytes than were uploaded through web A"
    evidence_keys = [key for key in cluster.s3.keys() if key.startswith("evidence/")]
    assert len(evidence_keys) == 1, f"evidence objects in the bucket: {cluster.s3.keys()}"
    stored = cluster.s3.client().get_object(Bucket=cluster.s3.bucket, Key=evidence_keys[0])["Body"].read()
    assert stored == EVIDENCE

    # b. A report requested on web B, rendered by a worker, downloaded on web A.
    manager = cluster.browser("web-b")
    manager.sign_in(world["manager"], world["password"])
    manager.post_form("/i18n/setlang/", {"language": "en", "next": "/"})
    city = {
        "kind": "city",
        "city": "310000",
        "region": world["region"],
        "period": str(world["period"]),
        "language": "en",
    }
    first = request_report(manager, city)
    status = wait_for_report(
        cluster, manager.at("web-a"), first, lambda s: s["status"] == "done", "rendered", REPORT_SECONDS
    )
    _url, pdf = manager.get(status["download"])
    assert pdf.startswith(b"%PDF"), f"web A's download is not a PDF: {pdf[:40]!r}"
    first_row = cluster.run_world("report", str(first))
    assert first_row["file"] in cluster.s3.keys(), f"{first_row['file']} is not in the bucket: {cluster.s3.keys()}"
    first_worker = worker_of(cluster, first)

    # c. The worker rendering a report is killed; the other one finishes it.
    regional = {"kind": "region", "region": world["region"], "period": str(world["period"]), "language": "en"}
    second = request_report(manager.at("web-b"), regional)
    seen = wait_for_report(
        cluster, manager.at("web-a"), second, lambda s: s["status"] != "queued", "taken by a worker", REPORT_SECONDS
    )
    assert seen["status"] == "running", f"the report was not rendering when the worker was to be killed: {seen}"
    victim = worker_of(cluster, second)
    os.killpg(cluster.workers[victim].pid, signal.SIGKILL)
    assert cluster.workers[victim].wait(timeout=30) == -signal.SIGKILL
    survivor = next(name for name in cluster.workers if name != victim)
    assert cluster.workers[survivor].poll() is None, f"{survivor} stopped too:\n{cluster.nodes[survivor].log_tail()}"
    status = wait_for_report(
        cluster,
        manager.at("web-a"),
        second,
        lambda s: s["status"] == "done",
        f"finished by {survivor} after {victim} was killed",
        STALE_AFTER + REPORT_SECONDS,
    )
    second_row = cluster.run_world("report", str(second))
    assert second_row["attempts"] == 2, second_row
    assert worker_of(cluster, second) == survivor
    _url, pdf = manager.get(status["download"])
    assert pdf.startswith(b"%PDF")

    # e. Everything is in the bucket, nothing in any node's own folders.
    keys = cluster.s3.keys()
    assert sorted(keys) == sorted([*evidence_keys, first_row["file"], second_row["file"]]), keys
    for node in cluster.nodes.values():
        assert node.files() == [], f"{node.name} wrote local files: {node.files()}"

    SUMMARY.append(
        f"two nodes on postgresql: evidence A->B ok, report B->{first_worker}->A ok, "
        f"killed worker's report finished by the other ({victim} killed, {survivor} finished), "
        f"throttle locked after {FAILURE_LIMIT} failures across nodes "
        f"(web nodes on {web_server_name()}, S3 on moto_server, Redis)"
    )
