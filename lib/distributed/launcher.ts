// launcher.ts - nodetorch-run, the launcher of distributed jobs (PyTorch's torchrun; static rendezvous for a fixed
// --nnodes N, a dynamic one as torchrun's c10d for --nnodes MIN:MAX, Note [elastic rendezvous]):
//   npx nodetorch-run --nproc-per-node 2 train.js --epochs 3
// starts nproc-per-node copies of `node train.js --epochs 3` with the environment torch.distributed's env://
// rendezvous reads (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, ...),
// prefixes each line of their output with its rank, and watches them: when one fails it stops the others (SIGTERM,
// SIGKILL after --term-timeout) and either restarts the whole local group (--max-restarts) or exits with the failed
// worker's exit code. SIGINT/SIGTERM/SIGHUP to the launcher are forwarded to the workers.
//
// Multi-node: run one launcher per node with the same --nnodes, --nproc-per-node, --master-addr, --master-port and
// --max-restarts and its own --node-rank; global RANK = node_rank * nproc_per_node + local_rank. As torchrun's agents,
// the launchers share a TCPStore: node 0's launcher hosts it at MASTER_ADDR:MASTER_PORT (on native threads), every
// launcher connects to it, and the workers use it too (TORCHELASTIC_USE_AGENT_STORE=True: env:// connects to it
// instead of global rank 0 hosting one). Restarts are group-wide (Note [group-wide restarts]).
//
// Note [group-wide restarts]. The job runs in rounds k = 0, 1, ...; before round k every launcher joins a barrier
// (counter join/k reaching nnodes, within --rdzv-conf join_timeout), then starts its workers with
// TORCHELASTIC_RESTART_COUNT=k, so every node's workers of one round have the same count. A store counter, the failure
// generation `gen`, equals the number of rounds that failed: when a worker fails on some node in round k, its
// launcher records the failure (fail/k: the first one wins) and moves gen from k to k+1; every launcher watches gen
// and, once it passes k, stops its workers (SIGTERM, SIGKILL after --term-timeout). Then all restart together in
// round k+1, up to --max-restarts; beyond that every launcher exits non-zero, naming the failed rank. A node whose
// workers all succeed waits until every node's did (ok/k reaching nnodes) or a failure elsewhere restarts the round.
// A launcher that gets SIGINT/SIGTERM closes the job for all (key `closed`); node 0's launcher keeps the store up
// until every launcher has seen the end (exit counter, at most 30 s).
//
// Each worker is started in its own process group (and session), so that stopping it reaches any processes it
// started, and a terminal's Ctrl-C reaches the launcher only, which forwards it. Each node worker also preloads
// launcher_child.js, which ends the worker if the launcher itself is killed (no orphans).
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** A usage error: reported without a stack, exit status 2 (as argparse). */
export class LaunchError extends Error {
  constructor(message: string, readonly help = false) { super(message); this.name = 'LaunchError'; }
}

export interface LaunchConfig {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  /** 0 with --standalone: a free port is picked for each attempt */
  masterPort: number;
  standalone: boolean;
  maxRestarts: number;
  runId: string;
  /** per local rank: bit 1 stdout, bit 2 stderr */
  redirects: number[];
  tee: number[];
  logDir: string | null;
  /** local ranks whose output shows on the console (null: all) */
  localRanksFilter: Set<number> | null;
  /** ${rank}, ${local_rank}, ${role_name} are substituted */
  prefixTemplate: string;
  noPython: boolean;
  /** seconds between SIGTERM and SIGKILL when stopping workers */
  termTimeout: number;
  /** seconds a launcher of a multi-node job waits for the others at each round's barrier (--rdzv-conf join_timeout) */
  joinTimeout: number;
  /** --nnodes MIN:MAX with MIN < MAX: an elastic job (Note [elastic rendezvous]); otherwise minNodes = maxNodes = nnodes */
  minNodes: number;
  maxNodes: number;
  elastic: boolean;
  /** --node-rank was given (ignored by an elastic job, as torchrun's c10d rendezvous ignores it) */
  nodeRankGiven: boolean;
  /** elastic: seconds a round stays open for more nodes once MIN have joined (--rdzv-conf last_call_timeout, 30) */
  lastCallTimeout: number;
  /** elastic: seconds between a launcher's heartbeats, and how many missed ones mean its node is gone (5, 3) */
  keepAliveInterval: number;
  keepAliveMaxAttempt: number;
  /** elastic: --rdzv-conf is_host=1|0 forces whether this launcher hosts the store (null: the first that can) */
  isHost: boolean | null;
  script: string;
  scriptArgs: string[];
}

export const USAGE = `usage: nodetorch-run [options] script.js [script args...]

Starts nproc-per-node copies of \`node script.js\` with torch.distributed's environment (RANK, LOCAL_RANK,
WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, TORCHELASTIC_RESTART_COUNT, ...), as torchrun.
Options take a value as "--opt value" or "--opt=value"; "-" and "_" are interchangeable in option names.

  --nproc-per-node N|gpu|cpu|auto  workers on this node (default 1; gpu: one per CUDA device; cpu: one per core;
                                   auto: gpu if CUDA is available, else cpu)
  --nnodes N|MIN:MAX         number of nodes (default 1); MIN:MAX: an elastic job of MIN to MAX nodes, whose ranks
                             the rendezvous assigns (the store's host first, then in joining order)
  --node-rank R              this node's rank, 0..nnodes-1 (default 0; not used with MIN:MAX)
  --master-addr ADDR         address of node 0, where global rank 0 hosts the TCPStore (default 127.0.0.1)
  --master-port PORT         its port (default 29500)
  --standalone               single node, a free port on localhost (ignores --master-addr/--master-port)
  --max-restarts N           restart the workers up to N times when a worker fails (default 0); with --nnodes > 1
                             every node's workers restart together, as torchrun's
  --rdzv-conf K=V,...        join_timeout=S: seconds each node waits for the others (MIN:MAX: for MIN of them) before
                             a (re)start (default 600); with MIN:MAX also last_call_timeout=S (how long a round waits
                             for more nodes once MIN have joined, default 30), keep_alive_interval=S (5) and
                             keep_alive_max_attempt=N (3): a node silent for S*N seconds is gone; is_host=true|false
  --rdzv-id ID               the run id, TORCHELASTIC_RUN_ID (default "none"; a random one with --standalone)
  --log-dir DIR              write each worker's stdout and stderr to DIR/attempt_<k>/rank<R>/{stdout,stderr}.log
                             (as --tee 3 unless --redirects or --tee say otherwise)
  -r, --redirects 0|1|2|3    send stdout (1), stderr (2) or both (3) to the log files only; per local rank as "0:3,1:1"
  -t, --tee 0|1|2|3          send them to the log files and to the console
  --local-ranks-filter L,..  show only these local ranks' output on the console (the log files get everything)
  --log-line-prefix-template T  console line prefix, with \${rank}, \${local_rank}, \${role_name} (default "[\${rank}]: "
                             as "[rank0]: ")
  --term-timeout S           seconds a stopped worker gets between SIGTERM and SIGKILL (default 30)
  --no-python, --no-node     run script directly as an executable instead of \`node script\`
  -h, --help                 this text`;

