"""`qwen-agent eval --ray`: scenarios as Ray tasks on a local Ray cluster on loopback (two
workers, simulated phones; phones of the FAKE adb as Ray resources), against `eval` without Ray.

The model is a tiny scripted one behind a loopback OpenAI-compatible server (`ScenarioServer`):
for each request it replays the recorded step of the scenario whose goal the prompt names, so
every scenario gets the same answers whichever process, worker or order asks. It goes through
the same code path as any served model (`--backend openai`), in the CLI as a user runs it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.scenario import load
from tests.helpers import EXE, REPO, run_cli

pytest.importorskip("ray", reason="pip install 'qwen-agent[scale]'")

SCENARIOS = ["bluetooth-off", "wifi-on", "font-larger", "send-message-guarded", "adv-pay-popup"]
RAY_ENV = {"RAY_AUTH_MODE": "disabled"}  # a loopback test cluster: no token notice
COMPARED = ("scenario", "success", "exit_code", "outcome", "steps", "sandbox_stop", "refused_steps",
            "invalid_replies")


class ScenarioServer:
    """An OpenAI-compatible chat server on loopback that answers step N of a goal with the N-th
    recorded step of the scenario with that goal. `hold(goal, times)`: the first `times` requests
    for that goal wait until `release()`; `held` tells who is waiting (the client's port)."""

    def __init__(self, names: list[str]) -> None:
        self.steps = {}
        for name in names:
            scenario = load(REPO / "scenarios" / name)
            self.steps[scenario.goal] = list(scenario.steps)
        self.requests = 0
        self.holds: dict[str, int] = {}
        self.held: list[tuple[str, int]] = []  # (goal, client port) of requests waiting now
        self.gate = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's spelling
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                goal, step = server.parse(body)
                if server.must_hold(goal):
                    with server.lock:
                        server.held.append((goal, self.client_address[1]))
                    server.gate.wait(60)
                server.reply(self, server.answer(goal, step), body.get("stream", False))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def parse(self, body: dict[str, Any]) -> tuple[str, int]:
        text = " ".join(part.get("text", "") for message in body["messages"] if isinstance(message["content"], list)
                        for part in message["content"])
        goal = re.search(r"Goal: (.*)", text)[1].strip()
        return goal, int(re.search(r"Step (\d+)\.", text)[1])

    def must_hold(self, goal: str) -> bool:
        with self.lock:
            self.requests += 1
            if self.holds.get(goal, 0) > 0:
                self.holds[goal] -= 1
                return True
        return False

    def answer(self, goal: str, step: int) -> str:
        steps = self.steps[goal]
        action = steps[min(step, len(steps)) - 1]
        return action if isinstance(action, str) else json.dumps(action, ensure_ascii=False)

    @staticmethod
    def reply(handler: BaseHTTPRequestHandler, text: str, stream: bool) -> None:
        usage = {"prompt_tokens": 1000, "completion_tokens": 20, "total_tokens": 1020}
        if stream:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.end_headers()
            for event in ({"choices": [{"index": 0, "delta": {"content": text}}]},
                          {"choices": [], "usage": usage}):
                handler.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            handler.wfile.write(b"data: [DONE]\n\n")
            return
        raw = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                       "finish_reason": "stop"}], "usage": usage}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)

    def hold(self, goal: str, times: int) -> None:
        with self.lock:
            self.holds[goal] = times

    def release(self) -> None:
        self.gate.set()

    def close(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[ScenarioServer]:
    srv = ScenarioServer(SCENARIOS)
    yield srv
    srv.close()


def eval_args(server: ScenarioServer, runs: Path, *extra: str) -> list[str]:
    return ["eval", *(str(REPO / "scenarios" / n) for n in SCENARIOS), "--backend", "openai",
            "--base-url", server.url, "--model", "scripted", "--runs-dir", str(runs), "--json", *extra]


def outcomes(stdout: str) -> list[dict[str, Any]]:
    data = json.loads(stdout.strip().splitlines()[-1])
    return [{k: o[k] for k in COMPARED} | {"run_dir": o["run_dir"], "message": o["message"]}
            for o in data["scenarios"]]


def same(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: r[k] for k in COMPARED} for r in rows]


