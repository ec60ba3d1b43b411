"""`cnops-legaldocs serve` refuses bad input before it listens: exit 2, the file named."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnops_legaldocs.cli import main


def test_bad_branches_file_stops_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    branches = tmp_path / "agences.yaml"
    branches.write_text("schema: 1\nbranches:\n  - id: Rabat Centre\n", encoding="utf-8")
    assert main(["serve", "--port", "1", "--branches", str(branches)]) == 2
    err = capsys.readouterr().err
    assert "agences.yaml:3" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [branches]


@pytest.mark.parametrize("option", [["--queue", "-1"], ["--timeout", "0"]])
def test_bad_limits(option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "1", *option]) == 2
    assert "error:" in capsys.readouterr().err