const VALUE_OPTS = new Set(['nproc-per-node', 'nnodes', 'node-rank', 'master-addr', 'master-port', 'max-restarts', 'rdzv-id',
  'run-id', 'log-dir', 'redirects', 'tee', 'local-ranks-filter', 'log-line-prefix-template', 'term-timeout', 'rdzv-conf']);
const FLAG_OPTS = new Set(['standalone', 'no-python', 'no-node', 'help']);
const SHORT: Record<string, string> = { '-r': 'redirects', '-t': 'tee', '-h': 'help' };

function intArg(name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new LaunchError(`--${name}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got '${v}'`);
  }
  return n;
}

// "3" for every local rank, or "0:3,1:1" per local rank (the rest 0), as torchrun's --redirects/--tee
function stdSpec(name: string, v: string, nproc: number): number[] {
  const out = new Array<number>(nproc).fill(0);
  if (!v.includes(':')) {
    out.fill(intArg(name, v, 0, 3));
    return out;
  }
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(part);
    if (!m) throw new LaunchError(`--${name}: expected 0..3 or local_rank:0..3 pairs like "0:3,1:1", got '${v}'`);
    const lr = intArg(name, m[1], 0, nproc - 1);
    out[lr] = intArg(name, m[2], 0, 3);
  }
  return out;
}

/** How many CUDA devices nodetorch sees (loads the native addon). */
function cudaDeviceCount(): { count: number; why: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { cuda } = require('../cuda') as typeof import('../cuda');
    if (!cuda.isAvailable()) return { count: 0, why: 'torch.cuda.isAvailable() is false (no CUDA device, or nodetorch was built without CUDA)' };
    return { count: cuda.deviceCount(), why: '' };
  } catch (e) {
    return { count: 0, why: `the nodetorch addon could not be loaded: ${(e as Error).message}` };
  }
}

/** Parses nodetorch-run's command line (torchrun's spelling): options, then the script and its arguments. */
export function parseArgs(argv: string[]): LaunchConfig {
  const raw = new Map<string, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    let name: string;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = (eq >= 0 ? a.slice(2, eq) : a.slice(2)).replace(/_/g, '-');
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (SHORT[a.slice(0, 2)]) {
      name = SHORT[a.slice(0, 2)];
      if (a.length > 2) value = a[2] === '=' ? a.slice(3) : a.slice(2);
    } else {
      throw new LaunchError(`unknown option '${a}'\n\n${USAGE}`);
    }
    if (name === 'no-node') name = 'no-python';
    if (name === 'run-id') name = 'rdzv-id';
    if (FLAG_OPTS.has(name)) {
      if (value !== undefined) throw new LaunchError(`--${name} takes no value`);
      raw.set(name, '');
    } else if (VALUE_OPTS.has(name)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new LaunchError(`--${name} expects a value`);
        value = argv[++i];
      }
      raw.set(name, value);
    } else {
      throw new LaunchError(`unknown option '${a}'\n\n${USAGE}`);
    }
  }
  if (raw.has('help')) throw new LaunchError(USAGE, true);
  if (i >= argv.length) throw new LaunchError(`the training script is missing\n\n${USAGE}`);
  const script = argv[i];
  const scriptArgs = argv.slice(i + 1);

  // --nnodes N, or MIN:MAX as torchrun's (0 < MIN <= MAX; MIN < MAX makes an elastic job)
  const nnodesStr = raw.get('nnodes') ?? '1';
  let minNodes: number;
  let maxNodes: number;
  if (nnodesStr.includes(':')) {
    const mm = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(nnodesStr);
    if (!mm) throw new LaunchError(`--nnodes: expected N or MIN:MAX with integers (as "1:4"), got '${nnodesStr}'`);
    minNodes = Number(mm[1]);
    maxNodes = Number(mm[2]);
    if (!Number.isSafeInteger(minNodes) || !Number.isSafeInteger(maxNodes)) throw new LaunchError(`--nnodes: '${nnodesStr}' is out of range`);
    if (minNodes < 1) throw new LaunchError(`--nnodes ${nnodesStr}: MIN must be at least 1, got ${minNodes}`);
    if (minNodes > maxNodes) throw new LaunchError(`--nnodes ${nnodesStr}: MIN (${minNodes}) must not exceed MAX (${maxNodes})`);
  } else {
    minNodes = maxNodes = intArg('nnodes', nnodesStr, 1);
  }
  const elastic = minNodes < maxNodes;
  const nnodes = maxNodes;
  const nodeRankGiven = raw.has('node-rank');
  const nodeRank = intArg('node-rank', raw.get('node-rank') ?? '0', 0);
  // (an elastic job's ranks come from the rendezvous, as torchrun's c10d: --node-rank is not used)
  if (!elastic && nodeRank >= nnodes) throw new LaunchError(`--node-rank ${nodeRank} must be in [0, ${nnodes - 1}] for --nnodes ${nnodes}`);

  const np = (raw.get('nproc-per-node') ?? '1').trim();
  let nprocPerNode: number;
  if (np === 'gpu' || np === 'auto') {
    const { count, why } = cudaDeviceCount();
    if (count > 0) nprocPerNode = count;
    else if (np === 'auto') nprocPerNode = os.cpus().length || 1;
    else throw new LaunchError(`--nproc-per-node gpu: no CUDA device is available: ${why}`);
  } else if (np === 'cpu') {
    nprocPerNode = os.cpus().length || 1;
  } else {
    nprocPerNode = intArg('nproc-per-node', np, 1);
  }

  const standalone = raw.has('standalone');
  if (standalone && maxNodes !== 1) throw new LaunchError(`--standalone runs a single node, but --nnodes is ${nnodesStr.trim()}`);
  const masterAddr = standalone ? '127.0.0.1' : (raw.get('master-addr') ?? '127.0.0.1');
  if (!masterAddr.trim()) throw new LaunchError('--master-addr must not be empty');
  const masterPort = standalone ? 0 : intArg('master-port', raw.get('master-port') ?? '29500', 1, 65535);
  const maxRestarts = intArg('max-restarts', raw.get('max-restarts') ?? '0', 0);
  const runId = raw.get('rdzv-id') ?? (standalone ? crypto.randomUUID() : 'none');

  const redirects = stdSpec('redirects', raw.get('redirects') ?? '0', nprocPerNode);
  let tee = stdSpec('tee', raw.get('tee') ?? '0', nprocPerNode);
  const logDir = raw.has('log-dir') ? path.resolve(raw.get('log-dir') as string) : null;
  if (logDir && !raw.has('redirects') && !raw.has('tee')) tee = new Array<number>(nprocPerNode).fill(3);

  let localRanksFilter: Set<number> | null = null;
  if (raw.has('local-ranks-filter')) {
    const v = raw.get('local-ranks-filter') as string;
    localRanksFilter = new Set(v.split(',').filter((s) => s.trim() !== '').map((s) => intArg('local-ranks-filter', s, 0, nprocPerNode - 1)));
  }
  const termTimeoutStr = raw.get('term-timeout') ?? '30';
  const termTimeout = Number(termTimeoutStr);
  if (!/^\s*[\d.]+\s*$/.test(termTimeoutStr) || !Number.isFinite(termTimeout) || termTimeout < 0) throw new LaunchError(`--term-timeout: expected a number of seconds >= 0, got '${termTimeoutStr}'`);

  let joinTimeout = 600;
  let lastCallTimeout = 30;
  let keepAliveInterval = 5;
  let keepAliveMaxAttempt = 3;
  let isHost: boolean | null = null;
  const seconds = (key: string, v: string): number => {
    const x = Number(v);
    if (!/^[\d.]+$/.test(v) || !Number.isFinite(x) || x <= 0) throw new LaunchError(`--rdzv-conf ${key}: expected a number of seconds > 0, got '${v}'`);
    return x;
  };
  for (const kv of (raw.get('rdzv-conf') ?? '').split(',').filter((x) => x.trim() !== '')) {
    const m = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(kv);
    if (!m) throw new LaunchError(`--rdzv-conf: expected key=value pairs like "join_timeout=900", got '${kv}'`);
    const key = m[1].replace(/-/g, '_');
    if (key === 'join_timeout') joinTimeout = seconds(key, m[2]);
    else if (key === 'last_call_timeout') lastCallTimeout = seconds(key, m[2]);
    else if (key === 'keep_alive_interval') keepAliveInterval = seconds(key, m[2]);
    else if (key === 'keep_alive_max_attempt') keepAliveMaxAttempt = intArg('rdzv-conf keep_alive_max_attempt', m[2], 1);
    else if (key === 'is_host') {
      const v = m[2].toLowerCase();
      if (['1', 'true', 'yes', 'y'].includes(v)) isHost = true;
      else if (['0', 'false', 'no', 'n'].includes(v)) isHost = false;
      else throw new LaunchError(`--rdzv-conf is_host: expected true or false, got '${m[2]}'`);
    } else {
      throw new LaunchError(`--rdzv-conf: unknown key '${m[1]}' (supported: join_timeout, last_call_timeout, keep_alive_interval, keep_alive_max_attempt, is_host)`);
    }
  }

  return {
    nprocPerNode, nnodes, nodeRank, masterAddr, masterPort, standalone, maxRestarts, runId, redirects, tee, logDir,
    localRanksFilter, prefixTemplate: raw.get('log-line-prefix-template') ?? '[rank${rank}]: ', noPython: raw.has('no-python'),
    termTimeout, joinTimeout, minNodes, maxNodes, elastic, nodeRankGiven, lastCallTimeout, keepAliveInterval, keepAliveMaxAttempt,
    isHost, script, scriptArgs,
  };
}

