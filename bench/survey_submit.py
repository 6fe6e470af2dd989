"""Benchmark: the public survey submit under load, on PostgreSQL with 4 gunicorn workers.

The issue's target: "public survey submit on PostgreSQL with 4 web workers: sustained requests/s
and p50/p99 latency at 50 concurrent respondents for 60 s; at least 300 answers/s with p99 under
150 ms, and the count in the database equal to the count of accepted requests".

What it does:

1. Uses its own PostgreSQL database, ``BENCH_SURVEY_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/bench_survey``): creates it when missing, migrates it,
   and empties the survey tables before each run. Never point it at real data.
2. Creates one workspace with a CSAT survey (score 1–5 and a comment, one page: every POST is a
   complete answer that becomes an experience in the ledger).
3. Starts ``gunicorn cxloop.wsgi:application --workers 4`` (sync workers, as ``cxloop serve``),
   ``CXLOOP_ENV=local``, access log off; with Redis reachable at ``CXLOOP_REDIS_URL`` (default
   ``redis://127.0.0.1:6379/14``) the cache, and so the rate limiter, is Redis as in production.
   The rate limits stay on, raised high enough for the load (``CXLOOP_SURVEY_RATE_*``), so their
   cost is measured while they do not refuse.
4. Runs ``wrk`` (Debian's package; ``apt-get install wrk``) with 50 connections — 50 respondents
   answering as fast as the server lets them — for ``--duration`` seconds, ``--repeat`` times.
   Each request POSTs the anonymous link's form with a fresh submission id; 5% of requests repeat
   the previous one's submission id (a double click), which must not store a second answer.
   Every ``303`` (accepted) response's submission id is written down by the Lua script.
5. Prints, per run and as medians: requests/s, p50/p99 latency, accepted answers, and the
   reconciliation: every accepted submission id is in the database exactly once, and the
   database holds no answer beyond the accepted ones (beyond, at most, those still in flight when
   wrk stopped, which it reports separately). Also the CPU milliseconds per request of the gunicorn
   workers, this database's PostgreSQL backends, Redis and wrk over each run, and the requests/s
   the machine's CPUs allow at that cost: a figure the load of other jobs hardly moves.

    .venv/bin/python bench/survey_submit.py                    # 3 × 60 s
    .venv/bin/python bench/survey_submit.py --duration 10 --repeat 1   # a quick look
    .venv/bin/python bench/survey_submit.py --profile 500      # the cost of one answer

``--profile N`` runs no server and no wrk: it posts N answers in this process through
``cxloop.wsgi.application`` (as gunicorn's worker calls it, minus the HTTP parsing; the same
database, cache and settings as the server) after a warm-up, and prints what one answer costs:
CPU milliseconds of this process, of its PostgreSQL backend (read from ``/proc``, same machine)
and of the Redis server (``INFO cpu``; the whole server, so other clients' work counts too), SQL
statements, connection health checks and Redis round trips. These hardly depend on the
machine's load, unlike requests/s. ``--profile-sql`` lists one answer's statements;
``--profile-out FILE`` writes a cProfile (CPU time) of the measured posts (``python -m pstats``).

The load generator shares the machine with the server, the database and Redis, so the figures
are a floor for a machine where they are apart.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_survey"
DATABASE_URL = os.environ.get("BENCH_SURVEY_DATABASE_URL", DEFAULT_URL)
REDIS_URL = os.environ.get("CXLOOP_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_SURVEY_PORT", "8765"))

LUA = r"""
local counter = 0
local previous = nil
local out = nil
local written = 0

local function uuid4()
  local t = {}
  for i = 1, 16 do t[i] = math.random(0, 255) end
  t[7] = (t[7] % 16) + 64
  t[9] = (t[9] % 64) + 128
  return string.format(
    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
    t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8],
    t[9], t[10], t[11], t[12], t[13], t[14], t[15], t[16])
end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  out = io.open(args[1] .. "/accepted-" .. id .. ".txt", "w")
end

