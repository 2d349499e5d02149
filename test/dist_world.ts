// dist_world.ts - the multi-process harness of the distributed tests (distributed.test.ts, nccl.test.ts): a world is
// N node processes on 127.0.0.1 running a worker script over the compiled dist/ with RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT (a free port) and GLOO_SOCKET_IFNAME=lo set (and whatever the caller adds, e.g. the
// NODETORCH_ADDON of the CUDA emulator, inherited). Each rank prints one `RESULT <json>` line (`done()` in the script).
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { spawn } from 'child_process';

const ROOT = path.resolve(__dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export interface RankOut { rank: number; code: number | null; signal: string | null; result: any; stdout: string; stderr: string }

/** what every worker script starts with: torch, dist, rank, ws, `out` (reported by done()), arr(), errOf() */
export const PRELUDE = `
const torch = require(${JSON.stringify(path.join(ROOT, 'dist'))});
const dist = torch.distributed;
const rank = Number(process.env.RANK), ws = Number(process.env.WORLD_SIZE);
const out = {};
const arr = (t) => Array.from(t.toTypedArray ? t.cpu().contiguous().toTypedArray() : t, (v) => typeof v === 'bigint' ? Number(v) : Number(v));
const errOf = (fn) => { try { fn(); return null; } catch (e) { return { name: e.constructor.name, message: String(e.message) }; } };
const done = () => { process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n'); };
`;

let nScript = 0;
/** Runs `body` on n ranks (scripts written under dir); resolves with each rank's exit and parsed RESULT. */
export async function runWorld(dir: string, n: number, body: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RankOut[]> {
  const file = path.join(dir, `w${process.pid}_${nScript++}.js`);
  fs.writeFileSync(file, PRELUDE + body);
  const port = await freePort();
  const procs = Array.from({ length: n }, (_, rank) => new Promise<RankOut>((resolve) => {
    const env = { ...process.env, RANK: String(rank), WORLD_SIZE: String(n), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), GLOO_SOCKET_IFNAME: 'lo', OMP_NUM_THREADS: '1', ...opts.env };
    const p = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 90000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      resolve({ rank, code, signal, result: line ? JSON.parse(line.slice(7)) : null, stdout, stderr });
    });
  }));
  return Promise.all(procs);
}

export function expectOk(outs: RankOut[]): void {
  for (const o of outs) {
    if (o.code !== 0 || !o.result) throw new Error(`rank ${o.rank} exited ${o.code ?? o.signal}\n${o.stderr}\n${o.stdout}`);
  }
}

/** wrap a JS number as the integer dtype would store it */
export function wrap(d: string, v: number): number {
  switch (d) {
    case 'int8': return new Int8Array([v])[0];
    case 'uint8': return new Uint8Array([v])[0];
    case 'int16': return new Int16Array([v])[0];
    case 'int32': return new Int32Array([v])[0];
    case 'bool': return v ? 1 : 0;
    case 'bfloat16': { // round to nearest even on the upper 16 bits of the float32
      const u = new Uint32Array(new Float32Array([v]).buffer);
      u[0] = (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) & 0xffff0000;
      return new Float32Array(u.buffer)[0];
    }
    default: return v; // float16 holds every value used here exactly
  }
}