/** Where a node's workers sit in the job: fixed from --node-rank, or assigned by an elastic rendezvous. */
export interface NodeWorld {
  /** GROUP_RANK: this node's rank among the nodes of the round */
  groupRank: number;
  /** GROUP_WORLD_SIZE: the nodes of the round */
  groupWorldSize: number;
  /** the global rank of this node's local rank 0 (the workers of the nodes before it) */
  rankOffset: number;
  /** WORLD_SIZE: the workers of every node of the round */
  worldSize: number;
  /** TORCHELASTIC_USE_AGENT_STORE: the workers use the launchers' store at MASTER_PORT */
  agentStore: boolean;
}

/** The place of a --node-rank node in a job of --nnodes nodes with nproc-per-node workers each. */
export function fixedWorld(cfg: LaunchConfig): NodeWorld {
  return { groupRank: cfg.nodeRank, groupWorldSize: cfg.nnodes, rankOffset: cfg.nodeRank * cfg.nprocPerNode, worldSize: cfg.nnodes * cfg.nprocPerNode, agentStore: cfg.nnodes > 1 };
}

/** The environment of local rank `localRank` (torchrun's variables). */
export function workerEnv(cfg: LaunchConfig, localRank: number, restartCount: number, masterPort: number, base: NodeJS.ProcessEnv = process.env, world: NodeWorld = fixedWorld(cfg)): NodeJS.ProcessEnv {
  const worldSize = world.worldSize;
  const rank = world.rankOffset + localRank;
  const env: NodeJS.ProcessEnv = {
    ...base,
    LOCAL_RANK: String(localRank),
    RANK: String(rank),
    GROUP_RANK: String(world.groupRank),
    ROLE_RANK: String(rank),
    ROLE_NAME: 'default',
    LOCAL_WORLD_SIZE: String(cfg.nprocPerNode),
    WORLD_SIZE: String(worldSize),
    GROUP_WORLD_SIZE: String(world.groupWorldSize),
    ROLE_WORLD_SIZE: String(worldSize),
    MASTER_ADDR: cfg.masterAddr,
    MASTER_PORT: String(masterPort),
    TORCHELASTIC_RESTART_COUNT: String(restartCount),
    TORCHELASTIC_MAX_RESTARTS: String(cfg.maxRestarts),
    TORCHELASTIC_RUN_ID: cfg.runId,
    // several fixed nodes: the launchers' store (node 0's launcher hosts it at MASTER_PORT) is the workers' store too;
    // an elastic job's global rank 0 hosts a fresh one each round (as torchrun's c10d rendezvous)
    TORCHELASTIC_USE_AGENT_STORE: world.agentStore ? 'True' : 'False',
    NODETORCH_RUN_PID: String(process.pid),
  };
  // as torchrun: several workers on one node share its cores
  if (cfg.nprocPerNode > 1 && base.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = '1';
  return env;
}

/** A free TCP port on `host` (bound, read, released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const SIGNUM: Record<string, number> = os.constants.signals as unknown as Record<string, number>;
const exitStatusOf = (code: number | null, signal: NodeJS.Signals | null): number => (code ?? 128 + (signal ? SIGNUM[signal] ?? 0 : 0));
const describeExit = (code: number | null, signal: NodeJS.Signals | null): string => (signal ? `was killed by ${signal}` : `exited with code ${code}`);

// output of one stream of one worker: whole lines, prefixed, to the console; raw to a log file
class LineSink {
  private partial = '';
  constructor(private readonly console: NodeJS.WritableStream | null, private readonly prefix: string, private readonly file: fs.WriteStream | null) {}
  write(chunk: string): void {
    if (this.file) this.file.write(chunk);
    if (!this.console) return;
    const text = this.partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) { this.partial = text; return; }
    this.partial = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n');
    this.console.write(lines.map((l) => this.prefix + l + '\n').join(''));
  }
  end(): Promise<void> {
    if (this.console && this.partial) { this.console.write(this.prefix + this.partial + '\n'); this.partial = ''; }
    const f = this.file;
    if (!f) return Promise.resolve();
    return new Promise((resolve) => f.end(resolve));
  }
}

interface Worker {
  localRank: number;
  rank: number;
  child: ChildProcess;
  pid: number;
  exited: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** resolves when the process has exited and its output is written */
  done: Promise<void>;
}

interface Failure { localRank: number; rank: number; pid: number; code: number | null; signal: NodeJS.Signals | null; status: number }

