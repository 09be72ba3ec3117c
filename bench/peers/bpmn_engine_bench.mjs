#!/usr/bin/env node
// Peer benchmark: bpmn-engine running the Tongban case process, durably persisted to SQLite.
//
// One instance = 6 transitions:
//   1. create + start the instance (engine.execute(): runs up to the first user task, "accept")
//   2..6. complete one waiting user task (accept, review_a, review_b, decide, deliver) with
//         execution.signal({ id }); the engine runs the parallel split/join and end event
//         synchronously inside the signal.
// After EVERY transition the whole engine state is taken with bpmn-engine's own
// engine.getState(), JSON-stringified and UPSERTed into SQLite (one row per instance:
// id, state, version) in its own transaction, with journal_mode=WAL and synchronous=FULL.
// The latency of one transition includes the engine work, getState + stringify and the commit.
//
// stdout: exactly one JSON line with the figures.  stderr: a self-check that reads one row
// back, recovers it into a new Engine and checks it is the real, completed state.
//
// Packages are resolved from $PEERS_NODE_DIR (default ${PEERS_DIR:-~/.cache/tongban-peers}/node,
// where setup.sh installs them), or from a node_modules next to this file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BPMN_FILE = path.join(HERE, 'process.bpmn');
const TASK_ORDER = ['accept', 'review_a', 'review_b', 'decide', 'deliver'];

function peerRequire() {
  const peersDir = process.env.PEERS_DIR || path.join(os.homedir(), '.cache', 'tongban-peers');
  const candidates = [process.env.PEERS_NODE_DIR, path.join(peersDir, 'node'), HERE].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'node_modules', 'bpmn-engine'))) {
      return { dir, require: createRequire(path.join(dir, 'package.json')) };
    }
  }
  console.error(`bpmn-engine is not installed (looked in ${candidates.join(', ')}); run bench/peers/setup.sh`);
  process.exit(2);
}

const { dir: nodeDir, require } = peerRequire();
const { Engine } = require('bpmn-engine');
const Database = require('better-sqlite3');
// bpmn-engine's "exports" hides package.json, so read it from disk.
const engineVersion = JSON.parse(
  fs.readFileSync(path.join(nodeDir, 'node_modules', 'bpmn-engine', 'package.json'), 'utf8')
).version;

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '200' },
    db: { type: 'string', default: 'bpmn_engine_bench.sqlite' },
  },
});
const instances = Number.parseInt(args.instances, 10);
if (!(instances >= 1)) {
  console.error('--instances must be >= 1');
  process.exit(2);
}

