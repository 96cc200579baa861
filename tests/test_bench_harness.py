"""`qwen-agent bench`: the harness part end to end (no timing asserts), on a private Xvfb it
starts and stops (never ":0", no Xlib chatter) or on a display given with `--display`; `--quick`
with the model part; `--update-readme` writes every figure and the machine into the table."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from agent.bench_report import BEGIN, END, ROWS
from tests.helpers import EXE, REPO, run_cli
from tests.procs import matching


def test_harness_benchmark_prints_capture_and_per_step_ratio() -> None:
    proc = subprocess.Popen([EXE, "bench", "--part", "harness", "--quick"], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    number = re.search(r"desktop capture  1920x1080 on Xvfb :(\d+): median [\d.]+ ms", out)
    assert number and int(number.group(1)) >= 99, out  # ":0" is left to a real X server
    assert re.search(r"harness per step  desktop: \d+ ms = [\d.]+x capture alone", out), out
    # The device's settle wait after each action is measured too, and shown apart.
    assert re.search(r"settle wait  desktop: \d+ ms per step on top \(50 ms after each action", out), out
    assert "Xlib" not in out + err
    # The Xvfb it started is gone with its socket.
    assert not matching("Xvfb", f":{number.group(1)}") and not Path(f"/tmp/.X11-unix/X{number.group(1)}").exists()


def test_bench_measures_on_the_display_given() -> None:
    from devices.desktop import start_virtual_display

    display = start_virtual_display((1280, 720))
    try:
        proc = run_cli("bench", "--part", "harness", "--quick", "--display", display.display, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert f"desktop capture  1280x720 on display {display.display}" in proc.stdout, proc.stdout
        assert display.process.poll() is None  # someone else's display is left running
    finally:
        display.stop()


def test_quick_bench_writes_every_figure_and_the_machine_into_the_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n## Speed\n\n{BEGIN}\nold figures\n{END}\n\n## Layout\n", encoding="utf-8")
    proc = run_cli("bench", "--quick", "--update-readme", str(readme), cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    text = readme.read_text(encoding="utf-8")
    assert "old figures" not in text and text.endswith("## Layout\n")
    assert "Measured by `qwen-agent bench --quick` on " in text and " cores" in text
    for _key, label in ROWS:
        assert re.search(rf"^\| {re.escape(label)} \| [^|]*\d[^|]* \|$", text, re.M), (label, text)
    bad = run_cli("bench", "--part", "harness", "--quick", "--update-readme", str(REPO / "pyproject.toml"))
    assert bad.returncode == 2 and "markers" in bad.stderr.splitlines()[-1]
