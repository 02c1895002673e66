"""Real servers on 127.0.0.1, started and stopped by a benchmark or a test: the service
(``plan-assistant serve`` in its own process, configured by environment) and a ``chroma run``."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent


def open_files(pid: int | str = "self") -> list[str]:
    """What a process's file descriptors point to (`` (deleted)`` at the end: a removed file)."""
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return out


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"VmRSS absent de /proc/{pid}/status")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> float:
    """Wait until ``url`` answers (any status below 500); the seconds it took."""
    start = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté (code {proc.returncode}) avant de répondre à {url}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return time.monotonic() - start
        except httpx.HTTPError as e:
            last = e
        time.sleep(0.05)
    raise TimeoutError(f"{url} ne répond pas après {timeout} s ({last})")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


class Uvicorn:
    """The real service on 127.0.0.1, started as in production: ``plan-assistant serve`` (uvicorn
    with the service's connection guards), ``workers`` processes."""

    def __init__(
        self, env: dict[str, str], port: int | None = None, log_level: str = "info", workers: int = 1
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", **env}
        self.log_level = log_level
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        # Standard error goes to a file, not a pipe: a pipe nobody reads fills up after 64 KB of
        # log lines, and the server then blocks on its next one.
        self._stderr: IO[bytes] | None = None

    def start(self, ready: str = "/healthz", timeout: float = 300.0) -> float:
        """Start and wait until ``ready`` answers; the seconds from start to ready."""
        # A named file (removed by stop): an unlinked one would show among the server's open files
        # as « (deleted) », which the re-index tests look for.
        self._stderr = tempfile.NamedTemporaryFile(prefix="plan-assistant-stderr-", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                self.log_level,
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            cwd=str(ROOT),
        )
        return wait_http(self.url + ready, timeout=timeout, proc=self.proc)

    def stop(self) -> str:
        """Stop it (SIGTERM, then kill); what it wrote on standard error."""
        if self.proc is None:
            return ""
        stop(self.proc)
        self.proc = None
        err = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            err = self._stderr.read().decode(errors="replace")
            self._stderr.close()
            Path(self._stderr.name).unlink(missing_ok=True)
            self._stderr = None
        return err


@contextlib.contextmanager
def uvicorn_server(env: dict[str, str]) -> Iterator[Uvicorn]:
    server = Uvicorn(env)
    server.start(ready="/readyz")
    try:
        yield server
    finally:
        server.stop()


class ChromaServer:
    """A real ``chroma run`` on 127.0.0.1 that a test can stop and start again on the same port."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.proc: subprocess.Popen | None = None
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if exe is None:
            raise RuntimeError("la commande « chroma » est introuvable (paquet chromadb)")
        self.exe = exe

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        wait_http(f"http://{self.host}:{self.port}/api/v2/heartbeat", proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
