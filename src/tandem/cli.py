"""The ``tandem`` command: run the server, generate demo data, match from CSV, manage.

``tandem match`` stays free of Django so it works on plain CSV files anywhere.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tandem.cli_options import foreseen_problem, port_number, seconds, whole_number, workers_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEMO_PEOPLE = 200
DEMO_SEED = 7
WORKER_STOP_SECONDS = 10

CANNOT_WRITE = "tandem demo: cannot write to {path}: {reason}"
NOT_A_FOLDER = "a file is in the way of the folder"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()


def var_dir() -> Path:
    """Where Tandem keeps local state; the same rule as ``settings.VAR_DIR``."""
    return Path(os.environ.get("TANDEM_VAR_DIR", Path.cwd() / "var"))


def ensure_demo_secret_key() -> None:
    """The local demo needs no configuration: without SECRET_KEY in the environment, use the
    random key kept in var/secret_key (created once, readable by its owner only)."""
    if os.environ.get("SECRET_KEY"):
        return
    path = var_dir() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    os.environ["SECRET_KEY"] = path.read_text().strip()


def refuse_without_secret_key() -> bool:
    """True (after saying why on stderr) when serving must not start."""
    from django.core.exceptions import ImproperlyConfigured

    from tandem.core.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        print(f"tandem: {error}", file=sys.stderr)
        return True
    return False


def ensure_sqlite_folder() -> None:
    """SQLite cannot create the folder its file lives in; make it before any command runs."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def prepare_database(verbosity: int = 0) -> None:
    """Migrate and create the cache table; safe to repeat."""
    from django.core.management import call_command

    ensure_sqlite_folder()
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


def seed_quietly(*, people: int, seed: int):
    """Seed the demo without its emails: the requests and acceptances it makes would otherwise
    print a screenful of mail (the console backend) above the logins a newcomer needs."""
    from django.conf import settings

    from tandem.demo.seed import seed_demo

    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        return seed_demo(people=people, seed=seed)
    finally:
        settings.EMAIL_BACKEND = backend


def print_logins(logins) -> None:
    print("\nDemo logins (password for all: {}):".format(logins[0].password if logins else "-"))
    for login in logins:
        print(f"  {login.role:<20} {login.email}")


def command_run(args: argparse.Namespace) -> int:
    """Everything a laptop needs in one process tree: migrate, seed, worker, ASGI server."""
    ensure_demo_secret_key()  # before settings load; the worker inherits it
    listening = links_point_here(args.host, args.port)
    setup_django()
    print("Preparing the database…")
    prepare_database()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.no_demo:
        print_logins(seed_quietly(people=args.demo_people, seed=DEMO_SEED))
    exit_on_sigterm()
    worker = None if args.no_worker else start_worker()
    try:
        print(f"\nTandem is serving on {listening}  (Ctrl+C to stop)\n", flush=True)
        serve(args.host, args.port, workers=1)
    finally:
        if worker is not None:
            stop_worker(worker)
    return 0


def links_point_here(host: str, port: int) -> str:
    """Links in emails, .ics files and calendar feeds point where this server listens, unless
    the operator said where (``SITE_URL``, behind a proxy): set before the settings load, and
    inherited by the server's workers and a task worker started from here. Returns where it
    listens."""
    listening = site_url_for(host, port)
    os.environ["SITE_URL"] = os.environ.get("SITE_URL") or listening
    return listening


def site_url_for(host: str, port: int) -> str:
    """The address of a server listening on ``host``:``port``, as a browser on this machine
    reaches it (a wildcard address is reached at the loopback; set ``SITE_URL`` for others)."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - compared, not bound
        host = DEFAULT_HOST
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def exit_on_sigterm() -> None:
    """From here SIGTERM ends ``tandem run`` as Ctrl+C does: through its ``finally``, which
    stops the worker. uvicorn catches the signal while serving and then raises it again; with
    Python's default action the process would die on the spot and leave its worker without a
    parent. Set only now: raised during the migrations, the exit could land in a finaliser,
    where Python ignores it (and before the worker the default action leaves nothing behind)."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)


def stop_worker(worker: subprocess.Popen) -> None:
    """Ask the worker to finish its task and stop; kill it if it does not within
    ``WORKER_STOP_SECONDS``."""
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "tandem.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        lifespan="off",
        # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 (any local process).
        # Tandem reads the header itself, only from TANDEM_TRUSTED_PROXIES (people.ratelimit).
        proxy_headers=False,
        ws_max_size=64 * 1024,  # the socket only pushes (web.consumers); 16 MiB by default
    )


def start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tandem.cli", "worker"])


def command_serve(args: argparse.Namespace) -> int:
    """Production serving: no demo, no embedded worker, several ASGI workers."""
    links_point_here(args.host, args.port)
    setup_django()
    if refuse_without_secret_key() or (workers := workers_for(args.workers)) is None:
        return 2
    serve(args.host, args.port, workers=workers)
    return 0


def command_worker(args: argparse.Namespace) -> int:
    """Run queued background tasks and the periodic jobs (reminders, expiry, digests)."""
    setup_django()
    if refuse_without_secret_key():  # it signs the links in the emails it sends
        return 2
    from django.core.management import call_command

    stop = threading.Event()
    ticker = threading.Thread(target=tick_forever, args=(args.tick_seconds, stop), daemon=True)
    ticker.start()
    try:
        call_command("db_worker", interval=1)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    return 0


