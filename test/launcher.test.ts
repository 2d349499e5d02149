// nodetorch-run (lib/distributed/launcher.ts, scripts/nodetorch-run.js): the real launcher, spawned on small worker
// scripts written to a temp dir. Environment, rank-prefixed output, log files, failure handling (the others are
// stopped, no orphans, the failed worker's exit code), --max-restarts, signal forwarding, and two launchers as two
// nodes whose four workers rendezvous through env:// and all-reduce over Gloo. Needs the compiled library (dist/).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parseArgs, workerEnv, LaunchError } from '../lib/distributed/launcher';
import { isGlooAvailable, glooUnavailableReason } from '../lib/distributed';
import { cuda } from '../lib/cuda';

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'nodetorch-run.js');
const DIST = path.join(ROOT, 'dist', 'index.js');
const haveDist = fs.existsSync(path.join(ROOT, 'dist', 'distributed', 'launcher.js')) && fs.existsSync(DIST);
if (!haveDist) console.warn('launcher.test.ts: dist/ is not built (npm run build:ts); the tests that spawn nodetorch-run are SKIPPED');
const describeRun = haveDist ? describe : describe.skip;

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-launch-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body);
  return p;
}

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }
interface Running { child: ChildProcess; out: { stdout: string; stderr: string }; result: Promise<Result> }

function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const t0 = Date.now();
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const child = spawn(process.execPath, [RUN, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out.stdout += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { out.stderr += c; });
  const result = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...out, ms: Date.now() - t0 })));
  return { child, out, result };
}
const run = (args: string[], env?: NodeJS.ProcessEnv): Promise<Result> => start(args, env).result;

async function until(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// a process that is gone or a zombie (a worker orphaned by a killed launcher is reparented, and its new parent may
// not reap it at once) is not running
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try { process.kill(pid, 0); return true; } catch { return false; }
  }
}

// the worker lines of one stream: prefix -> payload lines
function byRank(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const r = /^\[rank(\d+)\]: (.*)$/.exec(line);
    if (!r) continue;
    if (!m.has(r[1])) m.set(r[1], []);
    m.get(r[1])!.push(r[2]);
  }
  return m;
}
const jsonLines = (text: string, tag: string): Record<string, string>[] => text.split('\n').filter((l) => l.includes(tag)).map((l) => JSON.parse(l.slice(l.indexOf('{'))));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

const ENV_KEYS = ['RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'GROUP_RANK', 'GROUP_WORLD_SIZE', 'ROLE_RANK', 'MASTER_ADDR',
  'MASTER_PORT', 'TORCHELASTIC_RESTART_COUNT', 'TORCHELASTIC_MAX_RESTARTS', 'TORCHELASTIC_RUN_ID', 'OMP_NUM_THREADS'];
const ENV_SCRIPT = `console.log('ENV' + JSON.stringify({ ...Object.fromEntries(${JSON.stringify(ENV_KEYS)}.map((k) => [k, process.env[k]])), args: process.argv.slice(2).join(' ') }));\n`;

// For two workers: after its setup, each calls mark(); other() resolves once the other rank has marked too (marker
// files per tag and attempt), so that a failure is staged only after both workers are up, however slow their start
const sync = (tag: string): string => `
const fs_ = require('fs');
const marker_ = (r) => ${JSON.stringify(dir)} + '/${tag}-' + process.env.TORCHELASTIC_RESTART_COUNT + '-' + r;
const mark = () => fs_.writeFileSync(marker_(process.env.RANK), '');
const other = () => new Promise((res) => { const t = setInterval(() => { if (fs_.existsSync(marker_(1 - Number(process.env.RANK)))) { clearInterval(t); res(); } }, 10); });
`;