function request()
  local submission
  if previous ~= nil and math.random() < 0.05 then
    submission = previous          -- a double click: the same form again
  else
    submission = uuid4()
  end
  previous = submission
  local score = math.random(1, 5)
  local body = "submission=" .. submission .. "&revision=0&page=1&q_score=" .. score ..
    "&q_comment=%D0%A8%D0%B2%D0%B8%D0%B4%D0%BA%D0%BE+" .. score
  return wrk.format("POST", nil,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, body)
  if status == 303 then
    local location = headers["Location"] or ""
    local id = string.match(location, "/r/([0-9a-f%-]+)/")
    if id then
      out:write(id, "\n")
      written = written + 1
      if written % 200 == 0 then out:flush() end
    end
  end
end
"""


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # any failure means "run without Redis"
        return False
    return True


def server_env(use_redis: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "CXLOOP_DATABASE_URL": DATABASE_URL,
        "CXLOOP_ENV": "local",
        "CXLOOP_DEBUG": "false",
        "CXLOOP_LOG_LEVEL": "WARNING",
        "CXLOOP_SURVEY_RATE_PER_IP": "1000000/m",
        "CXLOOP_SURVEY_RATE_PER_SURVEY": "1000000/m",
    }
    if use_redis:
        env["CXLOOP_REDIS_URL"] = REDIS_URL
    else:
        env.pop("CXLOOP_REDIS_URL", None)
    return env


def prepare(env: dict[str, str]) -> str:
    """Migrate, empty the survey tables, create the workspace and survey; return its key."""
    subprocess.run(
        [sys.executable, "-m", "cxloop", "migrate", "--verbosity", "0"], env=env, check=True
    )
    script = """
import django; django.setup()
from django.db import connection
from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.feedback.services import create_survey_from_template
with connection.cursor() as c:
    c.execute("TRUNCATE feedback_answer, feedback_response, feedback_question, "
              "feedback_invitation, feedback_survey, experiences_experience CASCADE")
ws, _ = Workspace.objects.get_or_create(slug="bench-survey", defaults={"name": "Bench"})
with bind_workspace(ws):
    print(create_survey_from_template(ws, "csat", name="Bench CSAT").public_key)
"""
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "cxloop.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def start_server(env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cxloop.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--backlog",
            "2048",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def warm_up(key: str) -> None:
    for _ in range(40):  # every worker imports, connects and compiles its templates
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/s/{key}/").read()


def stored_submissions() -> set[str]:
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        # One snapshot for both counts: an answer committing between them is not a mismatch.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        rows = conn.execute(
            "SELECT submission_id::text FROM feedback_response WHERE status = 'completed'"
        ).fetchall()
        experiences = conn.execute("SELECT count(*) FROM experiences_experience").fetchone()[0]
    ids = {r[0] for r in rows}
    if experiences != len(rows):
        raise SystemExit(f"{len(rows)} answers but {experiences} experiences")
    return ids


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _cpu_snapshot(server_pid: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn workers, this database's PostgreSQL backends and the
    Redis server (Linux ``/proc``; empty where unreadable)."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        backends = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        ]
    redis_pids = []
    if redis_available():
        import redis

        redis_pids = [redis.Redis.from_url(REDIS_URL).info("server")["process_id"]]
    snapshot: dict[str, dict[int, float]] = {}
    for name, pids in (
        ("gunicorn", _children(server_pid)),
        ("postgres", backends),
        ("redis", redis_pids),
    ):
        snapshot[name] = {p: c for p in pids if (c := _cpu_seconds(p)) is not None}
    return snapshot


def _cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per part between two snapshots (a process that started in between counts
    whole; one that ended in between is missed, so the figure is a floor)."""
    return {
        name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())
        for name in after
    }