type GroupResult = { kind: 'ok' } | { kind: 'failed'; failure: Failure } | { kind: 'signal'; signal: NodeJS.Signals }
  // multi-node: a failure on another node ended the round; the job was closed by another launcher; the store is gone
  | { kind: 'remote' } | { kind: 'closed'; why: string } | { kind: 'lost'; why: string };

const describeFailure = (f: Failure, nodeRank: number): string =>
  `rank ${f.rank} (local rank ${f.localRank} on node ${nodeRank}${f.pid > 0 ? `, pid ${f.pid}` : ''}) ${describeExit(f.code, f.signal)}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The launchers' shared store of a multi-node job (Note [group-wide restarts]): node 0's launcher runs the TCPStore
 * server at --master-port; every launcher is a client. Its calls are short (the server answers on native threads).
 */
class JobStore {
  private readonly store: import('./store').TCPStore;
  private readonly p: string;
  constructor(private readonly cfg: LaunchConfig) {
    // loaded here only: a single-node launcher never needs the native addon
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { TCPStore } = require('./store') as typeof import('./store');
    this.store = new TCPStore(cfg.masterAddr, cfg.masterPort, { isMaster: cfg.nodeRank === 0, timeout: cfg.joinTimeout * 1000 });
    this.p = `/nodetorch-run/${cfg.runId}/`;
    this.store.add(this.p + 'gen', 0);
  }
  count(key: string, d = 0): number { return this.store.add(this.p + key, d); }
  /** the failure generation: how many rounds have failed (or been closed) */
  gen(): number { return this.count('gen'); }
  /** records the failure of round k (the first one wins) and moves the generation past k; the recorded one */
  fail(k: number, why: string): string {
    const got = this.store.compareSet(this.p + `fail/${k}`, '', why).toString();
    this.store.compareSet(this.p + 'gen', String(k), String(k + 1));
    return got;
  }
  failure(k: number): string { return this.store.check([this.p + `fail/${k}`]) ? this.store.get(this.p + `fail/${k}`).toString() : 'a worker failed'; }
  close(k: number, why: string): void {
    this.store.compareSet(this.p + 'closed', '', why);
    this.store.compareSet(this.p + 'gen', String(k), String(k + 1));
  }
  closed(): string | null { return this.store.check([this.p + 'closed']) ? this.store.get(this.p + 'closed').toString() : null; }
  /** waits (without blocking the event loop) until `key` counts n; false after `ms` or when stop() says so */
  async barrier(key: string, n: number, ms: number, stop: () => boolean): Promise<boolean> {
    this.count(key, 1);
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.count(key) >= n) return true;
      if (stop() || Date.now() > deadline) return false;
      await sleep(50);
    }
  }
  /** the end: node 0 keeps the server up until every launcher has seen it (at most 30 s) */
  async finish(): Promise<void> {
    try {
      this.count('exit', 1);
      if (this.cfg.nodeRank === 0) {
        const deadline = Date.now() + 30000;
        while (this.count('exit') < this.cfg.nnodes && Date.now() < deadline) await sleep(50);
      }
    } catch { /* the server is gone already */ }
    this.store.close();
  }
}

/** Whether `addr` names this machine (torchrun's c10d guess of which launcher hosts the store; no DNS lookup). */
export function isThisMachine(addr: string): boolean {
  const a = addr.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost' || a === '::1' || (net.isIPv4(a) && a.startsWith('127.'))) return true;
  if (a === os.hostname().toLowerCase()) return true;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.address.toLowerCase() === a) return true;
  }
  return false;
}

// Note [elastic rendezvous]. With --nnodes MIN:MAX (MIN < MAX) the launchers meet as torchrun's dynamic (c10d)
// rendezvous does: one JSON state in the launchers' store, changed only by compare-and-set, holds the round number,
// whether the round is complete (its group is running), its participants (join order) and a wait list. A launcher
// joins an open round; the round closes at once when MAX have joined, or when at least MIN have and the last-call
// timeout has passed since the MIN-th joined; the launcher that hosts the store must be in it (a slot is kept for it)
// and gets node rank 0, the others follow in join order. A launcher that finds the round complete puts itself on the
// wait list; the running launchers see the list and reopen the round (a membership change: as torchrun's agent, it
// does not count against --max-restarts, so TORCHELASTIC_RESTART_COUNT stays). A failed worker reopens the round
// with restarts + 1 (group-wide, Note [group-wide restarts]); beyond --max-restarts it closes the job. Every launcher
// adds to its heartbeat counter every keep_alive_interval s; one whose counter has not moved for
// keep_alive_interval * keep_alive_max_attempt s (observed on the watcher's own clock) is gone: it is dropped from an
// open round, and a running round loses a node, which restarts the others as a failure would. Each round, global
// rank 0 (the store host's local rank 0) hosts a fresh TCPStore for the workers at a port its launcher picks.
interface Member { id: string; nproc: number; host: boolean; port: number }
interface RdzvState {
  v: number; by: string; round: number; complete: boolean;
  /** ms since the epoch at which an open round with >= MIN participants closes */
  deadline: number | null;
  participants: Member[]; waiting: string[]; restarts: number;
  /** why the current round was opened */
  why: string;
  closed: string | null; finished: boolean;
}
const initialState = (): RdzvState => ({ v: 0, by: '', round: 0, complete: false, deadline: null, participants: [], waiting: [], restarts: 0, why: '', closed: null, finished: false });

/** An elastic job's launchers' store: the rendezvous state, heartbeats and per-round counters (Note [elastic rendezvous]). */
class ElasticStore {
  readonly host: boolean;
  readonly id: string;
  private readonly store: import('./store').TCPStore;
  private readonly p: string;
  private readonly hb: NodeJS.Timeout;
  private readonly seen = new Map<string, { v: number; t: number }>();
  constructor(private readonly cfg: LaunchConfig) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { TCPStore } = require('./store') as typeof import('./store');
    const timeout = cfg.joinTimeout * 1000;
    let store: import('./store').TCPStore | null = null;
    if (cfg.isHost ?? isThisMachine(cfg.masterAddr)) {
      try {
        store = new TCPStore(cfg.masterAddr, cfg.masterPort, { isMaster: true, timeout });
      } catch (e) {
        if (cfg.isHost) throw e;  // (else another launcher on this machine hosts it: this one is a client)
      }
    }
    this.host = store !== null;
    this.store = store ?? new TCPStore(cfg.masterAddr, cfg.masterPort, { isMaster: false, timeout });
    this.id = `${os.hostname()}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    this.p = `/nodetorch-run/${cfg.runId}/elastic/`;
    const n = this.count('reg', 1);
    this.store.set(this.p + `reg/${n}`, this.id);
    this.beat();
    this.hb = setInterval(() => this.beat(), cfg.keepAliveInterval * 1000);
    this.hb.unref();
  }
  private beat(): void { try { this.count(`hb/${this.id}`, 1); } catch { /* the store is gone: the main loop says so */ } }
  count(key: string, d = 0): number { return this.store.add(this.p + key, d); }
  private raw(): string { return this.store.check([this.p + 'state']) ? this.store.get(this.p + 'state').toString() : ''; }
  state(): RdzvState { const r = this.raw(); return r ? JSON.parse(r) as RdzvState : initialState(); }
  /** applies `fn` (which returns whether it changed the state) by compare-and-set, retrying on a concurrent change */
  private update(fn: (s: RdzvState) => boolean): RdzvState {
    for (;;) {
      const raw = this.raw();
      const s = raw ? JSON.parse(raw) as RdzvState : initialState();
      if (!fn(s)) return raw ? JSON.parse(raw) as RdzvState : initialState();
      s.v++;
      s.by = this.id;
      const next = JSON.stringify(s);
      if (this.store.compareSet(this.p + 'state', raw, next).toString() === next) return s;
    }
  }
  /** seconds without a heartbeat after which a launcher is gone */
  get silence(): number { return Number((this.cfg.keepAliveInterval * this.cfg.keepAliveMaxAttempt).toFixed(3)); }
  /** whether launcher `id` has stopped sending heartbeats (as observed by this one) */
  gone(id: string): boolean {
    if (id === this.id) return false;
    const v = this.count(`hb/${id}`);
    const now = Date.now();
    const e = this.seen.get(id);
    if (!e || e.v !== v) { this.seen.set(id, { v, t: now }); return false; }
    return now - e.t > this.silence * 1000;
  }
  /** one step of joining the next round: adds this launcher (or puts it on the wait list), drops the gone, closes the round when due */
  joinStep(port: number): RdzvState {
    const cfg = this.cfg;
    return this.update((s) => {
      if (s.closed) return false;
      const mine = s.participants.some((m) => m.id === this.id);
      if (s.complete) {
        if (mine || s.waiting.includes(this.id) || s.participants.length >= cfg.maxNodes) return false;
        s.waiting.push(this.id);
        return true;
      }
      let changed = false;
      const alive = s.participants.filter((m) => !this.gone(m.id));
      if (alive.length < s.participants.length) {
        s.participants = alive;
        if (alive.length < cfg.minNodes) s.deadline = null;
        changed = true;
      }
      // (a slot is kept for the host: it is node rank 0 and runs the workers' store)
      if (!mine && (this.host || s.participants.filter((m) => !m.host).length < cfg.maxNodes - 1)) {
        s.participants.push({ id: this.id, nproc: cfg.nprocPerNode, host: this.host, port });
        s.waiting = s.waiting.filter((x) => x !== this.id);
        changed = true;
      }
      const n = s.participants.length;
      if (n >= cfg.minNodes && s.deadline === null) { s.deadline = Date.now() + cfg.lastCallTimeout * 1000; changed = true; }
      if (s.participants.some((m) => m.id === this.id) && s.participants.some((m) => m.host) &&
        (n >= cfg.maxNodes || (n >= cfg.minNodes && Date.now() >= (s.deadline as number)))) {
        s.complete = true;
        s.deadline = null;
        s.participants = [...s.participants.filter((m) => m.host), ...s.participants.filter((m) => !m.host)];
        changed = true;
      }
      return changed;
    });
  }
  /** leaves an open round or the wait list (a launcher that gives up) */
  leave(): void {
    this.update((s) => {
      const before = s.participants.length + s.waiting.length;
      s.waiting = s.waiting.filter((x) => x !== this.id);
      if (!s.complete) {
        s.participants = s.participants.filter((m) => m.id !== this.id);
        if (s.participants.length < this.cfg.minNodes) s.deadline = null;
      }
      return s.participants.length + s.waiting.length !== before;
    });
  }
  /** ends the running round `round`: opens the next one (restarts + 1 when `counted`), or closes the job with
   *  `closeWhy` when a counted restart is beyond --max-restarts; a no-op if the round has ended already */
  reopen(round: number, why: (restart: number) => string, counted: boolean, closeWhy: string): RdzvState {
    return this.update((s) => {
      if (s.closed || s.round !== round || !s.complete) return false;
      if (counted && s.restarts >= this.cfg.maxRestarts) { s.closed = closeWhy; return true; }
      if (counted) s.restarts++;
      Object.assign(s, { round: s.round + 1, complete: false, deadline: null, participants: [], waiting: [], why: why(s.restarts) });
      return true;
    });
  }
  close(why: string, finished = false): void {
    this.update((s) => {
      if (s.closed) return false;
      s.closed = why;
      s.finished = finished;
      return true;
    });
  }
  /** the end: the host keeps the server up until every launcher has seen it (or is gone), at most 30 s */
  async finish(): Promise<void> {
    try {
      this.store.set(this.p + `exit/${this.id}`, '1');
      if (this.host) {
        const deadline = Date.now() + 30000;
        for (;;) {
          const ids: string[] = [];
          for (let i = 1, n = this.count('reg'); i <= n; i++) {
            if (this.store.check([this.p + `reg/${i}`])) ids.push(this.store.get(this.p + `reg/${i}`).toString());
          }
          if (ids.every((id) => this.store.check([this.p + `exit/${id}`]) || this.gone(id)) || Date.now() > deadline) break;
          await sleep(50);
        }
      }
    } catch { /* the server is gone already */ }
    clearInterval(this.hb);
    this.store.close();
  }
}