describe('nodetorch-run command line (parseArgs)', () => {
  test('torchrun spellings: --opt value, --opt=value, dashes or underscores; the script and its arguments', () => {
    const a = parseArgs(['--nproc-per-node', '2', '--nnodes=3', '--node_rank', '2', '--master_addr=10.0.0.1', '--master-port', '1234', '--max_restarts=4', 'train.js', '--lr', '0.1', '--nnodes', '9']);
    expect(a).toMatchObject({ nprocPerNode: 2, nnodes: 3, nodeRank: 2, masterAddr: '10.0.0.1', masterPort: 1234, maxRestarts: 4, standalone: false, runId: 'none', script: 'train.js', scriptArgs: ['--lr', '0.1', '--nnodes', '9'] });
    const b = parseArgs(['--nproc_per_node=2', '--nnodes', '3:3', '--', 'x.js']);
    expect(b).toMatchObject({ nprocPerNode: 2, nnodes: 3, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 29500, maxRestarts: 0, script: 'x.js', scriptArgs: [] });
    const c = parseArgs(['--standalone', '--nproc-per-node', '3', '-t', '0:3,2:1', '--log-dir', 'logs', 'x.js']);
    expect(c.standalone).toBe(true);
    expect(c.masterPort).toBe(0);
    expect(c.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.tee).toEqual([3, 0, 1]);
    expect(c.redirects).toEqual([0, 0, 0]);
    expect(c.logDir).toBe(path.resolve('logs'));
    // a log dir alone writes both streams of every rank to files and the console
    expect(parseArgs(['--nproc-per-node', '2', '--log_dir', 'l', 'x.js']).tee).toEqual([3, 3]);
    expect(parseArgs(['-r', '3', 'x.js']).redirects).toEqual([3]);
  });

  test('global rank = node_rank * nproc_per_node + local_rank, and the rest of torchrun\'s environment', () => {
    const cfg = parseArgs(['--nnodes', '2', '--node-rank', '1', '--nproc-per-node', '3', '--master-port', '4321', '--rdzv-id', 'job7', 'x.js']);
    const e = workerEnv(cfg, 2, 1, 4321, {});
    expect(e).toMatchObject({ RANK: '5', LOCAL_RANK: '2', WORLD_SIZE: '6', LOCAL_WORLD_SIZE: '3', GROUP_RANK: '1', GROUP_WORLD_SIZE: '2', ROLE_RANK: '5',
      MASTER_ADDR: '127.0.0.1', MASTER_PORT: '4321', TORCHELASTIC_RESTART_COUNT: '1', TORCHELASTIC_MAX_RESTARTS: '0', TORCHELASTIC_RUN_ID: 'job7', OMP_NUM_THREADS: '1' });
    expect(workerEnv(cfg, 0, 0, 4321, { OMP_NUM_THREADS: '4' }).OMP_NUM_THREADS).toBe('4');
    // several nodes: the workers use the launchers' store (node 0's launcher hosts it), as torchrun's agent store
    expect(e.TORCHELASTIC_USE_AGENT_STORE).toBe('True');
    expect(workerEnv(parseArgs(['--nproc-per-node', '2', 'x.js']), 0, 0, 4321, {}).TORCHELASTIC_USE_AGENT_STORE).toBe('False');
    expect(cfg.joinTimeout).toBe(600);
    expect(parseArgs(['--nnodes', '2', '--rdzv-conf', 'join_timeout=30', 'x.js']).joinTimeout).toBe(30);
  });

  test('--nnodes MIN:MAX: an elastic job (torchrun\'s defaults: join_timeout 600 s, last_call_timeout 30 s, heartbeats 5 s x 3); N:N is N fixed nodes', () => {
    const e = parseArgs(['--nnodes', '1:4', '--node-rank', '7', '--nproc-per-node', '2', 'x.js']);
    expect(e).toMatchObject({ elastic: true, minNodes: 1, maxNodes: 4, nodeRankGiven: true, joinTimeout: 600, lastCallTimeout: 30, keepAliveInterval: 5, keepAliveMaxAttempt: 3, isHost: null });
    const c = parseArgs(['--nnodes=2:3', '--rdzv_conf', 'join_timeout=9,last-call-timeout=0.5,keep_alive_interval=0.2,keep_alive_max_attempt=4,is_host=false', 'x.js']);
    expect(c).toMatchObject({ elastic: true, minNodes: 2, maxNodes: 3, nodeRankGiven: false, joinTimeout: 9, lastCallTimeout: 0.5, keepAliveInterval: 0.2, keepAliveMaxAttempt: 4, isHost: false });
    expect(parseArgs(['--nnodes', '2:2', 'x.js'])).toMatchObject({ elastic: false, nnodes: 2, minNodes: 2, maxNodes: 2 });
    expect(parseArgs(['--nnodes', '3', 'x.js'])).toMatchObject({ elastic: false, nnodes: 3, minNodes: 3, maxNodes: 3 });
    // the rendezvous places a node: global ranks follow the nodes before it, whatever their nproc
    const env = workerEnv(c, 1, 2, 4000, {}, { groupRank: 2, groupWorldSize: 3, rankOffset: 5, worldSize: 9, agentStore: false });
    expect(env).toMatchObject({ RANK: '6', LOCAL_RANK: '1', GROUP_RANK: '2', GROUP_WORLD_SIZE: '3', WORLD_SIZE: '9', ROLE_RANK: '6', ROLE_WORLD_SIZE: '9',
      MASTER_PORT: '4000', TORCHELASTIC_RESTART_COUNT: '2', TORCHELASTIC_USE_AGENT_STORE: 'False' });
  });

  test('bad command lines', () => {
    const bad = (args: string[], re: RegExp): void => {
      expect(() => parseArgs(args)).toThrow(LaunchError);
      expect(() => parseArgs(args)).toThrow(re);
    };
    bad(['--nproc-per-node', '0', 'x.js'], /--nproc-per-node: expected an integer >= 1, got '0'/);
    bad(['--nproc-per-node', 'two', 'x.js'], /--nproc-per-node/);
    bad(['--nnodes', '2', '--node-rank', '2', 'x.js'], /--node-rank 2 must be in \[0, 1\]/);
    bad(['--nnodes', '3:2', 'x.js'], /--nnodes 3:2: MIN \(3\) must not exceed MAX \(2\)/);
    bad(['--nnodes', '0:2', 'x.js'], /--nnodes 0:2: MIN must be at least 1, got 0/);
    bad(['--nnodes', 'a:b', 'x.js'], /--nnodes: expected N or MIN:MAX with integers \(as "1:4"\), got 'a:b'/);
    bad(['--nnodes', '1:2:3', 'x.js'], /expected N or MIN:MAX/);
    bad(['--nnodes', '0', 'x.js'], /--nnodes: expected an integer >= 1, got '0'/);
    bad(['--standalone', '--nnodes', '1:2', 'x.js'], /single node, but --nnodes is 1:2/);
    bad(['--nnodes', '1:2', '--rdzv-conf', 'last_call_timeout=-1', 'x.js'], /last_call_timeout: expected a number of seconds > 0/);
    bad(['--rdzv-conf', 'keep_alive_max_attempt=0', 'x.js'], /keep_alive_max_attempt/);
    bad(['--rdzv-conf', 'is_host=maybe', 'x.js'], /is_host: expected true or false/);
    bad(['--standalone', '--nnodes', '2', 'x.js'], /single node/);
    bad(['--rdzv-conf', 'join_timeout=0', 'x.js'], /join_timeout/);
    bad(['--rdzv-conf', 'last_call=3', 'x.js'], /unknown key 'last_call'/);
    bad(['--master-port', '70000', 'x.js'], /--master-port/);
    bad(['--bogus', 'x.js'], /unknown option '--bogus'/);
    bad(['--nproc-per-node'], /expects a value/);
    bad(['--nproc-per-node', '2'], /script is missing/);
    bad(['--nproc-per-node', '2', '--tee', '5', 'x.js'], /--tee/);
    bad(['--nproc-per-node', '2', '--local-ranks-filter', '2', 'x.js'], /--local-ranks-filter/);
    bad(['--standalone=1', 'x.js'], /takes no value/);
  });
});