def test_eval_on_a_local_ray_cluster_matches_eval_without_it(server: ScenarioServer, tmp_path: Path) -> None:
    plain = run_cli(*eval_args(server, tmp_path / "plain"), timeout=300)
    assert plain.returncode == 0, plain.stderr[-2000:]
    on_ray = run_cli(*eval_args(server, tmp_path / "ray", "--ray", "local", "--concurrency", "2"),
                     timeout=600, env=RAY_ENV)
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    expected, got = outcomes(plain.stdout), outcomes(on_ray.stdout)
    assert same(got) == same(expected)
    assert len({r["outcome"] for r in expected}) >= 2 and any(r["success"] for r in expected)
    # Each run folder came back to the driver's runs dir, whole: the trajectory, frames, report.
    for row in got:
        folder = Path(row["run_dir"])
        assert folder.parent == tmp_path / "ray", folder
        lines = (folder / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == row["steps"] >= 1
        assert (folder / "report.html").is_file() and (folder / "run.json").is_file()
        assert all((folder / json.loads(x)["frame"]).is_file() for x in lines if json.loads(x).get("frame"))
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    totals = json.loads(on_ray.stdout.strip().splitlines()[-1])["totals"]
    assert totals["scenarios"] == len(SCENARIOS) and totals["concurrency"] == 2


def pid_of_connection(port: int) -> int | None:
    """The pid of the process holding the loopback TCP connection from local `port` (a Ray worker
    asking the model), found through /proc."""
    wanted = f":{port:04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(wanted):
                    inodes.add(fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}").removeprefix("socket:[").rstrip("]") in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def kill_when_held(server: ScenarioServer, proc: subprocess.Popen, kills: int) -> list[str]:
    """Kill (SIGKILL) the worker process of each held request, `kills` times; the goals killed."""
    killed = []
    deadline = time.monotonic() + 240
    while len(killed) < kills and time.monotonic() < deadline and proc.poll() is None:
        with server.lock:
            waiting = list(server.held)
            server.held.clear()
        for goal, port in waiting:
            pid = pid_of_connection(port)
            assert pid is not None and pid != proc.pid, f"no worker found for the request from port {port}"
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            assert cmdline.startswith("ray::"), cmdline  # a Ray worker, started by this eval
            os.kill(pid, signal.SIGKILL)
            killed.append(goal)
        time.sleep(0.1)
    return killed


@pytest.mark.parametrize("kills", [1, 2], ids=["retried", "reported"])
def test_a_killed_worker_loses_only_its_scenario(server: ScenarioServer, tmp_path: Path, kills: int) -> None:
    plain = run_cli(*eval_args(server, tmp_path / "plain"), timeout=300)
    expected = outcomes(plain.stdout)
    victim = load(REPO / "scenarios" / "wifi-on").goal
    server.hold(victim, kills)  # its first request(s) wait: the worker is mid-task when killed
    proc = subprocess.Popen([EXE, *eval_args(server, tmp_path / "ray", "--ray", "local", "--concurrency", "2")],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **RAY_ENV})
    try:
        killed = kill_when_held(server, proc, kills)
        server.release()
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert killed == [victim] * kills
    assert proc.returncode == 0, err[-3000:]
    got = outcomes(out)
    index = SCENARIOS.index("wifi-on")
    others = [r for i, r in enumerate(got) if i != index]
    assert same(others) == same([r for i, r in enumerate(expected) if i != index])
    if kills == 1:  # run once more on another worker: the same outcome as without Ray
        assert same([got[index]]) == same([expected[index]])
        assert Path(got[index]["run_dir"]).is_dir()
    else:  # died again: reported as failed, alone
        row = got[index]
        assert (row["success"], row["outcome"], row["exit_code"]) == (False, "worker_died", 1)
        assert "died" in row["message"] and row["run_dir"] == ""


# --- phones as Ray resources (the FAKE adb's phones, backed by simulated phones) -----------------

PHONE_SCENARIOS = ["bluetooth-off", "font-larger"]


def fake_phones(*serials: str) -> Any:
    from devices.sim import SimPhone
    from tests.fake_adb import FakeAdbServer, FakePhone

    return FakeAdbServer(*(FakePhone(s, backing=SimPhone(screen="home", state={"bluetooth": True}),
                                     hierarchy=False) for s in serials))


def run_on_phones(server: ScenarioServer, paths: list[Path], runs: Path, *extra: str) -> tuple[list[dict], Any]:
    """`eval` against two fresh fake phones (SIM01, SIM02); the outcomes and the adb server."""
    adb = fake_phones("SIM01", "SIM02")
    try:
        proc = run_cli("eval", *map(str, paths), "--backend", "openai", "--base-url", server.url,
                       "--model", "scripted", "--runs-dir", str(runs), "--json", *extra, timeout=600,
                       env={**RAY_ENV, "ANDROID_ADB_SERVER_HOST": "127.0.0.1",
                            "ANDROID_ADB_SERVER_PORT": str(adb.port)})
    finally:
        adb.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    return outcomes(proc.stdout), adb


def spec_of(row: dict[str, Any]) -> str:
    return json.loads((Path(row["run_dir"]) / "run.json").read_text(encoding="utf-8"))["device"]["spec"]


def test_named_phones_are_resources_of_the_node_they_are_plugged_into(server: ScenarioServer, tmp_path: Path) -> None:
    paths = [REPO / "scenarios" / n for n in PHONE_SCENARIOS]
    pool = ["--device", "adb:SIM01", "--device", "adb:SIM02", "--concurrency", "2"]
    plain, _ = run_on_phones(server, paths, tmp_path / "plain", *pool)
    on_ray, adb = run_on_phones(server, paths, tmp_path / "ray", *pool, "--ray", "local")
    assert same(on_ray) == same(plain)
    assert sorted(spec_of(r) for r in on_ray) == ["adb:SIM01", "adb:SIM02"]  # one scenario each, at once
    assert all(any(c == "screencap" for c in phone.commands) for phone in adb.phones.values())


