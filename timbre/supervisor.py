"""Keep a few child processes running: restart any that exits, stop all on the way out.

`make run` starts the Celery worker, Celery beat and the web server under one `Supervisor`. A
process that exits is started again after a short delay (beat dying must not silently stop the
sweeper and the heartbeat); one that keeps dying (more than `max_restarts` in `window` seconds)
is a configuration problem, and the supervisor gives up so that the person sees the error.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    command: Sequence[str]


@dataclass
class _Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    exited_at: float | None = None  # time.monotonic() of the exit we have not acted on yet
    restarts: list[float] = field(default_factory=list)


class GaveUp(RuntimeError):
    """A process exited too often in a short time; everything has been stopped."""


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        *,
        env: dict[str, str],
        restart_delay: float = 1.0,
        max_restarts: int = 5,
        window: float = 60.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self._children = [_Child(spec) for spec in specs]
        self._env = env
        self._restart_delay = restart_delay
        self._max_restarts = max_restarts
        self._window = window
        self._log = log

    def start(self) -> None:
        for child in self._children:
            self._spawn(child)

    def pid(self, name: str) -> int | None:
        for child in self._children:
            if child.spec.name == name and child.process is not None:
                return child.process.pid
        return None

    def check(self) -> None:
        """Restart what has exited (after `restart_delay`); raises GaveUp after stopping all."""
        now = time.monotonic()
        for child in self._children:
            process = child.process
            if process is None or process.poll() is None:
                continue
            if child.exited_at is None:
                child.exited_at = now
                self._log(
                    f"· {child.spec.name} exited with status {process.returncode}; "
                    f"restarting in {self._restart_delay:g} s"
                )
            if now - child.exited_at < self._restart_delay:
                continue
            child.restarts = [t for t in child.restarts if now - t < self._window]
            if len(child.restarts) >= self._max_restarts:
                self.stop()
                raise GaveUp(
                    f"{child.spec.name} exited {len(child.restarts) + 1} times in "
                    f"{self._window:g} s; stopped everything"
                )
            child.restarts.append(now)
            self._spawn(child)

    def stop(self, *, grace: float = 10.0) -> None:
        running = [c.process for c in self._children if c.process and c.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if process.poll() is None:
                process.kill()
                process.wait()

    def _spawn(self, child: _Child) -> None:
        child.process = subprocess.Popen(list(child.spec.command), env=self._env)
        child.exited_at = None