describeRun('nodetorch-run', () => {
  test('two workers get torchrun\'s environment and their arguments; --standalone picks a free port', async () => {
    const w = script('env.js', ENV_SCRIPT);
    const r = await run(['--nproc-per-node', '2', w, 'a', '--b=1'], { OMP_NUM_THREADS: '' });
    expect(r.code).toBe(0);
    const envs = jsonLines(r.stdout, 'ENV{').sort((p, q) => Number(p.RANK) - Number(q.RANK));
    expect(envs).toEqual([0, 1].map((k) => ({ RANK: String(k), LOCAL_RANK: String(k), WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2', GROUP_RANK: '0', GROUP_WORLD_SIZE: '1',
      ROLE_RANK: String(k), MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29500', TORCHELASTIC_RESTART_COUNT: '0', TORCHELASTIC_MAX_RESTARTS: '0',
      TORCHELASTIC_RUN_ID: 'none', OMP_NUM_THREADS: '', args: 'a --b=1' })));

    const s = await run(['--standalone', '--nproc_per_node=2', w], { OMP_NUM_THREADS: undefined as unknown as string });
    expect(s.code).toBe(0);
    const se = jsonLines(s.stdout, 'ENV{');
    expect(se.length).toBe(2);
    expect(se[0].MASTER_PORT).toBe(se[1].MASTER_PORT);
    expect(Number(se[0].MASTER_PORT)).toBeGreaterThan(0);
    expect(se[0].TORCHELASTIC_RUN_ID).toBe(se[1].TORCHELASTIC_RUN_ID);
    expect(se[0].TORCHELASTIC_RUN_ID).not.toBe('none');
    expect(se.map((e) => e.OMP_NUM_THREADS)).toEqual(['1', '1']); // as torchrun, with a notice
    expect(s.stderr).toMatch(/OMP_NUM_THREADS=1/);
  });

  test('every output line carries its rank, on stdout and stderr, whole lines, a last line without newline too', async () => {
    const w = script('lines.js', `
const r = process.env.RANK;
for (let i = 0; i < 300; i++) process.stdout.write('out ' + r + ' ' + i + ' ' + 'x'.repeat(i % 50) + '\\n');
for (let i = 0; i < 50; i++) console.error('err ' + r + ' ' + i);
process.stdout.write('tail ' + r);
`);
    const r = await run(['--nproc-per-node', '3', w]);
    expect(r.code).toBe(0);
    const out = byRank(r.stdout), err = byRank(r.stderr);
    for (const k of ['0', '1', '2']) {
      expect(out.get(k)).toEqual([...Array.from({ length: 300 }, (_, i) => `out ${k} ${i} ${'x'.repeat(i % 50)}`), `tail ${k}`]);
      expect(err.get(k)).toEqual(Array.from({ length: 50 }, (_, i) => `err ${k} ${i}`));
    }
    // nothing else on stdout: every line is a worker's, prefixed
    expect(r.stdout.split('\n').filter((l) => l && !/^\[rank\d\]: /.test(l))).toEqual([]);
  });

  test('a failing worker stops the others (no orphans) and the launcher exits with its code', async () => {
    const w = script('fail.js', `${sync('fail')}
console.log('PID ' + process.pid);
mark();
if (process.env.RANK === '1') other().then(() => { console.error('rank 1 fails'); process.exit(3); });
else setTimeout(() => console.log('rank 0 was not stopped'), 60000);
`);
    const r = await run(['--nproc-per-node', '2', w]);
    expect(r.code).toBe(3);
    const pids = r.stdout.split('\n').filter((l) => l.includes('PID ')).map((l) => Number(l.split('PID ')[1]));
    expect(pids.length).toBe(2);
    for (const p of pids) expect(running(p)).toBe(false);
    expect(r.stdout).not.toMatch(/was not stopped/);
    expect(r.stderr).toMatch(/\[rank1\]: rank 1 fails/);
    expect(r.stderr).toMatch(/rank 1 .*exited with code 3/);
    expect(r.ms).toBeLessThan(20000);
  });

  test('a worker that ignores SIGTERM is killed after --term-timeout; one killed by a signal gives 128 + signo', async () => {
    const w = script('stubborn.js', `${sync('stubborn')}
console.log('PID ' + process.pid);
if (process.env.RANK === '0') { process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); }
mark();
if (process.env.RANK === '1') other().then(() => process.kill(process.pid, 'SIGKILL'));
`);
    const r = await run(['--nproc-per-node', '2', '--term-timeout', '1', w]);
    expect(r.code).toBe(128 + 9);
    expect(r.stdout).toMatch(/\[rank0\]: ignoring SIGTERM/);
    expect(r.stderr).toMatch(/sending SIGKILL/);
    for (const l of r.stdout.split('\n').filter((x) => x.includes('PID '))) expect(running(Number(l.split('PID ')[1]))).toBe(false);
    expect(r.ms).toBeLessThan(15000);
  });

  test('--max-restarts 1 restarts the group once, with TORCHELASTIC_RESTART_COUNT incremented', async () => {
    // a worker fails only once the other has printed, so that both attempts show both ranks
    const w = script('flaky.js', `${ENV_SCRIPT}${sync('flaky')}
mark();
other().then(() => { if (process.env.RANK === '1' && process.env.TORCHELASTIC_RESTART_COUNT === '0') process.exit(5); });
`);
    const r = await run(['--nproc-per-node', '2', '--max-restarts', '1', w]);
    expect(r.code).toBe(0);
    const envs = jsonLines(r.stdout, 'ENV{');
    expect(envs.map((e) => `${e.TORCHELASTIC_RESTART_COUNT}/${e.RANK}/${e.TORCHELASTIC_MAX_RESTARTS}`).sort()).toEqual(['0/0/1', '0/1/1', '1/0/1', '1/1/1']);
    expect(r.stderr).toMatch(/restarting the local worker group \(restart 1 of 1\)/);

    // always failing: two attempts, then the failed worker's code
    const always = script('always.js', `${ENV_SCRIPT}${sync('always')}
mark();
other().then(() => { if (process.env.RANK === '0') process.exit(7); else setTimeout(() => {}, 30000); });
`);
    const f = await run(['--nproc-per-node', '2', '--max_restarts=1', always]);
    expect(f.code).toBe(7);
    expect(jsonLines(f.stdout, 'ENV{').map((e) => e.TORCHELASTIC_RESTART_COUNT).sort()).toEqual(['0', '0', '1', '1']);
    expect(f.stderr).toMatch(/after 1 restart/);
    expect(f.ms).toBeLessThan(20000);
  });

  test('SIGTERM to the launcher is forwarded to the workers, which all end', async () => {
    const w = script('wait.js', `
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
console.log('PID ' + process.pid);
setInterval(() => {}, 1000);
`);
    const h = start(['--nproc-per-node', '2', w]);
    await until(() => (h.out.stdout.match(/PID /g) ?? []).length === 2, 'both workers');
    const pids = h.out.stdout.split('\n').filter((l) => l.includes('PID ')).map((l) => Number(l.split('PID ')[1]));
    h.child.kill('SIGTERM');
    const r = await h.result;
    expect(r.code).toBe(128 + 15);
    expect(byRank(r.stdout).get('0')).toContain('got SIGTERM');
    expect(byRank(r.stdout).get('1')).toContain('got SIGTERM');
    for (const p of pids) expect(running(p)).toBe(false);
  });

  test('SIGINT to the launcher ends workers that keep the default handler', async () => {
    const w = script('busy.js', `console.log('PID ' + process.pid); setInterval(() => {}, 1000);\n`);
    const h = start(['--nproc-per-node', '2', w]);
    await until(() => (h.out.stdout.match(/PID /g) ?? []).length === 2, 'both workers');
    const pids = h.out.stdout.split('\n').filter((l) => l.includes('PID ')).map((l) => Number(l.split('PID ')[1]));
    h.child.kill('SIGINT');
    const r = await h.result;
    expect(r.code).toBe(128 + 2);
    expect(r.stderr).toMatch(/received SIGINT/);
    for (const p of pids) expect(running(p)).toBe(false);
  });

  test('workers do not outlive a launcher killed with SIGKILL, even when blocked in a synchronous call', async () => {
    const w = script('blocked.js', `
console.log('PID ' + process.pid);
const t0 = Date.now();
if (process.env.RANK === '1') { setTimeout(() => {}, 1); while (Date.now() - t0 < 60000) {} } // a blocked main thread
else setInterval(() => {}, 1000);
`);
    const h = start(['--nproc-per-node', '2', w]);
    await until(() => (h.out.stdout.match(/PID /g) ?? []).length === 2, 'both workers');
    const pids = h.out.stdout.split('\n').filter((l) => l.includes('PID ')).map((l) => Number(l.split('PID ')[1]));
    expect(pids.every(running)).toBe(true);
    h.child.kill('SIGKILL');
    await h.result;
    await until(() => !pids.some(running), 'the orphaned workers to end', 10000);
  });

  test('--log-dir writes per-rank log files (and tees to the console); --redirects keeps the console quiet; --local-ranks-filter', async () => {
    const w = script('log.js', `console.log('hello from ' + process.env.RANK); console.error('warn from ' + process.env.RANK);\n`);
    const logs = path.join(dir, 'logs');
    const r = await run(['--nproc-per-node', '2', '--log-dir', logs, w]);
    expect(r.code).toBe(0);
    for (const k of [0, 1]) {
      expect(fs.readFileSync(path.join(logs, 'attempt_0', `rank${k}`, 'stdout.log'), 'utf8')).toBe(`hello from ${k}\n`);
      expect(fs.readFileSync(path.join(logs, 'attempt_0', `rank${k}`, 'stderr.log'), 'utf8')).toBe(`warn from ${k}\n`);
    }
    expect(byRank(r.stdout).get('1')).toEqual(['hello from 1']);

    const logs2 = path.join(dir, 'logs2');
    const q = await run(['--nproc-per-node', '2', '--log-dir', logs2, '--redirects', '3', w]);
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('');
    expect(q.stderr).not.toMatch(/warn from/);
    expect(fs.readFileSync(path.join(logs2, 'attempt_0', 'rank1', 'stdout.log'), 'utf8')).toBe('hello from 1\n');

    const f = await run(['--nproc-per-node', '2', '--local-ranks-filter', '1', '--log-line-prefix-template', '<${role_name}${local_rank}/${rank}> ', w]);
    expect(f.stdout).toBe('<default1/1> hello from 1\n');
  });

  test('--no-python runs the script as an executable', async () => {
    const r = await run(['--nproc-per-node', '2', '--no-python', '/bin/sh', '-c', 'echo "rank=$RANK of $WORLD_SIZE"']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['[rank0]: rank=0 of 2', '[rank1]: rank=1 of 2']);
  });

  test('usage errors exit with status 2 and say what is wrong; --help prints the options', async () => {
    const u = await run(['--nnodes', '2', '--node-rank', '5', 'x.js']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/nodetorch-run: error: --node-rank 5 must be in \[0, 1\]/);
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--nproc-per-node N\|gpu/);
    const missing = await run(['--nproc-per-node', '1', path.join(dir, 'does-not-exist.js')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[rank0\]: .*Cannot find module/);
  });

  test('--nproc-per-node gpu uses the CUDA device count, or says clearly that there is none', async () => {
    const w = script('gpu.js', ENV_SCRIPT);
    const r = await run(['--nproc-per-node', 'gpu', w]);
    if (cuda.isAvailable()) {
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout, 'ENV{').map((e) => e.LOCAL_WORLD_SIZE)).toEqual(new Array(cuda.deviceCount()).fill(String(cuda.deviceCount())));
    } else {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--nproc-per-node gpu: no CUDA device is available/);
    }
  });

  test('--standalone: DDP with DistributedSampler on 2 workers trains as one process on the whole batch', async () => {
    if (!isGlooAvailable()) {
      console.warn(`launcher.test.ts: SKIPPED the DDP test: ${glooUnavailableReason()}`);
      return;
    }
    // rank r reads samples r, r + 2, ... in batches of 2; the all-reduce averages the two ranks' gradients, so each step
    // equals one step on the 4 consecutive samples that a plain DataLoader of batch 4 gives
    const w = script('ddp_train.js', `const torch = require(${JSON.stringify(DIST)});
const { nn, optim, distributed: d } = torch;
const { DataLoader, TensorDataset, DistributedSampler } = torch.utils.data;
d.initProcessGroup({ backend: 'gloo' });
const W = d.getWorldSize();
torch.manualSeed(d.getRank() * 7 + 1); // different inits: DDP broadcasts rank 0's
const X = torch.arange(24, { dtype: 'float32' }).reshape([8, 3]).div(10);
const Y = X.sum(1, { keepdim: true }).mul(0.5).add(1);
const ds = new TensorDataset(X, Y);
const model = new nn.Linear(3, 1);
const ref = new nn.Linear(3, 1);
const ddp = new nn.parallel.DistributedDataParallel(model);
ref.loadStateDict(model.stateDict());
const w0 = model.weight.tolist();
const opt = new optim.SGD(ddp.parameters(), { lr: 0.1 });
const ropt = new optim.SGD(ref.parameters(), { lr: 0.1 });
const sampler = new DistributedSampler(ds, { shuffle: false });
for (let epoch = 0; epoch < 3; epoch++) {
  sampler.setEpoch(epoch);
  for (const [x, y] of new DataLoader(ds, { batchSize: 2, sampler })) {
    opt.zeroGrad(); nn.functional.mseLoss(ddp.call(x), y).backward(); opt.step();
  }
  for (const [x, y] of new DataLoader(ds, { batchSize: 2 * W })) {
    ropt.zeroGrad(); nn.functional.mseLoss(ref.call(x), y).backward(); ropt.step();
  }
}
console.log('OUT' + JSON.stringify({ rank: d.getRank(), w0, w: model.weight.tolist(), rw: ref.weight.tolist(), b: model.bias.tolist(), rb: ref.bias.tolist() }));
d.destroyProcessGroup();
`);
    const r = await run(['--standalone', '--nproc-per-node', '2', w], { GLOO_SOCKET_IFNAME: 'lo' });
    expect({ code: r.code, err: r.code ? r.stderr : '' }).toEqual({ code: 0, err: '' });
    const outs = jsonLines(r.stdout, 'OUT{') as unknown as { rank: number; w0: number[][]; w: number[][]; rw: number[][]; b: number[]; rb: number[] }[];
    expect(outs.map((o) => o.rank).sort()).toEqual([0, 1]);
    expect(outs[0].w).toEqual(outs[1].w);
    expect(outs[0].b).toEqual(outs[1].b);
    for (const o of outs) {
      o.w[0].forEach((v, k) => expect(v).toBeCloseTo(o.rw[0][k], 5));
      expect(o.b[0]).toBeCloseTo(o.rb[0], 5);
    }
    // both started from rank 0's weights (broadcast at construction), and training moved them
    expect(outs[0].w0).toEqual(outs[1].w0);
    outs[0].w[0].forEach((v, k) => expect(Math.abs(v - outs[0].w0[0][k])).toBeGreaterThan(1e-3));
  }, 120000);

  test('two launchers as two nodes (--nnodes 2 --node-rank 0/1): 4 ranks rendezvous through env:// and all-reduce over Gloo', async () => {
    if (!isGlooAvailable()) {
      console.warn(`launcher.test.ts: SKIPPED the two-node Gloo test: ${glooUnavailableReason()}`);
      return;
    }
    const w = script('ddp.js', `
const torch = require(${JSON.stringify(DIST)});
const d = torch.distributed;
d.initProcessGroup({ backend: 'gloo' });
const r = d.getRank();
const t = torch.tensor([r + 1, 10 * (r + 1), r === 0 ? 5 : 0], { dtype: 'float32' });
d.allReduce(t);
const mx = torch.tensor([r], { dtype: 'float32' });
d.allReduce(mx, { op: d.ReduceOp.MAX });
const sampler = new torch.utils.data.DistributedSampler(10);
console.log('OUT' + JSON.stringify({ rank: r, world: d.getWorldSize(), env: process.env.RANK, local: process.env.LOCAL_RANK, group: process.env.GROUP_RANK, sum: t.tolist(), max: mx.item(), idx: [...sampler] }));
d.destroyProcessGroup();
`);
    const port = await freePort();
    const common = ['--nnodes', '2', '--nproc-per-node', '2', '--master-addr', '127.0.0.1', '--master-port', String(port)];
    const env = { GLOO_SOCKET_IFNAME: 'lo' };
    const [n0, n1] = await Promise.all([run([...common, '--node-rank', '0', w], env), run([...common, '--node_rank=1', w], env)]);
    expect({ code0: n0.code, code1: n1.code, err: n0.code || n1.code ? n0.stderr + n1.stderr : '' }).toEqual({ code0: 0, code1: 0, err: '' });
    const outs = [...jsonLines(n0.stdout, 'OUT{'), ...jsonLines(n1.stdout, 'OUT{')] as unknown as { rank: number; world: number; env: string; local: string; group: string; sum: number[]; max: number; idx: number[] }[];
    outs.sort((a, b) => a.rank - b.rank);
    expect(outs.map((o) => [o.rank, o.env, o.local, o.group, o.world])).toEqual([[0, '0', '0', '0', 4], [1, '1', '1', '0', 4], [2, '2', '0', '1', 4], [3, '3', '1', '1', 4]]);
    // node 0's launcher printed ranks 0 and 1, node 1's ranks 2 and 3
    expect([...byRank(n0.stdout).keys()].sort()).toEqual(['0', '1']);
    expect([...byRank(n1.stdout).keys()].sort()).toEqual(['2', '3']);
    for (const o of outs) {
      expect(o.sum).toEqual([10, 100, 5]);
      expect(o.max).toBe(3);
    }
    // the samplers took their defaults from the process group: PyTorch's split of 10 samples over 4 ranks (fixture)
    const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'distributed_sampler.json'), 'utf8')) as { cases: { n: number; numReplicas: number; shuffle: boolean; dropLast: boolean; ranks: { epochs: number[][] }[] }[] };
    const c = ref.cases.find((x) => x.n === 10 && x.numReplicas === 4 && x.shuffle && !x.dropLast)!;
    expect(outs.map((o) => o.idx)).toEqual(c.ranks.map((rr) => rr.epochs[0]));
  }, 120000);

  // Note [group-wide restarts] (launcher.ts): the launchers share node 0's store; a failure anywhere restarts every node
  const roundScript = (name: string, failWhen: string): string => script(name, `
const torch = require(${JSON.stringify(DIST)});
const d = torch.distributed;
const k = process.env.TORCHELASTIC_RESTART_COUNT, rank = Number(process.env.RANK), ws = Number(process.env.WORLD_SIZE);
console.log('ENV' + JSON.stringify({ rank: process.env.RANK, group: process.env.GROUP_RANK, restart: k, agent: process.env.TORCHELASTIC_USE_AGENT_STORE, pid: process.pid }));
// every worker of the round meets the others through the launchers' store (the workers' env:// store too)
const st = new d.TCPStore(process.env.MASTER_ADDR, Number(process.env.MASTER_PORT), { isMaster: false, timeout: 60000 });
st.add('test/round' + k, 1);
while (st.add('test/round' + k, 0) < ws) d._sleepMs(20);
let sum = null;
if (d.isGlooAvailable()) {
  d.initProcessGroup({ backend: 'gloo' });
  const t = torch.tensor([rank + 1], { dtype: 'float32' }); d.allReduce(t); sum = t.item();
}
console.log('MET' + JSON.stringify({ rank, restart: k, sum }));
if (${failWhen}) { console.error('rank ' + rank + ' fails in round ' + k); process.exit(3); }
if (k === '0' || ${JSON.stringify(name)} === 'always.js') setTimeout(() => console.log('rank ' + rank + ' was not stopped'), 60000);
else { if (d.isInitialized()) d.destroyProcessGroup(); }
`);
  const pidsOf = (text: string): number[] => jsonLines(text, 'ENV{').map((e) => Number(e.pid));

  test('two nodes, --max-restarts 1: a worker failing once on node 1 restarts both nodes (restart count 1 everywhere), then the job completes', async () => {
    const w = roundScript('once.js', "process.env.GROUP_RANK === '1' && process.env.LOCAL_RANK === '0' && k === '0'");
    const port = await freePort();
    const common = ['--nnodes', '2', '--nproc-per-node', '2', '--master-addr', '127.0.0.1', '--master-port', String(port), '--max-restarts', '1', '--term-timeout', '5'];
    const env = { GLOO_SOCKET_IFNAME: 'lo' };
    const [n0, n1] = await Promise.all([run([...common, '--node-rank', '0', w], env), run([...common, '--node-rank', '1', w], env)]);
    expect({ code0: n0.code, code1: n1.code, err: n0.code || n1.code ? n0.stderr + n1.stderr : '' }).toEqual({ code0: 0, code1: 0, err: '' });
    // both nodes ran rounds 0 and 1 with the launchers' store; every rank met the other three in each round
    for (const [n, ranks] of [[n0, ['0', '1']], [n1, ['2', '3']]] as [Result, string[]][]) {
      const envs = jsonLines(n.stdout, 'ENV{');
      expect(envs.map((e) => `${e.restart}/${e.rank}`).sort()).toEqual(['0/' + ranks[0], '0/' + ranks[1], '1/' + ranks[0], '1/' + ranks[1]]);
      for (const e of envs) expect(e.agent).toBe('True');
      expect(n.stderr).toMatch(/worker group failed: rank 2 \(local rank 0 on node 1, pid \d+\) exited with code 3; restarting the workers of all 2 nodes \(restart 1 of 1\)/);
      for (const p of pidsOf(n.stdout)) expect(running(p)).toBe(false);
      expect(n.stdout).not.toMatch(/was not stopped/);
    }
    const met = [...jsonLines(n0.stdout, 'MET{'), ...jsonLines(n1.stdout, 'MET{')] as unknown as { rank: number; restart: string; sum: number | null }[];
    expect(met.filter((m) => m.restart === '1').map((m) => m.rank).sort()).toEqual([0, 1, 2, 3]);
    if (isGlooAvailable()) for (const m of met) expect(m.sum).toBe(10);  // 1+2+3+4: the four ranks of one round all-reduced
    // the stopped node 0 workers of round 0 did not restart by themselves: 4 + 4 workers in all
    expect(pidsOf(n0.stdout).length + pidsOf(n1.stdout).length).toBe(8);
  }, 180000);

  test('two nodes, a worker that always fails: after --max-restarts both launchers exit non-zero naming the failed rank, no orphans', async () => {
    const w = roundScript('always.js', "process.env.GROUP_RANK === '1'");
    const port = await freePort();
    const common = ['--nnodes', '2', '--nproc-per-node', '1', '--master-addr', '127.0.0.1', '--master-port', String(port), '--max-restarts', '2', '--term-timeout', '5'];
    const env = { GLOO_SOCKET_IFNAME: 'lo' };
    const [n0, n1] = await Promise.all([run([...common, '--node-rank', '0', w], env), run([...common, '--node-rank', '1', w], env)]);
    expect(n0.code).toBe(1);
    expect(n1.code).toBe(3);  // the node of the failed worker exits with its code
    for (const n of [n0, n1]) {
      expect(jsonLines(n.stdout, 'ENV{').map((e) => e.restart).sort()).toEqual(['0', '1', '2']);
      expect(n.stderr).toMatch(/restart 2 of 2/);
      expect(n.stderr).toMatch(/worker rank 1 \(local rank 0 on node 1, pid \d+\) exited with code 3 \(after 2 restarts\); the workers of all 2 nodes were stopped/);
      for (const p of pidsOf(n.stdout)) expect(running(p)).toBe(false);
      expect(n.stdout).not.toMatch(/was not stopped/);
    }
  }, 180000);

  test('two nodes: SIGTERM to one launcher stops the job on both nodes (no restart, no orphans)', async () => {
    const w = script('idle.js', `console.log('PID ' + process.pid); setTimeout(() => console.log('was not stopped'), 60000);\n`);
    const port = await freePort();
    const common = ['--nnodes', '2', '--nproc-per-node', '1', '--master-addr', '127.0.0.1', '--master-port', String(port), '--max-restarts', '3', '--term-timeout', '5'];
    const h0 = start([...common, '--node-rank', '0', w]);
    const h1 = start([...common, '--node-rank', '1', w]);
    await until(() => h0.out.stdout.includes('PID ') && h1.out.stdout.includes('PID '), 'both workers', 60000);
    h1.child.kill('SIGTERM');
    const [n0, n1] = await Promise.all([h0.result, h1.result]);
    expect(n1.code).toBe(143);
    expect(n0.code).toBe(1);
    expect(n0.stderr).toMatch(/the job was stopped: node 1's launcher received SIGTERM/);
    expect(n0.stderr).not.toMatch(/restarting/);
    for (const n of [n0, n1]) {
      const pids = n.stdout.split('\n').filter((l) => l.includes('PID ')).map((l) => Number(l.split('PID ')[1]));
      expect(pids.length).toBe(1);
      for (const p of pids) expect(running(p)).toBe(false);
      expect(n.stdout).not.toMatch(/was not stopped/);
    }
  }, 120000);
});

