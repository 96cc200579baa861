"""`qwen-agent eval SCENARIOS --ray ADDRESS`: each scenario a Ray task, anywhere on a cluster.

    driver (this process)                  a worker (any node that has what the task needs)
    scenarios, policy, model  --- task --> open the device, run the goal with the model, check
                                           `expect` (`agent.eval.run_one`), pack the run folder
    outcomes; run folders unpacked  <----- (Outcome, the run folder as a gzipped tar)
    under --runs-dir; the same table and --json as without Ray

Where a task may run is said with Ray resources, so phones stay on the host they are plugged into:
    sim            anywhere (one CPU)
    adb:SERIAL     a node started with `ray start --resources '{"adb:SERIAL": 1}'`
    adb            any phone: a node started with a `phone` count (`'{"phone": 2}'`); the task
                   takes a phone of that node that no other task holds (a lock file per serial)
The model: a ready model object (an OpenAI-compatible client: every task talks to the vLLM or
SGLang cluster itself) is sent to the tasks as it is; a local model is loaded once in each of
`model_actors` Ray actors and the tasks ask an actor step by step (`ActorModel`).

A worker that dies loses only its scenario: Ray runs that task once more (`max_retries=1`), and if
the second one dies too, the scenario is reported as failed (outcome `worker_died`) while the
rest go on. A scenario that needs a resource no node has fails at once with the `ray start` line
that would provide it, instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from actions.errors import EXIT_NOT_DONE, UsageError
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from agent.engine.privacy import Privacy
from agent.engine.rundir import PRIVATE
from agent.eval import NO_PRIVACY, Outcome, run_one
from agent.scenario import Scenario
from devices.registry import parse_spec
from policies import PolicyConfig

SCALE_EXTRA = "pip install 'qwen-agent[scale]'"
RETRIES = 1  # a task whose worker died runs once more, then its scenario is reported failed


@dataclass(frozen=True)
class Job:
    """One scenario as a task: everything a worker needs (picklable)."""

    scenario: Scenario
    device_spec: str | None  # a --device of the pool, or None: the scenario's own
    policy: PolicyConfig
    max_pixels: int
    yes: bool = False
    privacy: Privacy = NO_PRIVACY
    values: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        return self.device_spec or self.scenario.device_spec


@dataclass(frozen=True)
class RayRun:
    """An eval on Ray: the outcomes in scenario order, the wall-clock seconds, how many scenarios
    could run at once, and the model's name."""

    outcomes: list[Outcome]
    wall: float
    slots: int
    model_name: str


@dataclass(frozen=True)
class Done:
    """What a task sends back: the outcome and its run folder, packed."""

    outcome: Outcome
    folder: bytes | None  # a gzipped tar of the run folder; None when no run started


# --- where a task may run ---------------------------------------------------------------------


def resources_for(spec: str) -> dict[str, float]:
    """The Ray resources a scenario on device `spec` needs besides one CPU."""
    kind, arg = parse_spec(spec)
    if kind == "sim":
        return {}
    if kind == "adb":
        return {f"adb:{arg}": 1} if arg else {"phone": 1}
    raise UsageError(f"--ray runs scenarios on sim and adb devices; {spec!r} is not one of them "
                     "(run desktop scenarios without --ray)")


def missing(need: dict[str, float], cluster: dict[str, float]) -> str | None:
    """Why no node of `cluster` can ever run a task needing `need`; None when one can."""
    for name, amount in need.items():
        if cluster.get(name, 0) < amount:
            return (f"no Ray node offers {name!r}: start the node the phone is plugged into with "
                    f"`ray start --address HEAD:6379 --resources '{{\"{name}\": 1}}'`")
    return None


# --- on a worker --------------------------------------------------------------------------------


def run_job(job: Job, model: Model | None, actor: Any = None) -> Done:
    """Run one scenario here (a Ray worker) and pack its run folder."""
    with tempfile.TemporaryDirectory(prefix="qwen-agent-ray-") as runs:
        if actor is not None:
            model = ActorModel(actor)
        assert model is not None
        try:
            with claim(job.spec) as spec:
                outcome = run_one(job.scenario, model, job.policy, runs, spec, job.max_pixels,
                                  job.yes, job.privacy, job.values)
        except UsageError as err:  # no free phone here: this scenario fails, not the whole eval
            return Done(failed(job.scenario.name, "error", str(err), 0.0), None)
        return Done(outcome, pack(outcome.run_dir) if outcome.run_dir else None)


