"""Debian's PostgreSQL, started for real on 127.0.0.1 by the tests and stopped by them: a fresh
cluster in a temporary folder (``initdb``), trust authentication on the loopback only, a Unix
socket in the same folder. PostgreSQL refuses to run as root: when the tests run as root, its
programs run as the ``postgres`` system user."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from evals.servers import free_port

USER = "postgres"


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
        self.url = f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"
        self.as_root = os.geteuid() == 0
        self.started = False
        self._made: set[str] = set()

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program (as the postgres user when we are root); raises with its output."""
        argv = ["runuser", "-u", USER, "--", *command] if self.as_root else list(command)
        done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} a échoué ({done.returncode}) : {done.stderr or done.stdout}"
            )
        return done

    def __enter__(self) -> Postgres:
        try:
            if self.as_root:
                user = pwd.getpwnam(USER)
                os.chown(self.root, user.pw_uid, user.pw_gid)
            os.chmod(self.root, 0o700)
            self.run(
                pg_program("initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "--encoding=UTF8",
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
            f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres", autocommit=True
        ) as c:
            c.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"

    def emptied(self, name: str = "questionlog") -> str:
        """The URL of database ``name``, created on first use and emptied on the next (its schema
        dropped: faster than a new database)."""
        import psycopg

        if name not in self._made:
            self._made.add(name)
            return self.database(name)
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={USER} dbname={name}", autocommit=True
        ) as c:
            c.execute("SET lock_timeout = '10s'")  # a connection left open by a test: fail, do not hang
            c.execute("DROP SCHEMA public CASCADE")
            c.execute("CREATE SCHEMA public")
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"

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