/** An elastic round as this node sees it once the rendezvous closed it. */
interface Assignment { round: number; members: Member[]; index: number; restarts: number; port: number }

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

// a round of an elastic job (Note [elastic rendezvous])
function elasticWatch(es: ElasticStore, a: Assignment, cfg: LaunchConfig): RoundWatch {
  let lastGoneCheck = 0;
  const after = cfg.maxRestarts ? ` (after ${plural(cfg.maxRestarts, 'restart')})` : '';
  const ended = (s: RdzvState): { result: GroupResult; say: string } | null => {
    if (s.closed) return { result: { kind: 'closed', why: s.closed }, say: `the job was stopped (${s.closed}): stopping the workers` };
    if (s.round !== a.round) return { result: { kind: 'remote' }, say: `${s.why.replace(/;.*/, '')}: stopping the workers` };
    return null;
  };
  return {
    poll(okMarked, okAt) {
      if (okMarked && es.count(`ok/${a.round}`) >= a.members.length) return 'okAll';
      const s = es.state();
      if (s.closed && s.finished && okMarked) return 'okAll';
      const e = ended(s);
      if (e) return e;
      // torchrun's num_nodes_waiting(): admit the nodes waiting to join (unless some node's workers finished already)
      if (s.waiting.length && !okMarked && es.count(`ok/${a.round}`) === 0) {
        const n = s.waiting.length;
        return ended(es.reopen(a.round, () => `${plural(n, 'new node')} waiting to join; restarting the worker group to admit ${n === 1 ? 'it' : 'them'} ` +
          '(a membership change does not count against --max-restarts, as torchrun\'s)', false, ''));
      }
      if (Date.now() - lastGoneCheck > 500) {
        lastGoneCheck = Date.now();
        const g = a.members.findIndex((m) => es.gone(m.id));
        if (g >= 0) {
          const why = `node ${g} (launcher ${a.members[g].id}) is gone: no heartbeat for ${es.silence} s`;
          return ended(es.reopen(a.round, (k) => `${why}; restarting the workers of the remaining nodes (restart ${k} of ${cfg.maxRestarts})`, true, why + after));
        }
      }
      if (okMarked && Date.now() - okAt > cfg.joinTimeout * 1000) {
        say(`this node's workers finished, but not every node reported within join_timeout (${cfg.joinTimeout} s): exiting`);
        return 'okAll';
      }
      return null;
    },
    fail(desc) {
      es.reopen(a.round, (k) => `worker group failed: ${desc}; restarting the workers of every node (restart ${k} of ${cfg.maxRestarts})`, true, `worker ${desc}${after}`);
    },
    markOk() { es.count(`ok/${a.round}`, 1); },
  };
}