def tick_forever(seconds: float, stop: threading.Event) -> None:
    """Run the periodic jobs every ``seconds`` until ``stop``, each tick on a sound connection.

    Nothing else looks after this thread's database connection (a request's is checked as it
    starts and ends): one dropped by the server (a restart, a failover, an idle timeout) failed
    every job of every later tick, and reminders, digests and message emails stopped for good
    (a deployment's live check). Each tick drops an unusable one first and gives its connection
    back after (to the pool, on PostgreSQL) instead of holding it between ticks."""
    from django.core.management import call_command
    from django.db import close_old_connections, connections

    while not stop.wait(seconds):
        close_old_connections()
        try:
            call_command("tandem_tick", verbosity=0)  # errors are logged, counts are noise
        except Exception:  # noqa: BLE001 - a failed tick must not end the ticking
            logging.getLogger(__name__).exception("The periodic tick failed")
        finally:
            connections.close_all()


def command_demo(args: argparse.Namespace) -> int:
    if args.csv:
        from tandem.demo.matching_csv import write_demo_csv

        try:
            paths = write_demo_csv(args.csv, people=args.people, seed=args.seed)
        except OSError as error:  # a folder that is a file, or one we may not write to
            file_in_the_way = isinstance(error, FileExistsError | NotADirectoryError)
            reason = NOT_A_FOLDER if file_in_the_way else error.strerror or str(error)
            print(
                CANNOT_WRITE.format(path=error.filename or args.csv, reason=reason), file=sys.stderr
            )
            return 1
        for path in paths:
            print(f"wrote {path}")
        return 0
    setup_django()
    prepare_database()
    print_logins(seed_quietly(people=args.people, seed=args.seed))
    return 0


def command_manage(args: argparse.Namespace) -> int:
    setup_django()
    ensure_sqlite_folder()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem manage", *args.rest])
    return 0


def command_match(args: argparse.Namespace) -> int:
    from tandem.matching.command import main as match_main

    return match_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    port_help = "port to listen on (default: %(default)s)"
    run = commands.add_parser(
        "run",
        help="migrate, seed the demo, and serve on one machine",
        description="Migrate, load the demo (once), start a task worker and serve.",
    )
    run.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)"
    )
    run.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=port_help)
    run.add_argument("--no-demo", action="store_true", help="do not load the demo program")
    run.add_argument(
        "--demo-people",
        type=whole_number(0),
        default=DEMO_PEOPLE,
        metavar="N",
        help="people in the generated demo program (default: %(default)s)",
    )
    run.add_argument("--no-worker", action="store_true", help="do not start the task worker")
    run.set_defaults(handler=command_run)

    serve_parser = commands.add_parser(
        "serve",
        help="serve HTTP and websockets (production)",
        description="Serve HTTP and websockets; needs SECRET_KEY. Run `tandem worker` beside it.",
    )
    serve_parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - a server's job
        help="address to listen on (default: %(default)s)",
    )
    serve_parser.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=port_help)
    serve_parser.add_argument(
        "--workers",
        type=whole_number(1),
        metavar="N",
        help="server processes (default: 2; 1 without REDIS_URL, which more than 1 needs)",
    )
    serve_parser.set_defaults(handler=command_serve)

    worker = commands.add_parser(
        "worker",
        help="run background tasks and periodic jobs",
        description="Run queued background tasks and the periodic jobs (reminders, expiries, "
        "digests); needs SECRET_KEY.",
    )
    worker.add_argument(
        "--tick-seconds",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="how often the periodic jobs run (default: %(default)s)",
    )
    worker.set_defaults(handler=command_worker)

    demo = commands.add_parser(
        "demo",
        help="generate a realistic demo program",
        description="Load a generated demo program into the database, or write it as CSV.",
    )
    demo.add_argument(
        "--people",
        type=whole_number(0),
        default=DEMO_PEOPLE,
        metavar="N",
        help="people to generate (default: %(default)s)",
    )
    demo.add_argument(
        "--seed", type=int, default=DEMO_SEED, help="random seed (default: %(default)s)"
    )
    demo.add_argument(
        "--csv",
        metavar="DIR",
        help="write mentees.csv and mentors.csv to DIR instead of loading into the database",
    )
    demo.set_defaults(handler=command_demo)

    match = commands.add_parser(
        "match", help="match mentees to mentors from CSV files", add_help=False
    )
    match.add_argument("rest", nargs=argparse.REMAINDER)
    match.set_defaults(handler=command_match)

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=command_manage)
    return parser


PASSTHROUGH = {"match": command_match, "manage": command_manage}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Sub-commands that own their options get every argument untouched (argparse's REMAINDER
    # would swallow options such as --mentees as its own).
    try:
        if argv and argv[0] in PASSTHROUGH:
            return PASSTHROUGH[argv[0]](argparse.Namespace(rest=argv[1:]))
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except Exception as error:
        if (problem := foreseen_problem(error)) is None:
            raise
        print(f"tandem: {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
