"""The stalls benchmark's child process: ``python tests/bench/stalls_child.py --config F --root F``.

Offscreen Qt.  Builds the real Application and main window, starts a 5 ms
heartbeat QTimer on the GUI thread, runs each workload (idle, health,
download, labels, serial, then all four at once) through the app's own
TaskRunner and state objects, and prints one JSON line: each workload's
longest heartbeat gap in ms and its duration in s.  Exit 1 (reasons on
stderr) if a workload did not do its work.  Started by :mod:`tests.bench.stalls`.

``BENCH_STALL_TRACE=1``: print every gap over 25 ms (with the GUI thread's own
CPU time in it) and every garbage collection over 10 ms.  Like the real start, the child freezes the start-up
objects out of the garbage collector once the window is up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.child_app import child_parser  # noqa: E402

BUDGET_MS = 50.0
HEARTBEAT_MS = 5
CLICK_SPACING_MS = 100  # between the four starts of "all at once": a very quick person's clicks
# A scanner in continuous mode filling a 9600-baud line (10 bits a byte) with 11-byte scans.
SCAN_RATE = 9600 / 10 / len(b"PMV0000001\r")

def _scan_feeder(count: int, rate: float) -> tuple[int, threading.Thread]:
    """A TCP 'serial port' on 127.0.0.1 that sends ``count`` scans at ``rate`` per second to the first client."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def feed() -> None:
        with server:
            conn, _ = server.accept()
            with conn:
                time.sleep(0.3)  # pyserial's socket:// open() flushes what arrives before it returns
                started = time.monotonic()
                for index in range(count):
                    conn.sendall(f"PMV{index:07d}\r".encode())
                    delay = started + (index + 1) / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                time.sleep(2)  # keep the port open until the reader is cancelled

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return server.getsockname()[1], thread