function openDb(file) {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const db = new Database(file);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') throw new Error(`could not enable WAL (journal_mode=${mode})`);
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS workflow_state (id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL)');
  return db;
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  const k = Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k];
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const xml = fs.readFileSync(BPMN_FILE, 'utf8');

  // Parse once (deployment, not a transition), as a real service would: bpmn-engine accepts a
  // pre-serialized moddle context ("sourceContext") so instances skip the XML parse.
  const proto = new Engine({ name: 'deploy', source: xml });
  const [definition] = await proto.getDefinitions();
  const sourceContext = definition.environment.options.source;

  const db = openDb(args.db);
  const upsert = db.prepare(
    'INSERT INTO workflow_state (id, state, version) VALUES (?, ?, ?) ' +
      'ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version'
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const phases = { engine: 0, serialize: 0, commit: 0 };
  // Returns the time at which persisting started, so the caller can book the engine phase.
  const persist = async (engine, id, version) => {
    const t0 = nowMs();
    const state = JSON.stringify(await engine.getState());
    const t1 = nowMs();
    begin.run();
    upsert.run(id, state, version);
    commit.run();
    phases.serialize += t1 - t0;
    phases.commit += nowMs() - t1;
    return t0;
  };

  const latencies = [];
  const t0total = nowMs();
  for (let i = 0; i < instances; i++) {
    const id = `case-${String(i).padStart(6, '0')}`;
    let version = 0;
    let ended = false;

    // Transition 1: create + start the instance.
    let t0 = nowMs();
    const engine = new Engine({ name: id, sourceContext });
    engine.once('end', () => {
      ended = true;
    });
    const execution = await engine.execute();
    phases.engine += (await persist(engine, id, ++version)) - t0;
    latencies.push(nowMs() - t0);

    // Transitions 2..6: complete each user task.
    for (const taskId of TASK_ORDER) {
      t0 = nowMs();
      if (!execution.getPostponed().some((api) => api.id === taskId)) {
        throw new Error(`${id}: user task ${taskId} is not waiting`);
      }
      execution.signal({ id: taskId, by: taskId }); // a little case data, as a clerk's form would add
      phases.engine += (await persist(engine, id, ++version)) - t0;
      latencies.push(nowMs() - t0);
    }

    if (!ended || engine.state !== 'idle') throw new Error(`${id}: not completed after 6 transitions (${engine.state})`);
  }
  const seconds = (nowMs() - t0total) / 1000;

  latencies.sort((a, b) => a - b);
  const result = {
    engine: 'bpmn-engine',
    version: engineVersion,
    instances,
    transitions: latencies.length,
    seconds: Number(seconds.toFixed(4)),
    transitions_per_sec: Number((latencies.length / seconds).toFixed(1)),
    p50_ms: Number(percentile(latencies, 50).toFixed(3)),
    p99_ms: Number(percentile(latencies, 99).toFixed(3)),
  };

  console.error(
    'mean per transition: ' +
      Object.entries(phases)
        .map(([k, v]) => `${k} ${(v / latencies.length).toFixed(3)} ms`)
        .join(', ')
  );
  await selfCheck(db, sourceContext);
  db.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

// Read rows back and recover them into bpmn-engine to prove the full state was stored.
async function selfCheck(db, sourceContext) {
  const assert = (cond, msg) => {
    if (!cond) throw new Error(`self-check failed: ${msg}`);
  };
  const count = db.prepare('SELECT COUNT(*) AS n FROM workflow_state').get().n;
  assert(count === instances, `expected ${instances} rows, found ${count}`);
  const bad = db.prepare('SELECT COUNT(*) AS n FROM workflow_state WHERE version != 6').get().n;
  assert(bad === 0, `${bad} rows do not have version 6`);
  const row = db.prepare('SELECT id, state, version FROM workflow_state ORDER BY id DESC LIMIT 1').get();
  const saved = JSON.parse(row.state);
  assert(saved.name === row.id && saved.state === 'idle', `saved engine state is ${saved.state}`);
  assert(saved.definitions?.[0]?.source, 'saved state has no definition source');

  // Recover into a fresh Engine that is given NO source: everything must come from the row.
  const restored = new Engine().recover(saved);
  const [def] = await restored.getDefinitions();
  const activities = Object.fromEntries(TASK_ORDER.map((t) => [t, def.getActivityById(t)]));
  for (const t of TASK_ORDER) {
    assert(activities[t], `restored definition lacks ${t}`);
    assert(activities[t].counters?.taken === 1, `restored ${t} counters ${JSON.stringify(activities[t].counters)}`);
  }

  // Mid-flight check: state saved after transition 2 (accept done) recovers with both review
  // tasks waiting and can be driven to the end by the recovered engine.
  const probe = new Engine({ name: 'probe', sourceContext });
  const pex = await probe.execute();
  pex.signal({ id: 'accept' });
  const midState = JSON.parse(JSON.stringify(await probe.getState()));
  await probe.stop();
  const resumedEngine = new Engine().recover(midState);
  let ended = false;
  resumedEngine.once('end', () => {
    ended = true;
  });
  const rex = await resumedEngine.resume();
  const waiting = rex.getPostponed().map((a) => a.id).filter((x) => TASK_ORDER.includes(x)).sort();
  assert(JSON.stringify(waiting) === '["review_a","review_b"]', `recovered mid-flight waiting tasks: ${waiting}`);
  for (const t of TASK_ORDER.slice(1)) rex.signal({ id: t });
  assert(ended && resumedEngine.state === 'idle', 'recovered mid-flight engine did not complete');

  console.error(
    `self-check ok: ${count} rows at version ${row.version}; row ${row.id} ` +
      `(${row.state.length} bytes of engine.getState() JSON, engineVersion ${saved.engineVersion}) ` +
      `recovered into a new Engine with all 5 user tasks taken; mid-flight state recovered and resumed`
  );
}

main().catch((err) => {
  console.error(err?.stack || String(err));
  process.exit(1);
});
