"""What the checks read off the till PC (disk, memory, CPU), behind one injected source.

The checks never call psutil for these directly: a test, a benchmark or a
busy CI box must be able to say what the machine looks like, or a check
that is right about the machine would make a test about the shop's data
fail whenever the CPU happens to be busy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import psutil


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


class MemoryUsage(NamedTuple):
    total: int
    available: int
    percent: float


def _disk_usage(path: str) -> DiskUsage:
    usage = psutil.disk_usage(path)
    return DiskUsage(usage.total, usage.used, usage.free)


def _memory() -> MemoryUsage:
    memory = psutil.virtual_memory()
    return MemoryUsage(memory.total, memory.available, memory.percent)


def _cpu_percent(interval: float) -> float:
    # A blocking sample: psutil keeps the previous sample per thread, and each
    # check runs in a fresh thread, so a non-blocking call would always say 0.
    return float(psutil.cpu_percent(interval=interval))


@dataclass(frozen=True)
class MachineProbes:
    """The machine's state as the checks see it; the default reads the real machine through psutil."""

    disk_usage: Callable[[str], DiskUsage] = _disk_usage
    memory: Callable[[], MemoryUsage] = _memory
    cpu_percent: Callable[[float], float] = _cpu_percent

    @classmethod
    def fixed(cls, *, cpu_percent: float = 5.0, memory_percent: float = 40.0, memory_total: int = 8 * 1024**3,
              disk_total: int = 500 * 1024**3, disk_free: int = 300 * 1024**3) -> MachineProbes:
        """A machine in a known state (tests, benchmarks): values as given, whatever the real box is doing."""
        available = int(memory_total * (100 - memory_percent) / 100)
        return cls(
            disk_usage=lambda _path: DiskUsage(disk_total, disk_total - disk_free, disk_free),
            memory=lambda: MemoryUsage(memory_total, available, memory_percent),
            cpu_percent=lambda _interval: cpu_percent,
        )


REAL_MACHINE = MachineProbes()
