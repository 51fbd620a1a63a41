"""Two web nodes and two report workers that share only PostgreSQL, an S3-protocol server and Redis.

Each node is a process (and everything it starts) in a folder of its own:
its working directory, HOME, TMPDIR and a media folder (MEDIA_ROOT and
TEST_MEDIA_ROOT) that must stay empty, since files go to object storage.
They run the same code from the checkout (manage.py by its full path), with
the real task queue (tests.load.settings), on a PostgreSQL database of their
own (tests/load/conftest.py's load_database), moto's standalone S3 server
and Debian's redis-server (tests/services.py), all started here and stopped
at the end. The web nodes are gunicorn when it is installed (the "deploy"
extra), else `runserver --noreload` (one thread per request).
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.load.conftest import ROOT, TIMEOUT, Browser, free_port, load_database, results_in_the_report
from tests.services import S3Server, redis_server, s3_server

__all__ = ["load_database", "results_in_the_report"]  # the load tests' fixtures, used here too

STALE_AFTER = 2  # seconds without a heartbeat before a rendering report counts as abandoned
FAILURE_LIMIT = 5  # LOGIN_FAILURE_LIMIT of every node (the default, set so the test knows it)
START_SECONDS = 60  # for a web node to answer
STOP_SECONDS = 10  # for a process group to end on SIGTERM before SIGKILL


@dataclass
class Node:
    """One machine of the deployment: a folder of its own and the processes it runs."""

    name: str
    folder: Path
    log: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return self.folder / "media"

    @property
    def work(self) -> Path:
        return self.folder / "work"

    def start(self, *command: str) -> subprocess.Popen:
        """A process of this node in its own process group (so a kill takes its children, Chromium too)."""
        with self.log.open("a") as out:
            process = subprocess.Popen(  # noqa: S603 - our own programs
                list(command), cwd=self.work, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def manage(self, *args: str) -> subprocess.Popen:
        return self.start(sys.executable, str(ROOT / "manage.py"), *args)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else "(no log)"

    def files(self) -> list[str]:
        """Every file under the node's media folder and working directory: both must stay empty."""
        return sorted(
            str(path.relative_to(self.folder))
            for top in (self.media, self.work)
            for path in top.rglob("*")
            if path.is_file()
        )


def stop(process: subprocess.Popen) -> None:
    """End a process and its whole group: SIGTERM, then SIGKILL after STOP_SECONDS."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    # Children (Chromium) may outlive a leader that exited: the group goes in any case.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()


def web_command(port: int) -> list[str]:
    """gunicorn (2 workers) when installed, else runserver: the node's web server on 127.0.0.1:port."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn:
        return [
            gunicorn,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--pythonpath",
            str(ROOT),
            "--timeout",
            str(TIMEOUT),
            "config.wsgi:application",
        ]
    return [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]


def web_server_name() -> str:
    return "gunicorn" if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) else "runserver"


@dataclass
class Cluster:
    s3: S3Server
    world: dict
    web: dict[str, str]  # node name -> base URL
    workers: dict[str, subprocess.Popen]  # node name -> its db_worker
    nodes: dict[str, Node]
    base_env: dict[str, str]

    def run_world(self, *args: str) -> dict:
        """tests.scale.world in a process of its own (on the shared services); its JSON answer."""
        done = subprocess.run(  # noqa: S603 - our own module
            [sys.executable, "-m", "tests.scale.world", *args],
            cwd=ROOT,
            env=self.base_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"tests.scale.world {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def browser(self, node: str) -> "NodeBrowser":
        return NodeBrowser(self.web, node)


class NodeBrowser(Browser):
    """One browser behind the load balancer: its cookies go to whichever web node it is sent to (at())."""

    def __init__(self, web: dict[str, str], node: str) -> None:
        super().__init__(web[node])
        self.web = web

    def at(self, node: str) -> "NodeBrowser":
        self.base = self.web[node]
        return self

    def post_file(self, path: str, field_name: str, filename: str, content: bytes, content_type: str) -> str:
        """Post a file as a browser's multipart form does; the address it redirects to."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{self.base}{path}", body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        with self.opener.open(request, timeout=TIMEOUT) as reply:
            return reply.url

    def try_sign_in(self, username: str, password: str) -> tuple[bool, str]:
        """One sign-in attempt: whether it let the user in, and the page it answered with."""
        self.opener.open(f"{self.base}/accounts/login/", timeout=TIMEOUT).close()
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()})
        with self.opener.open(f"{self.base}/accounts/login/", data.encode(), timeout=TIMEOUT) as reply:
            return "/accounts/login/" not in reply.url, reply.read().decode(errors="replace")


def wait_for_web(node: Node, process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"web node {node.name} stopped at start-up:\n{node.log_tail()}")
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).close()  # noqa: S310 - our own server
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    pytest.fail(f"web node {node.name} did not answer within {START_SECONDS} s:\n{node.log_tail()}")


@pytest.fixture
def cluster(load_database, tmp_path) -> Iterator[Cluster]:
    """PostgreSQL, S3 and Redis; the world built; web nodes web-a, web-b and workers worker-1, worker-2 running."""
    if load_database.vendor != "postgresql":
        pytest.skip("the two-node test runs on PostgreSQL only (.ci/postgres tests/scale -n 0)")
    nodes: dict[str, Node] = {}
    with s3_server() as s3, redis_server() as redis:
        # Short paths: Chromium puts a Unix socket in TMPDIR, and a socket's path may not exceed 107 bytes.
        top = Path(tempfile.mkdtemp(prefix="dualspace-scale-"))
        shared = {
            **load_database.env,
            **s3.env(),
            "CACHE_URL": redis.url,
            "DJANGO_SETTINGS_MODULE": "tests.load.settings",
            "REPORT_STALE_AFTER": str(STALE_AFTER),
            "REPORT_MAX_ATTEMPTS": "3",
            "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
        }
        try:
            for name in ("world", "web-a", "web-b", "worker-1", "worker-2"):
                folder = top / name
                for part in ("home", "tmp", "media", "work"):
                    (folder / part).mkdir(parents=True)
                nodes[name] = Node(
                    name,
                    folder,
                    tmp_path / f"{name}.log",
                    {
                        **shared,
                        "HOME": str(folder / "home"),
                        "TMPDIR": str(folder / "tmp"),
                        "MEDIA_ROOT": str(folder / "media"),
                        "TEST_MEDIA_ROOT": str(folder / "media"),
                    },
                )
            cluster = Cluster(s3=s3, world={}, web={}, workers={}, nodes=nodes, base_env=nodes["world"].env)
            cluster.world = cluster.run_world("build")
            servers = {}
            for name in ("web-a", "web-b"):
                port = free_port()
                servers[name] = nodes[name].start(*web_command(port))
                cluster.web[name] = f"http://127.0.0.1:{port}"
            for name in ("worker-1", "worker-2"):
                # Long-lived workers, as in production (not --batch): they poll the queue every 0.2 s.
                cluster.workers[name] = nodes[name].manage(
                    "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"
                )
            for name, process in servers.items():
                wait_for_web(nodes[name], process, cluster.web[name])
            yield cluster
        finally:
            for node in nodes.values():
                for process in node.processes:
                    stop(process)
            shutil.rmtree(top, ignore_errors=True)