def test_any_phone_takes_a_free_phone_of_its_node_and_a_missing_one_fails_alone(
        server: ScenarioServer, tmp_path: Path) -> None:
    """Scenarios on `adb` (any phone) need one of the node's `phone` count and each takes a phone
    no other task holds; a scenario on a phone no node has fails at once, the others run."""
    paths = []
    for name, device in [(n, "{kind: adb}") for n in PHONE_SCENARIOS] + [("wifi-on", "{kind: adb, serial: NOPE}")]:
        folder = tmp_path / "scenarios" / name
        folder.mkdir(parents=True)
        text = (REPO / "scenarios" / name / "scenario.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?ms)^device:.*?(?=^steps:)", f"device: {device}\n", text)
        (folder / "scenario.yaml").write_text(text, encoding="utf-8")
        paths.append(folder)
    rows, _ = run_on_phones(server, paths, tmp_path / "ray", "--ray", "local", "--concurrency", "2")
    assert sorted(spec_of(r) for r in rows[:2]) == ["adb:SIM01", "adb:SIM02"]
    assert all(r["steps"] >= 1 for r in rows[:2])
    missing = rows[2]
    assert (missing["outcome"], missing["success"], missing["run_dir"]) == ("error", False, "")
    assert "no Ray node offers 'adb:NOPE'" in missing["message"] and "ray start" in missing["message"]


# --- a local model, loaded once per Ray actor ----------------------------------------------------


def scripted_model(url: str, log: str) -> Any:
    """A model factory for the actors (runs in the actor): notes each load in `log`."""
    import argparse

    from agent.commands.model import add_model_arguments, model_from_args

    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return model_from_args(parser.parse_args(["--backend", "openai", "--base-url", url, "--model", "scripted"]))


def test_a_model_built_in_actors_is_loaded_once_per_actor(server: ScenarioServer, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from functools import partial

    from agent.eval import run_all
    from agent.eval_ray import Job, run_on_ray
    from policies import load_policy

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    scenarios = [load(REPO / "scenarios" / n) for n in SCENARIOS]
    policy, log = load_policy(), tmp_path / "loads.txt"
    plain, _ = run_all(scenarios, scripted_model(server.url, str(tmp_path / "driver.txt")), policy,
                       str(tmp_path / "plain"))
    jobs = [Job(s, None, policy, 1_310_720) for s in scenarios]
    result = run_on_ray(jobs, str(tmp_path / "ray"), address="local", concurrency=2,
                        make_model=partial(scripted_model, server.url, str(log)), model_actors=1)
    assert [(o.scenario, o.outcome, o.exit_code, o.steps) for o in result.outcomes] == \
        [(o.scenario, o.outcome, o.exit_code, o.steps) for o in plain]
    assert result.model_name == "scripted" and result.slots == 2
    loads = log.read_text().split()
    assert len(loads) == 1 and int(loads[0]) != os.getpid()  # once, in the actor, for 5 scenarios


def test_the_tiny_transformers_model_in_an_actor_gives_the_same_outcomes(tmp_path: Path) -> None:
    from tests.tiny_model import cached_tiny_model

    args = ["eval", str(REPO / "scenarios" / "bluetooth-off"), str(REPO / "scenarios" / "wifi-on"),
            "--model", str(cached_tiny_model()), "--max-steps", "1", "--max-new-tokens", "16",
            "--temperature", "0", "--json"]
    plain = run_cli(*args, "--runs-dir", str(tmp_path / "plain"), timeout=900)
    on_ray = run_cli(*args, "--runs-dir", str(tmp_path / "ray"), "--ray", "local", "--concurrency", "2",
                     timeout=900, env=RAY_ENV)
    assert plain.returncode == 0 and on_ray.returncode == 0, on_ray.stderr[-3000:]
    assert same(outcomes(on_ray.stdout)) == same(outcomes(plain.stdout))
    data = json.loads(on_ray.stdout.strip().splitlines()[-1])
    assert data["totals"]["prompt_tokens"] > 1000  # the model really ran, in the actor


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--ray", "127.0.0.1:1"], "cannot reach the Ray cluster at 127.0.0.1:1"),
    (["--ray", "local", "--device", "desktop"], "--ray runs scenarios on sim and adb devices"),
    (["--ray", "local", "--ray-model-actors", "0"], "--ray-model-actors"),
])
def test_ray_usage_errors_are_one_line(extra: list[str], fragment: str) -> None:
    proc = run_cli("eval", str(REPO / "scenarios" / "bluetooth-off"), "--backend", "openai",
                   "--base-url", "http://127.0.0.1:9/v1", "--model", "q", *extra, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and fragment in proc.stderr


def test_without_ray_installed_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from actions.errors import UsageError
    from agent.eval_ray import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # as if `ray` were not installed
    with pytest.raises(UsageError, match=r"pip install 'qwen-agent\[scale\]'"):
        import_ray()
