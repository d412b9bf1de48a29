"""A real hot-standby streaming replica of the local PostgreSQL, for the replica tests and the bench.

    from bench.replica import start_replica
    replica = start_replica(55433)                  # pg_basebackup -R -X stream, then a second postgres
    replica.url("mydb")                             # postgres://postgres@127.0.0.1:55433/mydb
    replica.wait_replayed(lsn, timeout=10)          # until pg_last_wal_replay_lsn() >= lsn
    replica.catch_up()                              # … >= the primary's pg_current_wal_insert_lsn()
    replica.pause_replay(); replica.resume_replay() # pg_wal_replay_pause/resume: a replica that lags
    replica.stop()

or from a shell (the directory is kept until `stop`):

    python -m bench.replica start --port 55433 --dir /tmp/replica-55433
    python -m bench.replica stop --dir /tmp/replica-55433

The primary is PRIMARY_URL (default postgres://postgres@127.0.0.1:5432/postgres): a superuser that
may open a replication connection. pg_basebackup copies the whole cluster (every database on the
server), so the copy takes as long as the cluster is big. postgres refuses to run as root: when we
are root, pg_basebackup, pg_ctl and the server run as the `postgres` OS user (runuser) and the data
directory belongs to it. No replication slot is made, so a replica that is killed leaves nothing
behind on the primary.
"""

import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_PRIMARY_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# The server settings a hot standby must have at least as large as its primary's.
STANDBY_MINIMUMS = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
                    "max_locks_per_transaction")


class ReplicaError(RuntimeError):
    """The replica could not be started; the message says why and what to do (Chinese, then English)."""


def primary_url() -> str:
    return os.environ.get("PRIMARY_URL") or DEFAULT_PRIMARY_URL


def _primary_params(url: str) -> dict:
    u = urlparse(url)
    return dict(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                password=u.password or None, dbname=(u.path or "/postgres").lstrip("/") or "postgres")


def _connect(params: dict, **extra):
    import psycopg

    return psycopg.connect(autocommit=True, connect_timeout=5, **{**params, **extra})


def pg_bin_dir(server_version_num: int) -> Path:
    """The binaries of the primary's major version (a standby must run the same major version)."""
    major = server_version_num // 10000
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "postgres").exists() and (debian / "pg_basebackup").exists():
        return debian
    found = shutil.which("pg_basebackup")
    if found and Path(found).resolve().parent.joinpath("postgres").exists():
        return Path(found).resolve().parent
    raise ReplicaError(
        f"找不到 PostgreSQL {major} 的 pg_basebackup 和 postgres 程序，无法启动只读副本"
        f"（Debian：apt-get install postgresql-{major}）。 "
        f"pg_basebackup/postgres for PostgreSQL {major} not found: cannot start a streaming replica "
        f"(Debian: apt-get install postgresql-{major})."
    )


def tools_available() -> str | None:
    """None when a replica can be started here, else the reason (for a test's skip message)."""
    if shutil.which("pg_basebackup") is None and not glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"):
        return "pg_basebackup is not installed (apt-get install postgresql-client / postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` OS user to run the replica's server as"
    return None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_quote, command))]


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(str(s))


def _run(command: list[str], timeout: float, what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise ReplicaError(f"{what} 失败 / failed ({done.returncode}): {(done.stderr or done.stdout)[-2000:]}")
    return done


def _prepare_directory(directory: Path | None) -> tuple[Path, bool]:
    """An empty directory the server user owns, reachable by it; (path, whether we made it)."""
    made = False
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="replica-"))
        made = True
    else:
        directory = Path(directory).absolute()
        if directory.exists() and any(directory.iterdir()):
            raise ReplicaError(f"目录 {directory} 不是空的 / directory {directory} is not empty")
        made = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(directory, pw.pw_uid, pw.pw_gid)
        # Every parent must let the server user through (pytest's tmp dirs are 0700 root).
        probe = subprocess.run(_as_server_user(["test", "-w", str(directory)]), capture_output=True)
        if probe.returncode != 0:
            raise ReplicaError(f"postgres 用户无法进入 {directory}（上级目录权限）/ the postgres OS user cannot reach "
                               f"{directory} (a parent directory is not traversable): pick a directory under /tmp")
    return directory, made