/** How the launcher of one node watches a round of a multi-node job through the launchers' store. */
interface RoundWatch {
  /** what ended the round elsewhere (with the line to print while workers still run), 'okAll' once every node's workers
   *  have succeeded (okMarked: this node's have), or null; throws when the store is gone */
  poll(okMarked: boolean, okAt: number): { result: GroupResult; say: string } | 'okAll' | null;
  /** records the failure of a worker of this node */
  fail(desc: string): void;
  /** records that every worker of this node succeeded */
  markOk(): void;
}

// round k of a fixed-size job (Note [group-wide restarts])
function fixedWatch(js: JobStore, k: number, cfg: LaunchConfig): RoundWatch {
  return {
    poll(okMarked, okAt) {
      if (js.gen() > k) {
        const closed = js.closed();
        return closed ? { result: { kind: 'closed', why: closed }, say: `the job was stopped (${closed}): stopping the workers` }
          : { result: { kind: 'remote' }, say: `a worker on another node failed (${js.failure(k)}): stopping the workers` };
      }
      if (okMarked && js.count(`ok/${k}`) >= cfg.nnodes) return 'okAll';
      if (okMarked && Date.now() - okAt > cfg.joinTimeout * 1000) {
        // (as torchrun's exit barrier: a node that never reports does not keep this one forever)
        say(`this node's workers finished, but not every node reported within join_timeout (${cfg.joinTimeout} s): exiting`);
        return 'okAll';
      }
      return null;
    },
    fail(desc) { js.fail(k, desc); },
    markOk() { js.count(`ok/${k}`, 1); },
  };
}

function say(msg: string): void { process.stderr.write(`[nodetorch-run] ${msg}\n`); }

function killGroup(w: Worker, sig: NodeJS.Signals): void {
  if (w.exited || !(w.pid > 1)) return;
  try { process.kill(-w.pid, sig); } catch { try { w.child.kill(sig); } catch { /* gone */ } }
}

/** Runs the job to the end; resolves with the launcher's exit status. */
export class Launcher {
  private workers: Worker[] = [];
  private signal: NodeJS.Signals | null = null;
  private signalCount = 0;
  private onGroupEvent: (() => void) | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();
  /** this node's place in the job (an elastic job's changes from round to round) */
  private world: NodeWorld;

  constructor(readonly cfg: LaunchConfig) { this.world = fixedWorld(cfg); }

