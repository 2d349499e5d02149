// worker.ts - the entry script of a DataLoader worker thread (Note [Worker threads] in dataloader.ts): builds its
// dataset from the spec, then answers each 'fetch' with the loaded (and, with the default collate, collated) batch,
// sent back with its tensors' ArrayBuffers in the transfer list; an error goes back with the worker's stack.
import { parentPort, workerData } from 'worker_threads';
import * as torch from '../../index';
import { _setWorkerInfo } from './worker_info';
import { defaultCollate, defaultConvert, encodeForTransfer } from './collate';
import type { DatasetLike, WorkerDatasetSpec } from './dataset';

interface Init { spec: WorkerDatasetSpec; init?: { module: string; exportName?: string }; id: number; numWorkers: number; seed: number; collate: boolean }
const wd = workerData as Init;
const port = parentPort as import('worker_threads').MessagePort;

const isClass = (f: unknown): boolean => typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
const isPlain = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && Object.getPrototypeOf(Object.getPrototypeOf(x) ?? Object.prototype) === null;

function exportOf(modulePath: string, name: string | undefined): unknown {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(modulePath) as Record<string, unknown>;
  const target = name === undefined ? (mod.default ?? mod) : mod[name];
  if (target === undefined) throw new Error(`module ${modulePath} has no export '${name ?? 'default'}'`);
  return target;
}

// arguments may hold nested specs ({ __workerSpec }): a Subset's inner dataset, a dataset's transforms
async function resolveArgs(x: unknown, depth = 0): Promise<unknown> {
  if (depth > 32) throw new Error('worker spec nests too deeply');
  if (Array.isArray(x)) return Promise.all(x.map((v) => resolveArgs(v, depth + 1)));
  if (isPlain(x)) {
    if (isPlain(x.__workerSpec)) return build(x.__workerSpec as unknown as WorkerDatasetSpec, depth + 1);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = await resolveArgs(v, depth + 1);
    return out;
  }
  return x;
}

async function build(spec: WorkerDatasetSpec, depth = 0): Promise<unknown> {
  const target = exportOf(spec.module, spec.exportName) as Record<string, unknown> & ((...a: unknown[]) => unknown);
  const args = (await resolveArgs(spec.args ?? [], depth)) as unknown[];
  if (typeof target !== 'function') return target;
  if (typeof target.fromSpec === 'function') return await (target.fromSpec as (...a: unknown[]) => unknown)(...args);
  if (isClass(target)) return new (target as unknown as new (...a: unknown[]) => unknown)(...args);
  return await target(...args);
}

let dataset: DatasetLike;

async function handle(m: { batch: number; indices: number[] | number }): Promise<void> {
  try {
    let v: unknown;
    if (typeof m.indices === 'number') {
      const s = await dataset.getItem(m.indices);
      v = wd.collate ? defaultConvert(s) : s;
    } else if (wd.collate && typeof dataset.getBatch === 'function') {
      v = await dataset.getBatch(m.indices);
    } else {
      const items = await Promise.all(m.indices.map((i) => dataset.getItem(i)));
      v = wd.collate ? defaultCollate(items) : items;
    }
    const transfer: ArrayBuffer[] = [];
    const payload = encodeForTransfer(v, transfer);
    port.postMessage({ type: 'batch', batch: m.batch, payload }, transfer);
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', batch: m.batch, name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: String(err?.stack ?? e) });
  }
}

async function main(): Promise<void> {
  torch.setNumThreads(1); // as PyTorch's workers: the main thread's kernels keep the cores
  torch.manualSeed(wd.seed);
  _setWorkerInfo({ id: wd.id, numWorkers: wd.numWorkers, seed: wd.seed, dataset: null });
  const ds = (await build(wd.spec)) as DatasetLike;
  if (!ds || typeof ds.getItem !== 'function') throw new Error(`the dataset built from ${wd.spec.module} (export '${wd.spec.exportName ?? 'default'}') has no getItem(i)`);
  dataset = ds;
  _setWorkerInfo({ id: wd.id, numWorkers: wd.numWorkers, seed: wd.seed, dataset: ds });
  if (wd.init) await (exportOf(wd.init.module, wd.init.exportName) as (id: number) => unknown)(wd.id);
  // requests run one after another so that a worker's random draws happen in batch order (reproducible)
  let chain = Promise.resolve();
  port.on('message', (m: { type: string; batch: number; indices: number[] | number }) => {
    if (m.type === 'fetch') chain = chain.then(() => handle(m));
  });
  port.postMessage({ type: 'ready' });
}

main().catch((e) => {
  const err = e as Error;
  port.postMessage({ type: 'init-error', message: String(err?.message ?? e), stack: String(err?.stack ?? e) });
});