@dataclass
class Replica:
    port: int
    directory: Path
    bin_dir: Path
    user: str = "postgres"
    password: str | None = None
    remove_directory: bool = True
    primary: str = DEFAULT_PRIMARY_URL

    def url(self, dbname: str = "postgres") -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        return _connect(dict(host="127.0.0.1", port=self.port, user=self.user, password=self.password, dbname=dbname))

    def query(self, sql: str, params=()):
        with self.connect() as conn:
            return conn.execute(sql, params).fetchone()

    def replay_lsn(self) -> str | None:
        return self.query("SELECT pg_last_wal_replay_lsn()::text")[0]

    def wait_replayed(self, lsn: str, timeout: float = 30) -> None:
        """Until the replica has replayed the primary's WAL up to lsn (e.g. pg_current_wal_insert_lsn())."""
        deadline = time.monotonic() + timeout
        while True:
            if self.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))[0]:
                return
            if time.monotonic() > deadline:
                raise ReplicaError(f"副本在 {timeout} 秒内未回放到 {lsn} / replica did not replay up to {lsn} "
                                   f"within {timeout}s (at {self.replay_lsn()})")
            time.sleep(0.05)

    def catch_up(self, timeout: float = 30) -> None:
        """Until everything the primary has written so far is replayed here."""
        with _connect(_primary_params(self.primary)) as conn:
            # the insert position: a commit that wrote nothing else is flushed asynchronously
            lsn = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
        self.wait_replayed(lsn, timeout)

    def pause_replay(self) -> None:
        """Stop applying WAL (it still arrives): the replica lags until resume_replay()."""
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            deadline = time.monotonic() + 10
            while conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
                if time.monotonic() > deadline:
                    raise ReplicaError("副本回放未能暂停 / replay did not pause")
                time.sleep(0.02)

    def resume_replay(self) -> None:
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def running(self) -> bool:
        done = subprocess.run(_as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.directory), "status"]),
                              capture_output=True, text=True)
        return done.returncode == 0

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server and keep its files (start_server() brings it back)."""
        if self.directory.exists() and self.running():
            _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.directory), "-m", mode, "-w", "-t", "60", "stop"], 90,
                 "pg_ctl stop")

    def start_server(self, timeout: float = 60) -> None:
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.directory), "-l", str(self.directory / "server.log"),
              "-w", "-t", str(int(timeout)), "start"], timeout + 30, "pg_ctl start")

    def stop(self) -> None:
        """Stop the server and remove its data directory."""
        try:
            self.stop_server("immediate")
        finally:
            if self.remove_directory:
                shutil.rmtree(self.directory, ignore_errors=True)


def _write_standby_config(directory: Path, port: int, primary: dict) -> None:
    with _connect(primary) as conn:
        minimums = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in STANDBY_MINIMUMS}
    lines = [
        "# Written by bench/replica.py: a hot standby of the local server, on loopback only.",
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{directory}'",
        "hot_standby = on",
        # Long reads on the replica are not cancelled by replay, and the primary keeps the rows they need.
        "hot_standby_feedback = on",
        "max_standby_streaming_delay = 30s",
        "wal_receiver_status_interval = 1s",
        "shared_buffers = 32MB",
        "fsync = off",  # a disposable copy: nothing to keep across a power cut
        "logging_collector = off",
        *(f"{name} = {value}" for name, value in minimums.items()),
    ]
    (directory / "postgresql.conf").write_text("\n".join(lines) + "\n")
    # Debian keeps pg_hba.conf in /etc, so the copy has none (or the primary's): the replica is local-only.
    (directory / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (directory / "pg_ident.conf").write_text("")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            os.chown(directory / name, pw.pw_uid, pw.pw_gid)


def replication_allowed(primary: dict) -> bool:
    """Whether pg_hba.conf has a rule letting a replication connection in (pg_hba_file_rules: superuser)."""
    with _connect(primary) as conn:
        rows = conn.execute("SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)").fetchone()
    return rows[0] > 0


def start_replica(port: int, directory: str | Path | None = None, *, primary: str | None = None,
                  timeout: float = 180) -> Replica:
    """pg_basebackup -R -X stream of the primary (a postgres:// URL, default PRIMARY_URL) into
    directory (a new temp dir when None), then a hot standby on 127.0.0.1:port, streaming from
    the primary. Returns once it accepts reads."""
    reason = tools_available()
    if reason:
        raise ReplicaError(f"无法启动只读副本 / cannot start a replica: {reason}")
    primary_dsn = primary or primary_url()
    primary = _primary_params(primary_dsn)
    try:
        with _connect(primary) as conn:
            version = int(conn.execute("SHOW server_version_num").fetchone()[0])
    except Exception as exc:
        raise ReplicaError(f"连不上主库 {primary['host']}:{primary['port']} / primary unreachable: {exc}") from exc
    bin_dir = pg_bin_dir(version)
    if not replication_allowed(primary):
        raise ReplicaError(
            "主库的 pg_hba.conf 不允许复制连接：请加一行 `host replication all 127.0.0.1/32 trust` 后执行 "
            "SELECT pg_reload_conf()（.ci/run 会自动添加）。 pg_hba.conf refuses replication connections: add "
            "`host replication all 127.0.0.1/32 trust` and reload (.ci/run does this)."
        )
    directory, made = _prepare_directory(Path(directory) if directory else None)
    replica = Replica(port, directory, bin_dir, user=primary["user"], password=primary["password"],
                      remove_directory=True, primary=primary_dsn)
    try:
        env_password = ["env", f"PGPASSWORD={primary['password']}"] if primary["password"] else []
        _run([*env_password, str(bin_dir / "pg_basebackup"), "-h", primary["host"], "-p", str(primary["port"]),
              "-U", primary["user"], "-D", str(directory), "-R", "-X", "stream", "-c", "fast", "--no-sync"],
             timeout, "pg_basebackup")
        _write_standby_config(directory, port, primary)
        replica.start_server(timeout=60)
        deadline = time.monotonic() + 60
        while True:
            try:
                if replica.query("SELECT pg_is_in_recovery()")[0]:
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise ReplicaError(f"副本未能就绪 / replica did not become ready:\n{_log_tail(directory)}")
            time.sleep(0.1)
    except BaseException:
        try:
            replica.stop()
        finally:
            if not made:
                directory.mkdir(exist_ok=True)
        raise
    return replica


def _log_tail(directory: Path) -> str:
    log = directory / "server.log"
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def attach(directory: str | Path, port: int | None = None) -> Replica:
    """The Replica object for a replica started earlier (e.g. from the command line)."""
    directory = Path(directory).absolute()
    if port is None:
        for line in (directory / "postgresql.conf").read_text().splitlines():
            if line.startswith("port = "):
                port = int(line.split("=", 1)[1])
    primary = _primary_params(primary_url())
    with _connect(primary) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])
    return Replica(port, directory, pg_bin_dir(version), user=primary["user"], password=primary["password"],
                   primary=primary_url())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replica", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "pause", "resume", "status"])
    parser.add_argument("--port", type=int, default=55433)
    parser.add_argument("--dir", required=True, help="the replica's data directory (made by start, removed by stop)")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            replica = start_replica(args.port, args.dir)
            print(f"副本已启动 / replica running: {replica.url('<dbname>')} (data {replica.directory})")
        else:
            replica = attach(args.dir, None)
            if args.action == "stop":
                replica.stop()
                print("副本已停止并删除 / replica stopped and removed")
            elif args.action == "pause":
                replica.pause_replay()
                print("回放已暂停 / replay paused")
            elif args.action == "resume":
                replica.resume_replay()
                print("回放已恢复 / replay resumed")
            else:
                print(f"running={replica.running()} replay_lsn={replica.replay_lsn()}")
    except ReplicaError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
