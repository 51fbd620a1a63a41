"""Load and fault tests: real server and worker processes on a database of their own.

Whichever database the suite runs on (SQLite by default, PostgreSQL when
DATABASE_URL is set, as `.ci/postgres` does) these tests build a separate
database of the same kind that every process can open: a SQLite file in a
temporary folder, or a PostgreSQL database created next to the suite's and
dropped afterwards. Their one-line results are printed at the end of the run,
with or without -s, so the CI log shows them.
"""

import contextlib
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from config.services import release_fingerprint
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
SUMMARY: list[str] = []
TIMEOUT = 60


@pytest.fixture(autouse=True)
def results_in_the_report(record_property) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A test's SUMMARY lines travel in its report, so tests/conftest.py prints them even from an xdist worker."""
    first = len(SUMMARY)
    yield
    for line in SUMMARY[first:]:
        record_property("load result", line)  # the name tests/conftest.py collects


@dataclass
class Database:
    vendor: str
    env: dict[str, str]

    def world(self, *args: str, timeout: float = 300) -> dict:
        """Run tests.load.world in its own process on this database; its JSON answer."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.load.world", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"tests.load.world {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def manage(self, *args: str, **popen) -> subprocess.Popen:  # type: ignore[no-untyped-def]
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, **popen)


def _child_env(**changes: str | None) -> dict[str, str]:
    # runserver serves each request in a new thread: persistent connections would pile up (settings.base).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_CONN_MAX_AGE": "0",
        # One release for every process of a test, even if a file of the checkout is edited meanwhile.
        "CACHE_RELEASE": os.environ.get("CACHE_RELEASE") or release_fingerprint(),
    }
    # The browser tests' session switch must not reach real server and worker processes.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.fixture
def load_database(tmp_path) -> Iterator[Database]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield Database("sqlite", _child_env(SQLITE_PATH=str(tmp_path / "load.sqlite3"), DATABASE_URL=None))
        return
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail(f"the load tests run on SQLite or PostgreSQL, not {urlsplit(url).scheme}")
    import dj_database_url
    import psycopg

    params = dj_database_url.parse(url)
    name = f"dualspace_load_{uuid.uuid4().hex[:12]}"
    connect = {
        "dbname": params["NAME"],
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
    }
    with psycopg.connect(**connect, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield Database("postgresql", _child_env(DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}"))))
    finally:
        with psycopg.connect(**connect, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_server(database: Database, log: Path) -> Iterator[str]:
    """`manage.py runserver` (one thread per request) on the load database; its base URL."""
    port = free_port()
    with log.open("w") as out:
        server = database.manage(
            "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks", stdout=out, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _attempt in range(600):
                if server.poll() is not None:
                    pytest.fail(f"the server stopped at start-up:\n{log.read_text()[-4000:]}")
                try:
                    urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).close()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"the server did not answer:\n{log.read_text()[-4000:]}")
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Browser:
    """A signed-in session: cookies, and the CSRF token the pages hand out."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def sign_in(self, username: str, password: str) -> None:
        self.opener.open(f"{self.base}/accounts/login/", timeout=TIMEOUT).close()
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()})
        with self.opener.open(f"{self.base}/accounts/login/", data.encode(), timeout=TIMEOUT) as reply:
            assert "/accounts/login/" not in reply.url, f"{username} could not sign in"

    def get(self, path: str) -> tuple[str, bytes]:
        """The final address (after redirects) and the body of a page."""
        with self.opener.open(f"{self.base}{path}", timeout=TIMEOUT) as reply:
            return reply.url, reply.read()

    def post_form(self, path: str, fields: dict[str, str]) -> str:
        """Post a form as a page does; the address it redirects to."""
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        with self.opener.open(f"{self.base}{path}", body, timeout=TIMEOUT) as reply:
            return reply.url

    def get_json(self, path: str) -> dict:
        request = urllib.request.Request(f"{self.base}{path}", headers={"Accept": "application/json"})
        with self.opener.open(request, timeout=TIMEOUT) as reply:
            return json.loads(reply.read())

    def post_json(self, path: str, fields: dict[str, str]) -> tuple[int, dict]:
        """Post as the autosave script does; the status and the JSON answer, refusals included."""
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(
            f"{self.base}{path}", body, headers={"Accept": "application/json", "X-Requested-With": "fetch"}
        )
        try:
            with self.opener.open(request, timeout=TIMEOUT) as reply:
                return reply.status, json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as refused:
            text = refused.read()
            try:
                return refused.code, json.loads(text)
            except ValueError:
                return refused.code, {"body": text[:300].decode(errors="replace")}