// Note [elastic rendezvous] (launcher.ts): --nnodes MIN:MAX, launchers on 127.0.0.1 as nodes, fast timeouts
describeRun('nodetorch-run --nnodes MIN:MAX (elastic)', () => {
  // prints its environment; meets the round's other workers over Gloo when it can (the round's fresh store at
  // MASTER_PORT, hosted by global rank 0); then does what `mode` says for this round
  const elasticScript = (name: string, mode: string): string => script(name, `
const torch = require(${JSON.stringify(DIST)});
const d = torch.distributed;
const e = process.env;
console.log('ENV' + JSON.stringify({ rank: e.RANK, local: e.LOCAL_RANK, group: e.GROUP_RANK, groups: e.GROUP_WORLD_SIZE, world: e.WORLD_SIZE, role: e.ROLE_RANK,
  restart: e.TORCHELASTIC_RESTART_COUNT, agent: e.TORCHELASTIC_USE_AGENT_STORE, port: e.MASTER_PORT, pid: process.pid }));
let sum = null;
if (d.isGlooAvailable()) {
  d.initProcessGroup({ backend: 'gloo' });
  const t = torch.tensor([Number(e.RANK) + 1], { dtype: 'float32' }); d.allReduce(t); sum = t.item();
}
console.log('MET' + JSON.stringify({ rank: Number(e.RANK), world: Number(e.WORLD_SIZE), restart: e.TORCHELASTIC_RESTART_COUNT, sum }));
const idle = () => setTimeout(() => console.log('rank ' + e.RANK + ' was not stopped'), 60000);
${mode}
`);
  const envsOf = (text: string): Record<string, string>[] => jsonLines(text, 'ENV{');
  const metOf = (text: string) => jsonLines(text, 'MET{') as unknown as { rank: number; world: number; restart: string; sum: number | null }[];
  const gloo = { GLOO_SOCKET_IFNAME: 'lo' };
  const elastic = async (range: string, conf: string, extra: string[] = []): Promise<string[]> =>
    ['--nnodes', range, '--master-addr', '127.0.0.1', '--master-port', String(await freePort()), '--rdzv-conf', conf, '--term-timeout', '5', ...extra];

  test('(a) --nnodes 1:2, two launchers: one group of 2 x nproc workers, node ranks from the rendezvous (the store\'s host is node 0)', async () => {
    const w = elasticScript('el_a.js', 'if (d.isInitialized()) d.destroyProcessGroup();');
    const common = await elastic('1:2', 'join_timeout=20', ['--nproc-per-node', '2']);
    const [n0, n1] = await Promise.all([run([...common, '--node-rank', '5', w], gloo), run([...common, w], gloo)]);
    expect({ code0: n0.code, code1: n1.code, err: n0.code || n1.code ? n0.stderr + n1.stderr : '' }).toEqual({ code0: 0, code1: 0, err: '' });
    // one of the two launchers hosts the store, and its node is node 0 (ranks 0, 1); --node-rank is not used
    const [host, other] = /hosts the rendezvous store/.test(n0.stderr) ? [n0, n1] : [n1, n0];
    expect(other.stderr).not.toMatch(/hosts the rendezvous store/);
    expect(n0.stderr).toMatch(/--node-rank is not used by an elastic job \(--nnodes 1:2\)/);
    const rows = (n: Result): string[] => envsOf(n.stdout).map((e) => [e.rank, e.local, e.group, e.groups, e.world, e.role, e.restart, e.agent].join('/')).sort();
    expect(rows(host)).toEqual(['0/0/0/2/4/0/0/False', '1/1/0/2/4/1/0/False']);
    expect(rows(other)).toEqual(['2/0/1/2/4/2/0/False', '3/1/1/2/4/3/0/False']);
    expect(new Set([...envsOf(n0.stdout), ...envsOf(n1.stdout)].map((e) => e.port)).size).toBe(1);  // one workers' store
    expect(host.stderr).toMatch(/round 0: node 0 of 2 \(--nnodes 1:2\), ranks 0\.\.1 of 4, restart count 0/);
    expect(other.stderr).toMatch(/round 0: node 1 of 2 \(--nnodes 1:2\), ranks 2\.\.3 of 4, restart count 0/);
    if (isGlooAvailable()) for (const m of [...metOf(n0.stdout), ...metOf(n1.stdout)]) expect(m.sum).toBe(10);
  }, 60000);

  test('(b) --nnodes 1:2, one launcher: after last_call_timeout it starts alone, world size nproc', async () => {
    const w = elasticScript('el_b.js', 'if (d.isInitialized()) d.destroyProcessGroup();');
    const r = await run([...await elastic('1:2', 'join_timeout=20,last_call_timeout=1', ['--nproc-per-node', '2']), w], gloo);
    expect({ code: r.code, err: r.code ? r.stderr : '' }).toEqual({ code: 0, err: '' });
    expect(envsOf(r.stdout).map((e) => [e.rank, e.group, e.groups, e.world].join('/')).sort()).toEqual(['0/0/1/2', '1/0/1/2']);
    if (isGlooAvailable()) expect(metOf(r.stdout).map((m) => m.sum)).toEqual([3, 3]);
    expect(r.ms).toBeGreaterThanOrEqual(1000);  // the round stayed open for the last call
    expect(r.ms).toBeLessThan(15000);
  }, 30000);

  test('(c) a launcher (2 workers) arriving while a 1-node group (1 worker) runs: the group restarts with both nodes, world size 3 (a membership change: restart count unchanged, as torchrun\'s)', async () => {
    const w = elasticScript('el_c.js', "if (e.GROUP_WORLD_SIZE === '1') idle(); else if (d.isInitialized()) d.destroyProcessGroup();");
    const common = await elastic('1:2', 'join_timeout=20,last_call_timeout=0.5', ['--nproc-per-node', '1']);
    const h0 = start([...common, w], gloo);
    await until(() => h0.out.stdout.includes('MET{'), 'the 1-node group', 20000);
    const n1 = await run([...common, '--nproc-per-node', '2', w], gloo);  // (nodes may have different nproc, as torchrun's)
    const n0 = await h0.result;
    expect({ code0: n0.code, code1: n1.code, err: n0.code || n1.code ? n0.stderr + n1.stderr : '' }).toEqual({ code0: 0, code1: 0, err: '' });
    const e0 = envsOf(n0.stdout);
    expect(e0.map((e) => [e.rank, e.group, e.groups, e.world, e.restart].join('/'))).toEqual(['0/0/1/1/0', '0/0/2/3/0']);
    expect(envsOf(n1.stdout).map((e) => [e.rank, e.local, e.group, e.groups, e.world, e.restart].join('/')).sort()).toEqual(['1/0/1/2/3/0', '2/1/1/2/3/0']);
    expect(n0.stderr).toMatch(/1 new node waiting to join; restarting the worker group to admit it \(a membership change does not count against --max-restarts/);
    expect(n1.stderr).toMatch(/a group of 1 node is running: waiting for it to restart and admit this node/);
    expect(n0.stderr).toMatch(/round 1: node 0 of 2/);
    expect(n1.stderr).toMatch(/round 1: node 1 of 2/);
    expect(running(Number(e0[0].pid))).toBe(false);
    expect(n0.stdout).not.toMatch(/was not stopped/);
    if (isGlooAvailable()) expect([...metOf(n0.stdout), ...metOf(n1.stdout)].map((m) => m.sum)).toEqual([1, 6, 6, 6]);
  }, 60000);

  test('(d) --nnodes 2:3 and one launcher: it exits non-zero after join_timeout, naming MIN', async () => {
    const w = elasticScript('el_d.js', '');
    const r = await run([...await elastic('2:3', 'join_timeout=2', ['--nproc-per-node', '1']), w]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 2 s \(join_timeout\) waiting for at least 2 nodes \(--nnodes 2:3\) to join the job: 1 joined/);
    expect(r.stdout).toBe('');  // no worker started
    expect(r.ms).toBeLessThan(15000);
  }, 30000);

  test('(e) a worker failing once (--max-restarts 1): both nodes restart together with restart count 1', async () => {
    const w = elasticScript('el_e.js', `
if (e.GROUP_RANK === '1' && e.TORCHELASTIC_RESTART_COUNT === '0') { console.error('rank ' + e.RANK + ' fails'); process.exit(3); }
if (e.TORCHELASTIC_RESTART_COUNT === '0') idle(); else if (d.isInitialized()) d.destroyProcessGroup();`);
    const common = await elastic('1:2', 'join_timeout=20', ['--nproc-per-node', '1', '--max-restarts', '1']);
    const [n0, n1] = await Promise.all([run([...common, w], gloo), run([...common, w], gloo)]);
    expect({ code0: n0.code, code1: n1.code, err: n0.code || n1.code ? n0.stderr + n1.stderr : '' }).toEqual({ code0: 0, code1: 0, err: '' });
    for (const n of [n0, n1]) {
      expect(envsOf(n.stdout).map((e) => `${e.restart}/${e.groups}`)).toEqual(['0/2', '1/2']);
      expect(n.stderr).toMatch(/worker group failed: rank 1 \(local rank 0 on node 1, pid \d+\) exited with code 3; restarting the workers of every node \(restart 1 of 1\)/);
      for (const e of envsOf(n.stdout)) expect(running(Number(e.pid))).toBe(false);
      expect(n.stdout).not.toMatch(/was not stopped/);
    }
  }, 60000);

  test('(f) a node whose launcher dies: the others re-rendezvous without it (>= MIN), or exit naming MIN (< MIN)', async () => {
    const w = elasticScript('el_f.js', "if (e.GROUP_WORLD_SIZE === '2') idle(); else if (d.isInitialized()) d.destroyProcessGroup();");
    for (const [range, ok] of [['1:2', true], ['2:3', false]] as [string, boolean][]) {
      const common = await elastic(range, 'join_timeout=4,last_call_timeout=0.5,keep_alive_interval=0.5,keep_alive_max_attempt=4', ['--nproc-per-node', '1', '--max-restarts', '1']);
      const h0 = start([...common, w], gloo);
      await until(() => h0.out.stderr.includes('hosts the rendezvous store'), 'the host');
      const h1 = start([...common, w], gloo);
      await until(() => h0.out.stdout.includes('MET{') && h1.out.stdout.includes('MET{'), 'the 2-node group', 20000);
      h1.child.kill('SIGKILL');
      const [n0] = await Promise.all([h0.result, h1.result]);
      expect(n0.stderr).toMatch(/node 1 \(launcher \S+\) is gone: no heartbeat for 2 s; restarting the workers of the remaining nodes \(restart 1 of 1\)/);
      if (ok) {
        expect({ code: n0.code, err: n0.code ? n0.stderr : '' }).toEqual({ code: 0, err: '' });
        expect(envsOf(n0.stdout).map((e) => `${e.restart}/${e.groups}/${e.world}`)).toEqual(['0/2/2', '1/1/1']);
      } else {
        expect(n0.code).toBe(1);
        expect(n0.stderr).toMatch(/timed out after 4 s \(join_timeout\) waiting for at least 2 nodes \(--nnodes 2:3\) to join round 1: 1 joined/);
      }
      // the dead launcher's worker ended by itself (launcher_child), the survivor's round-0 worker was stopped
      const pids = [...envsOf(n0.stdout), ...envsOf(h1.out.stdout)].map((e) => Number(e.pid));
      await until(() => !pids.some(running), 'every worker to end', 10000);
      expect(n0.stdout).not.toMatch(/was not stopped/);
    }
  }, 90000);

  test('SIGTERM to one launcher of an elastic job stops every node', async () => {
    const w = elasticScript('el_g.js', 'idle();');
    const common = await elastic('1:2', 'join_timeout=20', ['--nproc-per-node', '1', '--max-restarts', '2']);
    const h0 = start([...common, w]);
    const h1 = start([...common, w]);
    await until(() => h0.out.stdout.includes('MET{') && h1.out.stdout.includes('MET{'), 'both workers', 20000);
    h1.child.kill('SIGTERM');
    const [n0, n1] = await Promise.all([h0.result, h1.result]);
    expect(n1.code).toBe(143);
    expect(n0.code).toBe(1);
    expect(n0.stderr).toMatch(/the job was stopped: a launcher received SIGTERM/);
    expect(n0.stderr).not.toMatch(/restarting/);
    for (const n of [n0, n1]) for (const e of envsOf(n.stdout)) expect(running(Number(e.pid))).toBe(false);
  }, 60000);
});
