#!/usr/bin/env python3
"""Peer benchmark: SpiffWorkflow running the Tongban case process, durably persisted to SQLite.

One instance = 6 transitions:
  1. create + start the instance (runs engine steps up to the first user task, "accept")
  2..6. complete one ready user task (accept, review_a, review_b, decide, deliver),
        running engine steps after each (parallel split/join, end event).
After EVERY transition the whole workflow is serialized with SpiffWorkflow's own
BpmnWorkflowSerializer and UPSERTed into SQLite (one row per instance: id, state, version)
in its own transaction, with journal_mode=WAL and synchronous=FULL.
The latency of one transition includes the engine work, the serialization and the commit.

stdout: exactly one JSON line with the figures.  stderr: a self-check that reads one row
back, deserializes it into a live workflow and checks it is the real, completed state.
"""

import argparse
import json
import math
import os
import sqlite3
import sys
import time
from importlib.metadata import version as pkg_version

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

HERE = os.path.dirname(os.path.abspath(__file__))
BPMN_FILE = os.path.join(HERE, "process.bpmn")
PROCESS_ID = "tongban_case"
# Order in which the user tasks are completed; review_a/review_b run in parallel branches.
TASK_ORDER = ["accept", "review_a", "review_b", "decide", "deliver"]

UPSERT = (
    "INSERT INTO workflow_state (id, state, version) VALUES (?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version"
)


def open_db(path):
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per transition.
    db = sqlite3.connect(path, isolation_level=None)
    mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise SystemExit(f"could not enable WAL (journal_mode={mode})")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS workflow_state ("
        " id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL)"
    )
    return db


def persist(db, serializer, instance_id, workflow, version, phases):
    t0 = time.perf_counter()
    state = serializer.serialize_json(workflow)
    t1 = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute(UPSERT, (instance_id, state, version))
    db.execute("COMMIT")
    t2 = time.perf_counter()
    phases["serialize"] += t1 - t0
    phases["commit"] += t2 - t1
    return t0


def percentile(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    # nearest-rank percentile
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100.0 * len(sorted_vals)) - 1))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--db", default="spiff_bench.sqlite")
    args = ap.parse_args()
    if args.instances < 1:
        raise SystemExit("--instances must be >= 1")

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)

    # Parse once (parsing is deployment, not a transition), as a real service would.
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(BPMN_FILE)
    spec = parser.get_spec(PROCESS_ID)
    serializer = BpmnWorkflowSerializer()
    db = open_db(args.db)

    latencies = []
    phases = {"engine": 0.0, "serialize": 0.0, "commit": 0.0}
    t_total0 = time.perf_counter()
    for i in range(args.instances):
        instance_id = f"case-{i:06d}"
        version = 0

        # Transition 1: create + start the instance.
        t0 = time.perf_counter()
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        version += 1
        t1 = persist(db, serializer, instance_id, wf, version, phases)
        phases["engine"] += t1 - t0
        latencies.append(time.perf_counter() - t0)

        # Transitions 2..6: complete each user task.
        for name in TASK_ORDER:
            t0 = time.perf_counter()
            task = wf.get_next_task(state=TaskState.READY, spec_name=name)
            if task is None:
                raise SystemExit(f"{instance_id}: user task {name!r} is not READY")
            task.data["by"] = name  # a little case data, as a clerk's form would add
            task.run()
            wf.do_engine_steps()
            version += 1
            t1 = persist(db, serializer, instance_id, wf, version, phases)
            phases["engine"] += t1 - t0
            latencies.append(time.perf_counter() - t0)

        if not wf.is_completed():
            raise SystemExit(f"{instance_id}: workflow not completed after 6 transitions")
    seconds = time.perf_counter() - t_total0

    latencies.sort()
    transitions = len(latencies)
    result = {
        "engine": "SpiffWorkflow",
        "version": pkg_version("SpiffWorkflow"),
        "instances": args.instances,
        "transitions": transitions,
        "seconds": round(seconds, 4),
        "transitions_per_sec": round(transitions / seconds, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 99) * 1000, 3),
    }

    print(
        "mean per transition: "
        + ", ".join(f"{k} {v / transitions * 1000:.3f} ms" for k, v in phases.items()),
        file=sys.stderr,
    )
    self_check(db, serializer, args.instances)
    db.close()
    print(json.dumps(result, separators=(",", ":")))


def self_check(db, serializer, instances):
    """Read rows back and re-load them into SpiffWorkflow to prove the full state was stored."""
    count = db.execute("SELECT COUNT(*) FROM workflow_state").fetchone()[0]
    assert count == instances, f"expected {instances} rows, found {count}"
    bad = db.execute("SELECT COUNT(*) FROM workflow_state WHERE version != 6").fetchone()[0]
    assert bad == 0, f"{bad} rows do not have version 6"
    instance_id, state, ver = db.execute(
        "SELECT id, state, version FROM workflow_state ORDER BY id DESC LIMIT 1"
    ).fetchone()
    wf = serializer.deserialize_json(state)
    assert isinstance(wf, BpmnWorkflow)
    assert wf.is_completed(), "restored workflow is not completed"
    completed = sorted(
        t.task_spec.name for t in wf.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.name in TASK_ORDER
    )
    assert completed == sorted(TASK_ORDER), f"restored completed user tasks: {completed}"
    data = wf.get_next_task(spec_name="deliver").data
    assert data.get("by") == "deliver", f"restored task data: {data}"

    # Mid-flight check: a state serialized after transition 2 (accept done) restores with
    # both review tasks READY and can be driven to the end by the restored engine.
    spec = wf.spec
    probe = BpmnWorkflow(spec)
    probe.do_engine_steps()
    probe.get_next_task(state=TaskState.READY, spec_name="accept").run()
    probe.do_engine_steps()
    restored = serializer.deserialize_json(serializer.serialize_json(probe))
    ready = sorted(t.task_spec.name for t in restored.get_tasks(state=TaskState.READY, manual=True))
    assert ready == ["review_a", "review_b"], f"restored mid-flight ready tasks: {ready}"
    for name in TASK_ORDER[1:]:
        restored.get_next_task(state=TaskState.READY, spec_name=name).run()
        restored.do_engine_steps()
    assert restored.is_completed()

    print(
        f"self-check ok: {count} rows at version {ver}; row {instance_id} "
        f"({len(state)} bytes of BpmnWorkflowSerializer JSON, {len(wf.tasks)} tasks) "
        f"deserialized into a completed BpmnWorkflow; mid-flight state restored and resumed",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
