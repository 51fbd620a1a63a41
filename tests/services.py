"""Real servers for the tests that need them, started from the tests: an S3-protocol server and Redis.

Nothing is mocked in-process: moto's standalone server (PyPI's moto[server])
answers the S3 HTTP API on a port of its own, as SeaweedFS, Garage or a
government cloud's object storage would, and Debian's redis-server is the
cache several machines share. Each starts on a free loopback port in a folder
of its own and is stopped (and its folder deleted) when the block ends.

    with s3_server() as s3:           # s3.env(): STORAGE_BACKEND=s3 and the S3_* variables
        ...
    with redis_server() as redis:     # redis.url: redis://127.0.0.1:port/0
        ...
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP_SECONDS = 30
# Test credentials of a throwaway server; moto accepts any.
S3_KEY_ID = "dualspace-test"
S3_SECRET = "dualspace-test-secret"  # noqa: S105 - a throwaway local server
S3_REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(process: subprocess.Popen, port: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped at start-up:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not answer on port {port} within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class S3Server:
    endpoint: str
    bucket: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment that points a DualSpace process's storage at this server."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_ACCESS_KEY_ID": S3_KEY_ID,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "S3_REGION": S3_REGION,
            "S3_ADDRESSING_STYLE": "path",
            **extra,
        }

    def client(self):  # type: ignore[no-untyped-def]
        """A boto3 client on this server, to look at the bucket from outside the app."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY_ID,
            aws_secret_access_key=S3_SECRET,
            region_name=S3_REGION,
        )

    def keys(self) -> list[str]:
        """Every object name in the bucket, sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@contextlib.contextmanager
def s3_server(bucket: str | None = None) -> Iterator[S3Server]:
    """moto's standalone S3 server in its own process, with one empty bucket."""
    folder = Path(tempfile.mkdtemp(prefix="dualspace-s3-"))
    port = free_port()
    log = folder / "moto.log"
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own venv's program
            [moto, "-H", "127.0.0.1", "-p", str(port)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
    try:
        _wait_for_port(process, port, "the S3 server (moto_server)", log)
        server = S3Server(endpoint=f"http://127.0.0.1:{port}", bucket=bucket or f"dualspace-{uuid.uuid4().hex[:8]}")
        server.client().create_bucket(Bucket=server.bucket)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class RedisServer:
    url: str


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Debian's redis-server on a loopback port, in memory only (no snapshot written)."""
    program = shutil.which("redis-server")
    if program is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `make test` installs it as root)")
    folder = Path(tempfile.mkdtemp(prefix="dualspace-redis-"))
    port = free_port()
    log = folder / "redis.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(process, port, "redis-server", log)
        yield RedisServer(url=f"redis://127.0.0.1:{port}/0")
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)