  async run(): Promise<number> {
    const cfg = this.cfg;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
      const h = (): void => this.onSignal(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    try {
      if (cfg.nprocPerNode > 1 && process.env.OMP_NUM_THREADS === undefined) {
        say('setting OMP_NUM_THREADS=1 for each worker (as torchrun) so that the workers do not overload the cores; set it yourself to tune');
      }
      let logDir = cfg.logDir;
      if (!logDir && (cfg.redirects.some((v) => v) || cfg.tee.some((v) => v))) {
        logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-run_'));
        say(`log directory: ${logDir}`);
      }
      if (cfg.elastic) return await this.runElastic(logDir);
      if (cfg.nnodes > 1) return await this.runJob(logDir);
      for (let attempt = 0; ; attempt++) {
        const port = cfg.standalone ? await freePort('127.0.0.1') : cfg.masterPort;
        if (this.signal) return 128 + (SIGNUM[this.signal] ?? 0);
        const r = await this.runGroup(attempt, port, logDir);
        if (r.kind === 'ok') return 0;
        if (r.kind === 'signal') return 128 + (SIGNUM[r.signal] ?? 0);
        if (r.kind !== 'failed') return 1;  // (multi-node results only)
        const f = r.failure;
        const who = `rank ${f.rank} (local rank ${f.localRank}${f.pid > 0 ? `, pid ${f.pid}` : ''})`;
        if (attempt < cfg.maxRestarts) {
          say(`worker group failed: ${who} ${describeExit(f.code, f.signal)}; ` +
            `restarting the local worker group (restart ${attempt + 1} of ${cfg.maxRestarts})`);
          continue;
        }
        say(`worker ${who} failed: it ${describeExit(f.code, f.signal)}` +
          (cfg.maxRestarts ? ` (after ${cfg.maxRestarts} restart${cfg.maxRestarts > 1 ? 's' : ''})` : '') +
          (cfg.nprocPerNode > 1 ? '; the other workers were stopped' : '') + (logDir ? `; logs in ${logDir}` : ''));
        return f.status || 1;
      }
    } finally {
      for (const [sig, h] of this.handlers) process.removeListener(sig, h);
      this.handlers.clear();
    }
  }

  // a multi-node job (Note [group-wide restarts])
  // the job's store is gone (its host node died, the network broke): this node's workers are stopped; exit status 1
  private storeLost(where: string, e: unknown): number {
    say(`lost the launchers' store at ${where} (${(e as Error).message}); the workers of this node were stopped`);
    for (const w of this.workers) killGroup(w, 'SIGKILL');
    return 1;
  }

  private async runJob(logDir: string | null): Promise<number> {
    const cfg = this.cfg;
    const where = `${cfg.masterAddr}:${cfg.masterPort}`;
    let js: JobStore;
    try {
      js = new JobStore(cfg);
    } catch (e) {
      say(cfg.nodeRank === 0 ? `node 0 could not host the launchers' store at port ${cfg.masterPort}: ${(e as Error).message}`
        : `could not reach the launchers' store at ${where} (hosted by node 0's launcher) within ${cfg.joinTimeout} s: ${(e as Error).message}`);
      return 1;
    }
    try {
      for (let k = 0; ; k++) {
        if (this.signal) { js.close(k, `node ${cfg.nodeRank}'s launcher received ${this.signal}`); return 128 + (SIGNUM[this.signal] ?? 0); }
        const closed = js.closed();
        if (closed) { say(`the job was stopped: ${closed}`); return 1; }
        if (js.gen() > k) continue;  // (a round that failed before this launcher joined it)
        if (!await js.barrier(`join/${k}`, cfg.nnodes, cfg.joinTimeout * 1000, () => this.signal !== null || js.gen() > k)) {
          if (this.signal) continue;
          if (js.gen() > k) { k--; continue; }  // re-check: closed, or the round failed meanwhile
          say(`timed out after ${cfg.joinTimeout} s waiting for the other nodes to join ${k ? `restart ${k}` : 'the job'} (${js.count(`join/${k}`)} of ${cfg.nnodes} nodes arrived)`);
          js.close(k, `node ${cfg.nodeRank} timed out waiting for the other nodes`);
          return 1;
        }
        const r = await this.runGroup(k, cfg.masterPort, logDir, fixedWatch(js, k, cfg));
        if (r.kind === 'ok') return 0;
        if (r.kind === 'signal') {
          try { js.close(k, `node ${cfg.nodeRank}'s launcher received ${r.signal}`); } catch { /* store gone */ }
          return 128 + (SIGNUM[r.signal] ?? 0);
        }
        if (r.kind === 'closed') { say(`the job was stopped: ${r.why}; the workers of this node were stopped`); return 1; }
        if (r.kind === 'lost') { say(`lost the launchers' store at ${where} (${r.why}): node 0's launcher is gone; the workers of this node were stopped`); return 1; }
        const why = js.failure(k);
        if (k < cfg.maxRestarts) {
          say(`worker group failed: ${why}; restarting the workers of all ${cfg.nnodes} nodes (restart ${k + 1} of ${cfg.maxRestarts})`);
          continue;
        }
        say(`worker ${why}` + (cfg.maxRestarts ? ` (after ${cfg.maxRestarts} restart${cfg.maxRestarts > 1 ? 's' : ''})` : '') +
          `; the workers of all ${cfg.nnodes} nodes were stopped` + (logDir ? `; logs in ${logDir}` : ''));
        return r.kind === 'failed' ? r.failure.status || 1 : 1;
      }
    } catch (e) {
      return this.storeLost(where, e);
    } finally {
      await js.finish();
    }
  }

  // an elastic job (Note [elastic rendezvous])
  private async runElastic(logDir: string | null): Promise<number> {
    const cfg = this.cfg;
    const where = `${cfg.masterAddr}:${cfg.masterPort}`;
    const range = `--nnodes ${cfg.minNodes}:${cfg.maxNodes}`;
    if (cfg.nodeRankGiven) say(`--node-rank is not used by an elastic job (${range}): the rendezvous assigns the node ranks, as torchrun's c10d rendezvous`);
    let es: ElasticStore;
    try {
      es = new ElasticStore(cfg);
    } catch (e) {
      say(`could not host or reach the launchers' store at ${where} within ${cfg.joinTimeout} s: ${(e as Error).message}`);
      return 1;
    }
    if (es.host) say(`elastic job of ${cfg.minNodes} to ${plural(cfg.maxNodes, 'node')}: this launcher hosts the rendezvous store at ${where} (node rank 0 in every round)`);
    const bySignal = (sig: NodeJS.Signals): number => {
      try { es.close(`a launcher received ${sig}`); } catch { /* store gone */ }
      return 128 + (SIGNUM[sig] ?? 0);
    };
    try {
      for (;;) {
        if (this.signal) return bySignal(this.signal);
        const a = await this.elasticJoin(es, range);
        if (typeof a === 'number') return a;
        const me = a.members[a.index];
        const rankOffset = a.members.slice(0, a.index).reduce((t, m) => t + m.nproc, 0);
        const worldSize = a.members.reduce((t, m) => t + m.nproc, 0);
        this.world = { groupRank: a.index, groupWorldSize: a.members.length, rankOffset, worldSize, agentStore: false };
        say(`round ${a.round}: node ${a.index} of ${a.members.length} (${range}), ranks ${rankOffset}..${rankOffset + me.nproc - 1} of ${worldSize}, ` +
          `restart count ${a.restarts}`);
        const r = await this.runGroup(a.restarts, a.port, logDir, elasticWatch(es, a, cfg));
        if (r.kind === 'ok') { es.close('the job finished', true); return 0; }
        if (r.kind === 'signal') return bySignal(r.signal);
        if (r.kind === 'lost') { say(`lost the launchers' store at ${where} (${r.why}): the launcher that hosted it is gone; the workers of this node were stopped`); return 1; }
        const s = es.state();
        const status = r.kind === 'failed' ? r.failure.status || 1 : 1;
        if (s.closed) {
          say(`the job was stopped: ${s.closed}; the workers of this node were stopped` + (logDir ? `; logs in ${logDir}` : ''));
          return status;
        }
        if (s.round === a.round) {  // (cannot happen: a round ends by being reopened or closed)
          es.close(`node ${a.index}'s launcher found round ${a.round} still running after its workers stopped`);
          say(`internal error: round ${a.round} is still running after this node's workers stopped`);
          return 1;
        }
        say(s.why);
      }
    } catch (e) {
      return this.storeLost(where, e);
    } finally {
      await es.finish();
    }
  }

  // joins the next round of an elastic job: the round's membership, or the launcher's exit status
  private async elasticJoin(es: ElasticStore, range: string): Promise<Assignment | number> {
    const cfg = this.cfg;
    const deadline = Date.now() + cfg.joinTimeout * 1000;
    // the host's local rank 0 will host the workers' store of the round at this port
    const port = es.host ? await freePort('0.0.0.0') : 0;
    let waitSaid = false;
    for (;;) {
      if (this.signal) {
        try { es.close(`a launcher received ${this.signal}`); } catch { /* store gone */ }
        return 128 + (SIGNUM[this.signal] ?? 0);
      }
      const s = es.joinStep(port);
      if (s.closed) {
        say(s.finished ? 'the job finished before this node could join it' : `the job was stopped: ${s.closed}`);
        return 1;
      }
      const index = s.participants.findIndex((m) => m.id === es.id);
      if (s.complete && index >= 0) return { round: s.round, members: s.participants, index, restarts: s.restarts, port: s.participants[0].port };
      if (s.complete && !waitSaid) {
        say(s.waiting.includes(es.id) ? `a group of ${plural(s.participants.length, 'node')} is running: waiting for it to restart and admit this node`
          : `the job is full (${plural(cfg.maxNodes, 'node')}): waiting for a place in a later round`);
        waitSaid = true;
      }
      if (Date.now() > deadline) {
        const joined = s.complete ? 0 : s.participants.length;
        const why = `timed out after ${cfg.joinTimeout} s (join_timeout) waiting for at least ${plural(cfg.minNodes, 'node')} (${range}) to join ` +
          `${s.round ? `round ${s.round}` : 'the job'}: ${s.complete ? 'this node could not join the running group' : `${joined} joined`}` +
          (!s.complete && joined >= cfg.minNodes ? ', but not the launcher that hosts the store' : '');
        try { es.leave(); } catch { /* store gone */ }
        say(why);
        // (the host's store ends with it: tell the others why)
        if (es.host) es.close(`the launcher hosting the store ${why}`);
        return 1;
      }
      await sleep(50);
    }
  }

  private onSignal(sig: NodeJS.Signals): void {
    this.signalCount++;
    if (!this.signal) this.signal = sig;
    if (this.signalCount === 1) {
      say(`received ${sig}, forwarding it to the workers`);
      for (const w of this.workers) killGroup(w, sig); // also when they are already being stopped after a failure
      this.stopAll(sig);
    } else {
      say(`received ${sig} again, killing the workers`);
      for (const w of this.workers) killGroup(w, 'SIGKILL');
    }
    this.onGroupEvent?.();
  }

  // the first stop sends `sig` to every live worker's process group, and SIGKILL after the grace period
  private stopAll(sig: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const w of this.workers) killGroup(w, sig);
    this.killTimer = setTimeout(() => {
      const left = this.workers.filter((w) => !w.exited);
      if (left.length) say(`${left.length} worker${left.length > 1 ? 's' : ''} still running ${this.cfg.termTimeout} s after ${sig}: sending SIGKILL`);
      for (const w of left) killGroup(w, 'SIGKILL');
    }, this.cfg.termTimeout * 1000);
  }

