"""A long batch on a nearly full file system, with little memory to spare (#17): it ends with exit
2, "disk full" and a whole manifest, and a rerun once there is room completes it.

Slow (a full run renders 10,000 forms) and it needs root (it mounts a tmpfs): opt in with
``CNOPS_FULL_DISK_ROWS=10000 pytest tests/trust/test_full_disk.py`` (any number of rows)."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROWS = int(os.environ.get("CNOPS_FULL_DISK_ROWS", "0"))
HEADROOM = 300 * 2**20  # bytes of address space above what a short run needed

pytestmark = [
    pytest.mark.skipif(not ROWS, reason="slow: set CNOPS_FULL_DISK_ROWS to run it"),
    pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root"),
]


def _csv(path: Path, rows: int) -> Path:
    lines = ["nom,prenom,cin,immatriculation"]
    lines += [f"Nom{n},Prenom{n},AB{n % 999999 + 1},{100_000_000 + n}" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _peak(pid: int) -> int:
    """The largest VmPeak (bytes) of `pid` and its children."""
    peak = 0
    for task in [pid, *_children(pid)]:
        try:
            text = Path(f"/proc/{task}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmPeak:\s+(\d+) kB", text)
        peak = max(peak, int(found.group(1)) * 1024 if found else 0)
    return peak


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _batch(
    csv: Path, out: Path, limit: int | None = None
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the batch command; return its result and the peak address space seen."""

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    args = [sys.executable, "-m", "cnops_legaldocs.cli", "batch", "marketing-consent"]
    args += ["--data", str(csv), "--lang", "fr", "--jobs", "2", "-o", str(out)]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limited
    )
    peak = [0]

    def watch() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _peak(process.pid))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = process.communicate()
    watcher.join()
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr), peak[0]


def _manifest(out: Path) -> list[dict[str, str]]:
    lines = (out / ".cnops-batch" / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]  # a line cut short would raise here


def test_a_full_disk_stops_a_long_batch_cleanly_and_a_rerun_completes(tmp_path: Path) -> None:
    probe = _csv(tmp_path / "probe.csv", 20)
    result, peak = _batch(probe, tmp_path / "probe")
    assert result.returncode == 0, result.stderr
    limit = peak + HEADROOM

    csv = _csv(tmp_path / "rows.csv", ROWS)
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(out)], check=True)
    try:
        started = time.monotonic()
        full, _ = _batch(csv, out, limit)
        first = time.monotonic() - started
        assert full.returncode == 2, full.stderr[-2000:]
        assert "the disk is full" in full.stderr
        assert "stopped: the " in full.stdout and "disk is full" in full.stdout
        assert "Traceback" not in full.stderr + full.stdout
        recorded = _manifest(out)
        assert 0 < len(recorded) < ROWS
        assert all((out / entry["file"]).is_file() for entry in recorded)
        assert not list(out.glob(".*.part"))

        subprocess.run(["mount", "-o", "remount,size=2g", str(out)], check=True)
        started = time.monotonic()
        rerun, peak_rerun = _batch(csv, out, limit)
        second = time.monotonic() - started
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert len(_manifest(out)) == ROWS == len(list(out.glob("*.pdf")))
        print(
            f"\n{ROWS} rows; address-space limit {limit / 2**20:.0f} MiB (probe peak "
            f"{peak / 2**20:.0f} MiB + 300); first run stopped after {len(recorded)} rows in "
            f"{first:.1f} s; rerun {second:.1f} s, peak {peak_rerun / 2**20:.0f} MiB; "
            f"load {os.getloadavg()[0]:.1f}"
        )
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)