@contextlib.contextmanager
def claim(spec: str) -> Iterator[str]:
    """The device spec to open: `spec` itself, or for `adb` (any phone) one of this node's ready
    phones that no other task holds, held for the duration (an exclusive lock file per serial,
    so two tasks on one node never share a phone)."""
    kind, arg = parse_spec(spec)
    if kind != "adb" or arg:
        yield spec
        return
    import fcntl

    from devices.android.connect import list_phones, make_client

    for phone in (p for p in list_phones(make_client()) if p.ready):
        lock = open(Path(tempfile.gettempdir()) / f"qwen-agent-adb-{phone.serial}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        try:
            yield f"adb:{phone.serial}"
        finally:
            lock.close()  # closing releases the lock
        return
    raise UsageError("every phone of this Ray node is taken or none is ready: give the node a "
                     "`phone` count no larger than its ready phones (`adb devices`)")


def pack(folder: str) -> bytes:
    """The run folder as a gzipped tar (its name as the top entry)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", compresslevel=1) as tar:  # frames are PNG already
        tar.add(folder, arcname=Path(folder).name)
    return out.getvalue()


# --- on the driver ------------------------------------------------------------------------------


def unpack(data: bytes, runs_dir: str | Path) -> str:
    """A packed run folder written under `runs_dir` (renamed if its name is taken); its path."""
    base = Path(runs_dir)
    base.mkdir(parents=True, mode=PRIVATE, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
        name = members[0].name.split("/")[0]
        if not name or name in (".", "..") or any(m.name.split("/")[0] != name for m in members):
            raise ValueError("a packed run folder must hold one folder")
        target, n = base / name, 1
        while True:  # an atomic mkdir: two workers' folders of the same second never merge
            try:
                target.mkdir(mode=PRIVATE)
                break
            except FileExistsError:
                n += 1
                target = base / f"{name}-{n}"
        with tempfile.TemporaryDirectory(dir=base, prefix=".unpack-") as tmp:
            _extract(tar, members, tmp)
            for entry in (Path(tmp) / name).iterdir():
                entry.rename(target / entry.name)
    target.chmod(PRIVATE)
    return str(target)


def _extract(tar: tarfile.TarFile, members: list[tarfile.TarInfo], folder: str) -> None:
    """Only plain files and folders, inside `folder` (a run folder holds nothing else)."""
    for member in members:
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise ValueError(f"a packed run folder holds {member.name!r}, which no run writes")
    if hasattr(tarfile, "data_filter"):  # Python 3.10.12+ / 3.11.4+: checked again by tarfile
        tar.extractall(folder, members, filter="data")
    else:
        tar.extractall(folder, members)  # noqa: S202 - every member was checked above


def failed(scenario: str, outcome: str, message: str, seconds: float) -> Outcome:
    return Outcome(scenario, False, EXIT_NOT_DONE, outcome, 0, False, 0, 0, (), 0, 0,
                   round(seconds, 3), "", message)


class ActorModel:
    """A model that lives in a Ray actor (loaded once there), asked one step at a time. Streamed
    text is not relayed: nobody watches an eval's console."""

    def __init__(self, actor: Any) -> None:
        import ray

        self._actor = actor
        self.name, self.backend = ray.get(actor.describe.remote())

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        import ray

        return ray.get(self._actor.decide.remote(request))


class ModelHost:
    """The Ray actor's body: one model, loaded once, answering `decide` for any task."""

    def __init__(self, make_model: Callable[[], Model]) -> None:
        self._model = make_model()

    def describe(self) -> tuple[str, str]:
        return self._model.name, getattr(self._model, "backend", self._model.name.split(":")[0])

    def decide(self, request: DecideRequest) -> ModelReply:
        return self._model.decide(request)


def local_phones() -> dict[str, float]:
    """This machine's ready phones as Ray resources: `adb:SERIAL` each, and their `phone` count."""
    from devices.android.connect import list_phones, make_client

    serials = [p.serial for p in list_phones(make_client()) if p.ready]
    return {**{f"adb:{s}": 1.0 for s in serials}, **({"phone": float(len(serials))} if serials else {})}


def connect(address: str, cpus: int | None, resources: dict[str, float] | None = None) -> bool:
    """Join the cluster at `address` ("auto", "HOST:6379", "ray://HOST:10001"), or with "local"
    start one on this machine's loopback with `cpus` workers and `resources` (the phones plugged
    in here). True when one was started here (and is then ours to stop)."""
    ray = import_ray()
    import logging

    if ray.is_initialized():  # the caller joined a cluster already: use it, leave it running
        return False
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address == "local":
            ray.init(num_cpus=cpus or os.cpu_count() or 1, resources=resources or None,
                     include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
            return True
        _reachable(address)
        ray.init(address=address, **quiet)
        return False
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise UsageError(f"cannot reach the Ray cluster at {address}: {str(err).splitlines()[0]}") from None


def _reachable(address: str) -> None:
    """A HOST:PORT (or ray://HOST:PORT) that does not answer is a one-line usage error now;
    Ray itself would retry for minutes."""
    import socket

    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" and the like: Ray finds (or fails to find) the cluster at once
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5).close()
    except OSError as err:
        raise UsageError(f"cannot reach the Ray cluster at {address}: {err.strerror or err}; "
                         "is `ray start --head` running there?") from None


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError(f"--ray needs Ray: {SCALE_EXTRA}") from None
    return ray


def run_on_ray(jobs: list[Job], runs_dir: str, *, address: str, model: Model | None = None,
               make_model: Callable[[], Model] | None = None, model_actors: int = 1,
               model_gpus: float = 0.0, concurrency: int | None = None,
               pool: list[str] | None = None) -> RayRun:
    """Run every job as a Ray task.

    `model`: a picklable model sent to every task; else `make_model` is run once in each of
    `model_actors` actors (`model_gpus` GPUs each). `concurrency`: at most this many tasks at
    once (None: as many as the cluster runs). `pool`: device specs, each given to one task at a
    time (the jobs' `device_spec` is then set here)."""
    if (model is None) == (make_model is None):
        raise ValueError("give either a model or a make_model")
    t0 = time.monotonic()
    specs = pool or [job.spec for job in jobs]
    # Phones are asked for only when a scenario needs one (listing them starts an adb server).
    phones = address == "local" and any(parse_spec(spec)[0] == "adb" for spec in specs)
    started = connect(address, concurrency, local_phones() if phones else None)
    ray = import_ray()
    try:
        actors = []
        if make_model is not None:
            host = ray.remote(ModelHost).options(num_gpus=model_gpus, max_restarts=RETRIES,
                                                 max_task_retries=RETRIES)
            actors = [host.remote(make_model) for _ in range(max(1, model_actors))]
        name = model.name if model is not None else _model_name(ray, actors[0])
        shared = ray.put(model) if model is not None else None
        task = ray.remote(max_retries=RETRIES, retry_exceptions=False)(run_job)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        slots = max(1, min(concurrency or cpus, cpus, len(pool) if pool else cpus))
        outcomes = _schedule(ray, task, jobs, runs_dir, shared, actors, concurrency, pool)
    finally:
        if started:
            ray.shutdown()
    return RayRun(outcomes, time.monotonic() - t0, slots, name)


def _model_name(ray: Any, actor: Any) -> str:
    """The actor's model's name, once it loaded (UsageError, one line, when it cannot)."""
    from ray.exceptions import RayError

    try:
        return str(ray.get(actor.describe.remote())[0])
    except RayError as err:
        lines = [line for line in str(err).splitlines() if line.strip()]
        raise UsageError(f"the model could not be loaded in a Ray actor: {lines[-1] if lines else err}") from None


def _schedule(ray: Any, task: Any, jobs: list[Job], runs_dir: str, model_ref: Any,
              actors: list[Any], concurrency: int | None, pool: list[str] | None) -> list[Outcome]:
    """Submit while there is room (and a free device of the pool), collect as tasks end."""
    cluster = ray.cluster_resources()
    outcomes: list[Outcome | None] = [None] * len(jobs)
    free = list(pool or [])
    waiting = list(range(len(jobs)))
    running: dict[Any, tuple[int, str | None, float]] = {}
    limit = concurrency or len(jobs) or 1
    while waiting or running:
        while waiting and len(running) < limit and (not pool or free):
            i = waiting.pop(0)
            device = free.pop(0) if pool else None
            job = replace(jobs[i], device_spec=device) if pool else jobs[i]
            why = missing(resources_for(job.spec), cluster)
            if why is not None:
                outcomes[i] = failed(job.scenario.name, "error", why, 0.0)
                if device is not None:
                    free.append(device)
                continue
            actor = actors[i % len(actors)] if actors else None
            ref = task.options(resources=resources_for(job.spec) or None).remote(job, model_ref, actor)
            running[ref] = (i, device, time.monotonic())
        if not running:
            continue
        ready, _ = ray.wait(list(running), num_returns=1)
        i, device, start = running.pop(ready[0])
        if device is not None:
            free.append(device)
        outcomes[i] = _collect(ray, ready[0], jobs[i].scenario.name, runs_dir, time.monotonic() - start)
    return [o for o in outcomes if o is not None]


def _collect(ray: Any, ref: Any, name: str, runs_dir: str, seconds: float) -> Outcome:
    from ray.exceptions import NodeDiedError, RayError, WorkerCrashedError

    try:
        done: Done = ray.get(ref)
    except (WorkerCrashedError, NodeDiedError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return failed(name, "worker_died", f"its Ray worker died twice (tried {RETRIES + 1} times): "
                                           f"{reason}", seconds)
    except RayError as err:
        cause = err.cause if getattr(err, "cause", None) is not None else err
        reason = str(cause).strip().splitlines()[-1] if str(cause).strip() else type(cause).__name__
        return failed(name, "error", f"the Ray task failed: {reason}", seconds)
    if done.folder is None:
        return done.outcome
    return replace(done.outcome, run_dir=unpack(done.folder, runs_dir))