def run_wrk(
    key: str, duration: int, connections: int, threads: int, workdir: Path, server_pid: int
) -> dict:
    script = workdir / "submit.lua"
    script.write_text(LUA)
    for old in workdir.glob("accepted-*.txt"):
        old.unlink()
    before = stored_submissions()
    load = os.getloadavg()
    cpu_before = _cpu_snapshot(server_pid)
    wrk_before = os.times()
    output = subprocess.run(  # noqa: S603
        [  # noqa: S607 - wrk from the system's PATH
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}/s/{key}/",
            "--",
            str(workdir),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wrk_after = os.times()
    time.sleep(1)  # requests still in flight when wrk stopped finish
    cpu = _cpu_used(cpu_before, _cpu_snapshot(server_pid))
    cpu["wrk"] = (wrk_after.children_user + wrk_after.children_system) - (
        wrk_before.children_user + wrk_before.children_system
    )
    after = stored_submissions() - before
    accepted: list[str] = []
    for path in workdir.glob("accepted-*.txt"):
        accepted += path.read_text().split()
    accepted_ids = set(accepted)
    return {
        "output": output,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _latency(output, "50%"),
        "p99": _latency(output, "99%"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": _errors(output),
        "accepted": len(accepted),
        "accepted_unique": len(accepted_ids),
        "stored": len(after),
        "lost": len(accepted_ids - after),
        "beyond_accepted": len(after - accepted_ids),
        "cpu": cpu,
        "load": load,
    }


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\b", output)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _errors(output: str) -> int:
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return (int(match.group(1)) if match else 0) + (
        sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    )


def profile(key: str, env: dict[str, str], count: int, out: str | None, sql: bool = False) -> None:
    """Post ``count`` answers in-process and print the cost of one (see the module docstring)."""
    import cProfile
    import random
    import uuid

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cxloop.settings"
    import django

    django.setup()
    import io

    import redis
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from cxloop.wsgi import application

    url = f"/s/{key}/"
    statements = 0
    round_trips = 0
    health_checks = 0

    def count_sql(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    send = redis.connection.Connection.send_packed_command

    def count_redis(self, command, check_health=True):
        nonlocal round_trips
        round_trips += 1
        return send(self, command, check_health)

    redis.connection.Connection.send_packed_command = count_redis
    wrapper = type(connections["default"])
    is_usable = wrapper.is_usable

    def count_health_check(self):
        nonlocal health_checks
        health_checks += 1
        return is_usable(self)

    wrapper.is_usable = count_health_check

    def wsgi_post(body: bytes) -> tuple[str, dict[str, str], bytes]:
        """One POST through the WSGI application, as gunicorn's sync worker calls it (request
        started and finished signals, every middleware), minus parsing the HTTP."""
        environ = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": url,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(PORT),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": f"127.0.0.1:{PORT}",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        started: list = []
        result = application(environ, lambda status, headers, *_: started.append((status, headers)))
        try:
            content = b"".join(result)
        finally:
            result.close()  # request_finished: what gunicorn does after each response
        status, headers = started[0]
        return status, dict(headers), content

    def post(previous: str | None) -> str:
        submission = previous if previous and random.random() < 0.05 else str(uuid.uuid4())
        score = random.randint(1, 5)
        form = {
            "submission": submission,
            "revision": "0",
            "page": "1",
            "q_score": str(score),
            "q_comment": f"Швидко {score}",
        }
        status, headers, content = wsgi_post(urlencode(form).encode())
        if not status.startswith("303") or "/r/" not in headers.get("Location", ""):
            raise SystemExit(f"POST answered {status}: {content[:300]!r}")
        return submission

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend so far (0 when unreadable)."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def redis_cpu() -> float:
        if not env.get("CXLOOP_REDIS_URL"):
            return 0.0
        info = redis.Redis.from_url(env["CXLOOP_REDIS_URL"]).info("cpu")
        return info["used_cpu_sys"] + info["used_cpu_user"]

    random.seed(0)
    previous = None
    for _ in range(50):  # imports, connections, templates, caches
        previous = post(previous)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    statements = round_trips = health_checks = 0
    profiler = cProfile.Profile(time.process_time) if out else None  # CPU, not waits
    pg0, redis0 = backend_cpu(), redis_cpu()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count_sql):
        if profiler:
            profiler.enable()
        for _ in range(count):
            previous = post(previous)
        if profiler:
            profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    pg, redis_used = backend_cpu() - pg0, redis_cpu() - redis0
    if profiler:
        profiler.dump_stats(out)
    with CaptureQueriesContext(connection) as captured:  # BEGIN and COMMIT included
        for _ in range(20):
            previous = post(previous)
    per = 1000 / count
    print(
        f"survey submit, in-process, {count} answers (cache: "
        f"{'Redis' if env.get('CXLOOP_REDIS_URL') else 'locmem'}"
        f"{', under cProfile' if profiler else ''}):\n"
        f"  per answer: {cpu * per:.2f} ms CPU in Django, {pg * per:.2f} ms in its PostgreSQL "
        f"backend, {redis_used * per:.2f} ms in Redis (whole server); "
        f"{statements / count:.2f} SQL statements ({len(captured) / 20:.2f} with BEGIN and "
        f"COMMIT) and {health_checks / count:.2f} connection health checks, "
        f"{round_trips / count:.2f} Redis round trips; {wall * per:.2f} ms wall"
    )
    if sql:
        print("the statements of one answer:")
        for query in captured.captured_queries[-round(len(captured) / 20) :]:
            print("  " + query["sql"][:160])
    print(f"reproduce: .venv/bin/python bench/survey_submit.py --profile {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (60)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (3)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent respondents")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="post N answers in-process, print their cost"
    )
    parser.add_argument("--profile-out", metavar="FILE", help="with --profile: a cProfile dump")
    parser.add_argument(
        "--profile-sql", action="store_true", help="with --profile: print one answer's SQL"
    )
    args = parser.parse_args()
    if args.profile:
        ensure_database(DATABASE_URL)
        env = server_env(redis_available())
        profile(prepare(env), env, args.profile, args.profile_out, args.profile_sql)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    ensure_database(DATABASE_URL)
    use_redis = redis_available()
    env = server_env(use_redis)
    key = prepare(env)
    server = start_server(env)
    results = []
    try:
        warm_up(key)
        with tempfile.TemporaryDirectory() as tmp:
            for number in range(1, args.repeat + 1):
                result = run_wrk(
                    key, args.duration, args.connections, args.threads, Path(tmp), server.pid
                )
                results.append(result)
                print(
                    f"run {number}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
                    f"p99 {result['p99']:.1f} ms, {result['requests']} requests, "
                    f"{result['errors']} errors; accepted {result['accepted']} "
                    f"({result['accepted_unique']} distinct submissions), stored "
                    f"{result['stored']}, lost {result['lost']}, stored beyond accepted "
                    f"{result['beyond_accepted']} (in flight at the stop)",
                    flush=True,
                )
                per = {k: 1000 * v / max(result["requests"], 1) for k, v in result["cpu"].items()}
                total = sum(per.values())
                print(
                    f"       CPU per request {total:.2f} ms ("
                    + ", ".join(f"{k} {v:.2f}" for k, v in per.items())
                    + f"): {os.cpu_count()} CPUs give at most {1000 * os.cpu_count() / total:.0f}"
                    " req/s; load before the run " + ", ".join(f"{x:.2f}" for x in result["load"]),
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    median = {k: statistics.median(r[k] for r in results) for k in ("rps", "p50", "p99")}
    print()
    print(
        f"survey submit, PostgreSQL, 4 gunicorn workers, {args.connections} concurrent "
        f"respondents, {args.duration} s × {args.repeat}, cache: "
        f"{'Redis' if use_redis else 'locmem'}, {os.cpu_count()} CPUs shared with wrk, "
        "PostgreSQL and Redis"
    )
    print(
        f"median: {median['rps']:.0f} req/s, p50 {median['p50']:.1f} ms, "
        f"p99 {median['p99']:.1f} ms  (target ≥ 300 req/s, p99 < 150 ms)"
    )
    print(
        "nothing lost: "
        + ("yes" if all(r["lost"] == 0 for r in results) else "NO")
        + "; double clicks stored once: "
        + ("yes" if all(r["accepted_unique"] <= r["stored"] for r in results) else "NO")
    )
    print(
        f"reproduce: .venv/bin/python bench/survey_submit.py --duration {args.duration} "
        f"--repeat {args.repeat} --connections {args.connections}"
    )


if __name__ == "__main__":
    main()