def _printer_sink(received: list[bytes]) -> int:
    """A TCP listener standing in for a port-9100 label printer: each connection's bytes are one job."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with server:
            conn, _ = server.accept()
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            received.append(b"".join(chunks))

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def child_main(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer

    from tests.bench.child_app import bench_application

    runtime, _qapp, app = bench_application(args.config, args.root, minimized=False)  # _qapp: kept alive
    folder = runtime.paths.data_dir / "updates"
    window = app.build_window()
    window.resize(1280, 800)
    window.show()

    clock = QElapsedTimer()
    state: dict[str, float] = {"last": 0, "max": 0, "cpu": 0.0}

    trace = bool(os.environ.get("BENCH_STALL_TRACE"))
    if trace:  # also report slow garbage collections: they stop every thread
        import gc

        gc_started: dict[str, float] = {}

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started["at"] = time.perf_counter()
                return
            took = (time.perf_counter() - gc_started.get("at", time.perf_counter())) * 1000
            if took > 10:
                print(f"  gc gen{info['generation']} {took:.0f} ms at {clock.elapsed()} ms "
                      f"({threading.current_thread().name})", file=sys.stderr)

        gc.callbacks.append(on_gc)

    def beat() -> None:
        now = clock.elapsed()
        gap = now - state["last"]
        cpu = time.thread_time()
        if trace and gap > BUDGET_MS / 2:
            # CPU the GUI thread itself spent in the gap: the rest of the gap it waited (interpreter lock, scheduler).
            print(f"  gap {gap} ms ending at {now} ms (GUI thread cpu {(cpu - state['cpu']) * 1000:.0f} ms)",
                  file=sys.stderr)
        state["cpu"] = cpu
        state["max"] = max(state["max"], gap)
        state["last"] = now

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)

    def wait_until(condition: Callable[[], bool], timeout_s: float = 300) -> None:
        loop = QEventLoop()
        poll = QTimer()
        deadline = time.monotonic() + timeout_s

        def check() -> None:
            if condition() or time.monotonic() > deadline:
                loop.quit()

        poll.timeout.connect(check)
        poll.start(20)
        loop.exec()
        poll.stop()
        if not condition():
            raise RuntimeError("timed out waiting for a workload")

    def measure(start: Callable[[Callable[[], None]], None], parts: int = 1) -> tuple[float, float]:
        """Start the workload(s); the heartbeat's longest gap (ms) until all call done, and the seconds taken."""
        finished = {"count": 0}

        def done(*_args: object) -> None:
            finished["count"] += 1

        clock.start()
        state["last"], state["max"], state["cpu"] = 0, 0, time.thread_time()
        heartbeat.start()
        start(done)
        wait_until(lambda: finished["count"] >= parts)
        heartbeat.stop()
        return float(state["max"]), clock.elapsed() / 1000

    errors: list[str] = []
    printed: list[bytes] = []  # each job the stand-in printer received
    runs: list[int] = []  # the tags of each run started
    hooks: list[tuple[object, Callable[..., None]]] = []

    def hook(signal, slot: Callable[..., None]) -> None:  # type: ignore[no-untyped-def]
        signal.connect(slot)
        hooks.append((signal, slot))

    def fail(what: str) -> Callable[[object], None]:
        return lambda exc: errors.append(f"{what}: {exc!r}")

    # -- the workloads ------------------------------------------------------------
    def idle(done: Callable[[], None]) -> None:
        QTimer.singleShot(2000, done)

    def health(done: Callable[[], None]) -> None:
        window.show_page("checks")
        hook(app.health.finished, done)
        hook(app.health.failed, done)
        hook(app.health.failed, fail("health"))
        app.health.run_now(title="Kiểm tra")

    def forget_download() -> None:
        # Bench set-up, before the heartbeat runs: deleting the last run's 50 MB file is not the app's work.
        shutil.rmtree(folder / "app", ignore_errors=True)
        shutil.rmtree(folder / "downloads", ignore_errors=True)

    def download(done: Callable[[], None]) -> None:
        def ran(run: object) -> None:
            target = getattr(run, "app_update", None)
            if target is None:
                errors.append(f"download: no app update downloaded ({getattr(run, 'error', None)!r})")
            elif (folder / "app" / target.filename).stat().st_size != target.length:
                errors.append("download: the app update on disk has the wrong size")
            done()

        hook(app.updates.ran, ran)
        hook(app.updates.failed, fail("download"))
        hook(app.updates.failed, done)
        app.updates.run_now(title="Cập nhật")

    def labels(done: Callable[[], None]) -> None:
        # The printer tab's "In loạt tem", as a click would start it: a run of numbered tags rendered and
        # verified in its worker process, then sent as one job to a real TCP listener standing in for a printer.
        window.show_page("devices")
        tab = window.devices_page.printer
        port = _printer_sink(printed)
        tab.language.setCurrentIndex(tab.language.findData("zpl"))
        tab.target.setText(f"tcp://127.0.0.1:{port}")
        tab.run_count.setValue(args.tags)
        tab.print_run()
        task = next(task for task in app.runner.active() if task.title.endswith(f"{args.tags} tem…"))

        runs.append(args.tags)

        def finished() -> None:
            if f"{args.tags} tem" not in tab.message.text():
                errors.append(f"labels: the run was not sent ({tab.message.text()!r})")
            done()

        task.finished.connect(finished)

    def serial(done: Callable[[], None]) -> None:
        window.show_page("devices")
        scanner = window.devices_page.scanner
        scanner.log.setRowCount(0)
        port, feeder = _scan_feeder(args.scans, args.rate)
        scanner.port.setCurrentIndex(-1)
        scanner.port.setEditText(f"socket://127.0.0.1:{port}")
        scanner.toggle_serial()
        reader = scanner._reader
        deadline = time.monotonic() + args.scans / args.rate + 120

        def check() -> None:
            if scanner.log.rowCount() >= args.scans or time.monotonic() > deadline:
                if scanner.log.rowCount() < args.scans:
                    seen = {scanner.log.item(row, 2).text() for row in range(scanner.log.rowCount())}
                    missing = [i for i in range(args.scans) if f"PMV{i:07d}" not in seen][:5]
                    errors.append(f"serial: {scanner.log.rowCount()} of {args.scans} scans arrived "
                                  f"(missing {missing}; status: {scanner.status.text()!r})")
                poll.stop()
                if reader is not None and not reader.done:
                    reader.finished.connect(done)
                    reader.cancel()
                else:
                    done()

        poll = QTimer(window)
        poll.timeout.connect(check)
        poll.start(50)
        del feeder

    def everything(done: Callable[[], None]) -> None:
        # Each started from its own event CLICK_SPACING_MS apart, as a (very quick) person's clicks would be:
        # the measurement is of the four running together, not of four handlers run back to back in one
        # event-loop pass (zero-delay timers all fall due together, which no clicking can do).
        def timed(start: Callable[[Callable[[], None]], None]) -> None:
            began = time.perf_counter()
            start(done)
            if trace:
                print(f"  starting {start.__name__} took {(time.perf_counter() - began) * 1000:.0f} ms "
                      f"(GUI thread) at {clock.elapsed()} ms", file=sys.stderr)

        for index, start in enumerate((health, download, labels, serial)):
            QTimer.singleShot(index * CLICK_SPACING_MS, lambda start=start: timed(start))

    wait_until(lambda: not app.runner.is_busy(), 60)  # the window's own first loads
    # The devices page is built on its first visit (LazyPage, ~100 ms of imports and widgets): a page
    # opening, not part of a scan stream, so it is built before the heartbeat is watched.
    window.devices_page  # noqa: B018
    from app.infra.memory import freeze_startup_objects

    freeze_startup_objects()  # as app.ui.application._run does before the event loop
    if trace:
        import gc

        print(f"  heap: {len(gc.get_objects()):,} tracked objects, {gc.get_freeze_count():,} frozen", file=sys.stderr)
    results: dict[str, float] = {}
    for name, start, parts in (("idle", idle, 1), ("health", health, 1), ("download", download, 1),
                               ("labels", labels, 1), ("serial", serial, 1), ("all", everything, 4)):
        if args.workloads and name not in args.workloads.split(","):
            continue
        if trace:
            print(f"{name}:", file=sys.stderr)
        if name in ("download", "all"):
            forget_download()
        gap, seconds = measure(start, parts)
        wait_until(lambda: not app.runner.is_busy(), 60)
        while hooks:
            signal, slot = hooks.pop()
            signal.disconnect(slot)  # type: ignore[attr-defined]
        results[name], results[f"{name}_s"] = gap, seconds
    wait_until(lambda: len(printed) >= len(runs), 10)
    if [job.count(b"^XA") for job in printed] != runs:
        errors.append(f"labels: the printer received {[job.count(b'^XA') for job in printed]} tags, not {runs}")
    app.shutdown()
    runtime.close()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(json.dumps(results))
    return 0


def main() -> int:
    parser = child_parser(__doc__)
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=SCAN_RATE, help="scans per second")
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--workloads", help="comma list (idle,health,download,labels,serial,all); default all")
    return child_main(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