  private spawnWorker(localRank: number, attempt: number, port: number, logDir: string | null): Worker {
    const cfg = this.cfg;
    const rank = this.world.rankOffset + localRank;
    const env = workerEnv(cfg, localRank, attempt, port, process.env, this.world);
    const preload = path.join(__dirname, 'launcher_child.js');
    const [cmd, args] = cfg.noPython ? [cfg.script, cfg.scriptArgs]
      : [process.execPath, [...(fs.existsSync(preload) ? ['--require', preload] : []), cfg.script, ...cfg.scriptArgs]];
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const prefix = cfg.prefixTemplate.replace(/\$\{rank\}/g, String(rank)).replace(/\$\{local_rank\}/g, String(localRank)).replace(/\$\{role_name\}/g, 'default');
    const show = !cfg.localRanksFilter || cfg.localRanksFilter.has(localRank);
    const sinks: LineSink[] = [];
    const streams: [NodeJS.ReadableStream | null, NodeJS.WritableStream, number, string][] = [
      [child.stdout, process.stdout, 1, 'stdout.log'], [child.stderr, process.stderr, 2, 'stderr.log']];
    let dir: string | null = null;
    for (const [src, dst, bit, file] of streams) {
      const toFile = !!logDir && !!((cfg.redirects[localRank] | cfg.tee[localRank]) & bit);
      const toConsole = show && (!(cfg.redirects[localRank] & bit) || !!(cfg.tee[localRank] & bit));
      if (toFile && !dir) {
        dir = path.join(logDir as string, `attempt_${attempt}`, `rank${rank}`);
        fs.mkdirSync(dir, { recursive: true });
      }
      const sink = new LineSink(toConsole ? dst : null, prefix, toFile ? fs.createWriteStream(path.join(dir as string, file)) : null);
      sinks.push(sink);
      if (src) {
        src.setEncoding('utf8');
        src.on('data', (c: string) => sink.write(c));
      }
    }
    const w: Worker = { localRank, rank, child, pid: child.pid ?? -1, exited: false, exit: null, done: Promise.resolve() };
    w.done = new Promise<void>((resolve) => {
      let finished = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (finished) return;
        finished = true;
        w.exited = true;
        w.exit = { code, signal };
        this.onGroupEvent?.();
        // the pipes close when the last process holding them exits; a grandchild may keep them open, so wait at most 2 s
        const closed = new Promise<void>((r) => { if (child.stdout?.readableEnded && child.stderr?.readableEnded) r(); else child.once('close', () => r()); });
        const t = new Promise<void>((r) => setTimeout(r, 2000).unref());
        void Promise.race([closed, t]).then(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          return Promise.all(sinks.map((s) => s.end()));
        }).then(() => resolve());
      };
      child.once('exit', (code, signal) => finish(code, signal));
      child.once('error', (e: NodeJS.ErrnoException) => {
        say(`could not start rank ${rank}: ${e.message}`);
        finish(e.code === 'ENOENT' ? 127 : 126, null);
      });
    });
    return w;
  }

  private async runGroup(attempt: number, port: number, logDir: string | null, watch: RoundWatch | null = null): Promise<GroupResult> {
    this.stopping = false;
    this.workers = [];
    let failure: Failure | null = null;
    let other: GroupResult | null = null;  // multi-node: why the round ended elsewhere (remote failure, closed, store lost)
    let okMarked = false;
    let okAt = 0;
    let okAll = false;
    let wake: () => void = () => {};
    this.onGroupEvent = () => wake();
    // multi-node: the other nodes' failures and success are polled (Note [group-wide restarts])
    const poll = watch ? setInterval(() => wake(), 100) : null;
    for (let lr = 0; lr < this.cfg.nprocPerNode; lr++) this.workers.push(this.spawnWorker(lr, attempt, port, logDir));
    if (this.signal) this.stopAll(this.signal); // a signal that came while starting
    try {
      for (;;) {
        const changed = new Promise<void>((r) => { wake = r; });
        if (watch && !other && !failure && !this.signal && !okAll) {
          try {
            const p = watch.poll(okMarked, okAt);
            if (p === 'okAll') okAll = true;
            else if (p) {
              other = p.result;
              if (this.workers.some((w) => !w.exited)) say(p.say);
              this.stopAll('SIGTERM');
            }
          } catch (e) {
            other = { kind: 'lost', why: (e as Error).message };
            this.stopAll('SIGTERM');
          }
        }
        if (!failure && !other && !this.signal) {
          const bad = this.workers.find((w) => w.exited && exitStatusOf(w.exit!.code, w.exit!.signal) !== 0);
          if (bad) {
            failure = { localRank: bad.localRank, rank: bad.rank, pid: bad.pid, code: bad.exit!.code, signal: bad.exit!.signal, status: exitStatusOf(bad.exit!.code, bad.exit!.signal) };
            if (this.workers.some((w) => !w.exited)) say(`rank ${bad.rank}${bad.pid > 0 ? ` (pid ${bad.pid})` : ''} ${describeExit(bad.exit!.code, bad.exit!.signal)}: stopping the other workers`);
            if (watch) {
              try { watch.fail(describeFailure(failure, this.world.groupRank)); } catch (e) { other = { kind: 'lost', why: (e as Error).message }; }
            }
            this.stopAll('SIGTERM');
          }
        }
        const allExited = this.workers.every((w) => w.exited);
        if (watch && allExited && !failure && !other && !this.signal && !okMarked) {
          try { watch.markOk(); okMarked = true; okAt = Date.now(); } catch (e) { other = { kind: 'lost', why: (e as Error).message }; }
          continue;  // look at once whether the others are done too
        }
        if (allExited && (!watch || failure || other || this.signal || okAll)) break;
        await changed;
      }
    } finally {
      if (poll) clearInterval(poll);
    }
    await Promise.all(this.workers.map((w) => w.done));
    if (this.killTimer) { clearTimeout(this.killTimer); this.killTimer = null; }
    this.onGroupEvent = null;
    if (this.signal) return { kind: 'signal', signal: this.signal };
    if (failure) return { kind: 'failed', failure };
    if (other) return other;
    return { kind: 'ok' };
  }
}

/** The command-line entry point (scripts/nodetorch-run.js). */
export function main(argv: string[] = process.argv.slice(2)): void {
  let cfg: LaunchConfig;
  try {
    cfg = parseArgs(argv);
  } catch (e) {
    if (e instanceof LaunchError) {
      const help = e.help;
      (help ? process.stdout : process.stderr).write((help ? '' : 'nodetorch-run: error: ') + e.message + '\n');
      process.exitCode = help ? 0 : 2;
      return;
    }
    throw e;
  }
  // a closed console (| head) must not kill the launcher while its workers run
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  new Launcher(cfg).run().then((code) => { process.exitCode = code; }, (e: Error) => {
    say(`internal error: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  });
}
