"""What runs beside the service in production, started for real on 127.0.0.1 by the benchmark and
the tests and stopped by them: nginx with the shipped configuration (rendered by ``plan-assistant
deploy nginx``), Redis, PostgreSQL (the question log of several workers), and a self-signed
certificate for TLS."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from evals.servers import ROOT, free_port, stop


def need(program: str) -> str:
    path = shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}") if os.path.exists(p)), None
    )
    if path is None:
        raise RuntimeError(f"« {program} » est introuvable : make test l'installe (paquets Debian)")
    return path


def self_signed(folder: Path, name: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate and its key for ``name`` (valid one day)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [need("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=IP:{name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def wait_port(port: int, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"rien n'écoute sur 127.0.0.1:{port} après {timeout} s")


def rendered_site(*options: str) -> str:
    """The shipped nginx site configuration, rendered by ``plan-assistant deploy nginx``."""
    done = subprocess.run(
        [sys.executable, "-m", "api", "deploy", "nginx", *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"plan-assistant deploy nginx a échoué : {done.stderr.strip()}")
    return done.stdout


class Nginx:
    """Debian's nginx, in the foreground, with the shipped site configuration inside a minimal main
    configuration (paths in ``folder``, its logs too: ``access_log`` and ``error.log``).
    ``options``: more options of ``deploy nginx`` (the benchmark raises the per-address limits to
    measure the proxy itself; the tests shorten the send timeout). Made before the service starts:
    the service must be told ``allowed_hosts``, the name and port its clients write."""

    def __init__(
        self,
        folder: Path,
        upstream_port: int,
        trusted_fronts: tuple[str, ...] = (),
        options: tuple[str, ...] = (),
    ):
        self.folder = folder
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.allowed_hosts = f"127.0.0.1:{self.port}"
        self.http_port = free_port()  # plain http, redirected to https
        self.access_log = folder / "access.log"
        cert, key = self_signed(folder)
        for sub in ("cache", "temp"):
            (folder / sub).mkdir(exist_ok=True)
            os.chmod(folder / sub, 0o777)
        argv = [
            "--server-name", "127.0.0.1", "--certificate", str(cert), "--certificate-key", str(key),
            "--upstream", f"127.0.0.1:{upstream_port}", "--listen", f"127.0.0.1:{self.port}",
            "--cache-dir", str(folder / "cache"), "--http-listen", f"127.0.0.1:{self.http_port}",
            "--access-log", str(self.access_log), "--error-log", str(folder / "error.log"), *options,
        ]  # fmt: skip
        for front in trusted_fronts:
            argv += ["--trusted-front", front]
        (folder / "site.conf").write_text(rendered_site(*argv), encoding="utf-8")
        temp = folder / "temp"
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log warn;\nworker_rlimit_nofile 16384;\n"
            "events { worker_connections 8192; }\n"
            "http {\n"
            f"    access_log off;\n    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n    include {folder}/site.conf;\n}}\n",
            encoding="utf-8",
        )
        self.exe = need("nginx")
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        return [self.exe, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), *extra]

    def check(self) -> str:
        """``nginx -t`` on the configuration: its output (raises when invalid)."""
        done = subprocess.run(self.command("-t"), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"configuration nginx refusée : {done.stderr}")
        return done.stderr

    def __enter__(self) -> Nginx:
        self.check()
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        wait_port(self.http_port)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGQUIT)  # graceful
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            self.proc = None

    def errors(self) -> str:
        log = self.folder / "error.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def logs(self) -> dict[str, str]:
        """Every log file nginx wrote in its folder (the site's and the main configuration's), by name."""
        return {
            p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(self.folder.glob("*.log"))
        }


class Redis:
    """Debian's redis-server on 127.0.0.1, nothing written to disk."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Redis:
        self.proc = subprocess.Popen(
            [need("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.port)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


#: The attackers' address in the benchmark and the tests: the limits per address tell them from
#: the citizen and the health probe on 127.0.0.1.
ATTACKER = "127.0.0.2"


@contextlib.contextmanager
def half_sent_requests(
    port: int, count: int, tls: bool, source: str = ATTACKER
) -> Iterator[list[socket.socket]]:
    """``count`` connections from ``source`` that send the start of a request and never finish it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            raw = socket.socket()
            raw.settimeout(5)
            try:
                raw.bind((source, 0))
                raw.connect(("127.0.0.1", port))
                sock = context.wrap_socket(raw, server_hostname="127.0.0.1") if tls else raw
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Lent: ")
            except OSError:
                raw.close()
                continue
            held.append(sock)
        yield held
    finally:
        for s in held:
            with contextlib.suppress(OSError):
                s.close()


PG_USER = "postgres"


def pg_program(program: str) -> str:
    """A PostgreSQL server program (Debian keeps them in /usr/lib/postgresql/VERSION/bin)."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    path = found[-1] if found else shutil.which(program)
    if path is None:
        raise RuntimeError(f"« {program} » est introuvable : make test l'installe (paquet Debian postgresql)")
    return path


class Postgres:
    """A PostgreSQL server on 127.0.0.1 for the duration of a ``with`` block; :meth:`database`
    creates an empty database and gives its URL."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its folders are private to root and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="plan-assistant-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"
        self.as_root = os.geteuid() == 0
        self.started = False
        self._made: set[str] = set()

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program (as the postgres user when we are root); raises with its output."""
        argv = ["runuser", "-u", PG_USER, "--", *command] if self.as_root else list(command)
        done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} a échoué ({done.returncode}) : {done.stderr or done.stdout}"
            )
        return done

    def __enter__(self) -> Postgres:
        try:
            if self.as_root:
                user = pwd.getpwnam(PG_USER)
                os.chown(self.root, user.pw_uid, user.pw_gid)
            os.chmod(self.root, 0o700)
            self.run(
                pg_program("initdb"), "-D", str(self.data), "-U", PG_USER, "--auth=trust", "--encoding=UTF8",
                "--locale=C", "--no-sync",
            )  # fmt: skip
            options = (
                f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            self.run(
                pg_program("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                "-w", "-t", "60", "start",
            )  # fmt: skip
            self.started = True
        except BaseException:
            self.__exit__()
            raise
        return self

    def database(self, name: str | None = None) -> str:
        """Create an empty database; its URL."""
        import psycopg

        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres", autocommit=True
        ) as c:
            c.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{name}"

    def emptied(self, name: str = "questionlog") -> str:
        """The URL of database ``name``, created on first use and emptied on the next (its schema
        dropped: faster than a new database)."""
        import psycopg

        if name not in self._made:
            self._made.add(name)
            return self.database(name)
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={name}", autocommit=True
        ) as c:
            c.execute("SET lock_timeout = '10s'")  # a connection left open by a test: fail, do not hang
            c.execute("DROP SCHEMA public CASCADE")
            c.execute("CREATE SCHEMA public")
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{name}"

    def __exit__(self, *exc: object) -> None:
        try:
            if self.started:
                self.run(pg_program("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
                self.started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def errors(self) -> str:
        log = self.root / "server.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
