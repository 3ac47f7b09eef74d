"""`make run`'s supervisor restarts what exits and gives up on what keeps dying."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from timbre.stack import beat_command, gunicorn_command, web_workers, worker_command
from timbre.supervisor import GaveUp, ProcessSpec, Supervisor


def test_an_exited_process_is_started_again_and_one_that_keeps_dying_stops_everything() -> None:
    lines: list[str] = []
    sleeper = ProcessSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    crasher = ProcessSpec("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor(
        [sleeper, crasher], env={}, restart_delay=0, max_restarts=3, window=600, log=lines.append
    )
    supervisor.start()
    sleeper_pid = supervisor.pid("sleeper")

    with pytest.raises(GaveUp, match="crasher exited 4 times"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            supervisor.check()
            time.sleep(0.05)

    assert lines.count("· crasher exited with status 3; restarting in 0 s") == 4
    assert supervisor.pid("sleeper") == sleeper_pid  # never restarted: it did not exit
    assert supervisor._children[0].process.poll() is not None  # but stopped with the rest


def test_make_run_runs_beat_apart_and_gunicorn_threaded() -> None:
    assert "--beat" not in worker_command(env={})
    assert beat_command(schedule=Path("celerybeat-schedule"))[3:6] == ["-A", "timbre", "beat"]
    command = gunicorn_command(host="127.0.0.1", port=8000, workers=3)
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert web_workers({"WEB_CONCURRENCY": "7"}) == 7
    assert web_workers({}) >= 2
