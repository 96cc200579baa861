"""What every test shares: the markers, one rule for a missing system tool, and the fixtures that
start real parts (an Xvfb display, a runs folder, the tiny Qwen3-VL).

Markers (`pytest -m "not slow"` is the inner loop, about a minute):
    slow     takes more than a few seconds (model runs, OCR, subprocess batteries, Ray)
    x11      needs a real X display (Xvfb)
    adb      talks to the FAKE adb server or the real adb binary
    model    runs the real transformers code on the tiny random Qwen3-VL
    browser  drives headless Chromium
They are set here from what a test uses (its fixtures, its module), so a test file carries no
marker boilerplate; a module can still add `pytestmark`.

Missing system tools: locally a test that needs one skips with the command that installs it; under
CI (`CI=true`, as `.ci/run` sets) nothing may skip — a skip fails the run, because CI installs
everything the suite needs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

MARKERS = {
    "slow": "takes more than a few seconds (deselect with -m 'not slow')",
    "x11": "needs a real X display (Xvfb)",
    "adb": "talks to the FAKE adb server or the real adb binary",
    "model": "runs the real transformers code on the tiny random Qwen3-VL",
    "browser": "drives headless Chromium",
    "train": "the full train-then-evaluate run (tens of minutes of CPU); left out of tests/run_all.sh "
             "unless asked for: pytest -m train",
}

# What a test uses decides its markers.
_FIXTURE_MARKS = {
    "display": "x11", "desktop": "x11", "app": "x11", "xvfb": "x11",
    "server": "adb", "phone": "adb", "maps_phone": "adb", "adb_server": "adb",
    "tiny": "model", "tiny_model": "model", "model": "model",
}
_MODULE_MARKS = {
    "x11": ("test_desktop", "test_desktop_fast", "test_overlay", "test_record_desktop", "test_listing",
            "test_doctor", "test_bench_harness", "test_expect", "test_signals"),
    "adb": ("test_android", "test_android_ime", "test_android_labels", "test_android_real_adb",
            "test_android_round_trips", "test_android_sim", "test_android_truth", "test_loop_android",
            "test_record_android", "test_record_android_panels", "test_doctor_adb"),
    "model": ("test_backend_transformers", "test_backend_e2e", "test_backend_budget", "test_backend_serve",
              "test_backend_versions", "test_bench_replay", "test_ui_model", "test_native_replies",
              "test_finetune", "test_export", "test_trained_model"),
    "browser": ("test_ui", "test_ui_model", "test_ui_no_model", "test_report_fonts"),
    # Measured: each of these takes more than a few seconds on a 2-core machine.
    "slow": ("test_backend_transformers", "test_backend_e2e", "test_backend_serve", "test_backend_versions",
             "test_bench_replay", "test_bench_harness", "test_ui", "test_ui_model", "test_ui_no_model",
             "test_native_replies", "test_privacy_images", "test_effect_search", "test_adversarial",
             "test_fuzz", "test_hostile_inputs", "test_runs_dir", "test_eval_ray", "test_extras",
             "test_signals", "test_report_fonts", "test_faults", "test_finetune", "test_export",
             "test_desktop", "test_record_desktop", "test_overlay", "test_redact_frames",
             "test_verified_replay", "test_expect", "test_readme", "test_scenarios",
             "test_killed_run_replays", "test_doctor_adb", "test_trained_model", "test_desktop_effects"),
}
# Single slow tests in otherwise quick modules.
_SLOW_TESTS = ("test_parse.py::test_random_replies_never_crash",
               "test_eval.py::test_eval_cli_with_the_tiny_model_reports_honest_numbers",
               "test_eval.py::test_concurrency_4_against_one_server_is_faster_than_1",
               "test_cli_run.py::test_doctor_reports_one_line_per_check",
               "test_record_sim.py::test_record_on_the_sim_then_replay_to_the_same_end_state",
               "test_record_android.py::test_getevent_recording_replays_to_the_same_end_state")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        names = {mark for fixture, mark in _FIXTURE_MARKS.items() if fixture in item.fixturenames}
        names |= {mark for mark, modules in _MODULE_MARKS.items() if module in modules}
        if any(slow in item.nodeid for slow in _SLOW_TESTS):
            names.add("slow")
        for name in sorted(names):
            item.add_marker(getattr(pytest.mark, name))


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if CI and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CI and _skipped:
        terminalreporter.write_line(f"CI: {len(_skipped)} test(s) skipped, which fails the run "
                                    f"(CI installs everything): {', '.join(_skipped[:5])}", red=True)


def require_tool(command: str, package: str) -> None:
    """Skip (locally) or fail (CI) a test whose system tool is missing, naming the package."""
    if shutil.which(command) is None:
        message = f"{command} is missing: apt-get install {package}"
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@contextmanager
def virtual_display(size: tuple[int, int] = (1280, 800)) -> Iterator[str]:
    """A real Xvfb display of `size`, $DISPLAY pointing at it while in use; stopped by its pid."""
    require_tool("Xvfb", "xvfb")
    from devices.desktop import start_virtual_display

    xvfb = start_virtual_display(size)
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = xvfb.display
    try:
        yield xvfb.display
    finally:
        xvfb.stop()
        assert xvfb.process.poll() is not None
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """One Xvfb display (1280x800) for a module's tests, with xdotool for typing."""
    require_tool("xdotool", "xdotool")
    with virtual_display() as name:
        yield name


@pytest.fixture()
def phone() -> Any:
    """A phone for the FAKE adb server (tests/fake_adb.py): a protocol-level fake, not a phone."""
    from tests.fake_adb import FakePhone

    return FakePhone("FAKE01")


@pytest.fixture()
def server(phone: Any) -> Iterator[Any]:
    """The FAKE adb server on 127.0.0.1, serving `phone`."""
    from tests.fake_adb import FakeAdbServer

    fake = FakeAdbServer(phone)
    yield fake
    fake.stop()


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    """A fresh runs folder for one test."""
    path = tmp_path / "runs"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def tiny_model() -> Iterator[Path]:
    """The tiny random Qwen3-VL, built once per machine (tests/tiny_model.py) and loaded through
    exactly the code a user's checkpoint takes."""
    pytest.importorskip("torch")
    from tests.tiny_model import cached_tiny_model

    yield cached_tiny_model()
