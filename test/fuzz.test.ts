// fuzz.test.ts - no JavaScript input may crash the process: call every exported function and Tensor method with
// seeded garbage (wrong types, NaN, negative/huge/fractional sizes, disposed tensors, mismatched shapes/dtypes)
// and require that each call either returns or throws TorchError/TypeError/RangeError. Where CUDA is available (a
// GPU, or the CUDA emulator of scripts/cuda-emu), the same again with the pool's tensors on the GPU (mixed with CPU
// values): the CUDA kernels' argument checks and the device plumbing must hold up as well.
import * as torch from '../lib/index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const SKIP_FN = new Set(['save', 'load', 'saveAsync', 'loadAsync', 'setNumThreads', 'tidy', 'noGrad', 'enableGrad', 'inferenceMode',
  'setDefaultDtype', 'setGradEnabled', 'manualSeed', 'seed', 'dispose', 'keep']);
const SKIP_METHOD = new Set(['constructor', 'dispose', 'backward', 'data', 'requiresGrad_', 'retainGrad', 'cuda', 'register', 'apply']);

function pool(r: () => number, dev = 'cpu'): unknown[] {
  const disposed = torch.ones(2); disposed.dispose();
  const on = (x: torch.Tensor): torch.Tensor => x.to(dev);
  const t = (): torch.Tensor => on(torch.randn([2, 3]));
  return [
    t(), on(torch.ones([3])), on(torch.zeros([2, 3], { dtype: 'int64' })), on(torch.tensor([true, false, true])), on(torch.tensor(1.5)),
    on(torch.zeros([0])), on(torch.zeros([2, 0, 3])), on(torch.randn([3, 2])).t(), on(torch.ones([1, 3], { dtype: 'float16' })),
    on(torch.ones([4], { dtype: 'uint8' })), on(torch.arange(6)).reshape(2, 3), on(torch.randn([2, 3], { dtype: 'float64' })),
    on(torch.randn([3])).requiresGrad_(), disposed,
    0, 1, 2, -1, -3, 0.5, NaN, Infinity, -Infinity, 1e15, 2 ** 53, 1e300,
    true, false, null, undefined, '', 'abc', ':', '1:2', '...', 'float32', 'cuda', 'cpu:7',
    [], [2, 3], [-1], [0.5], [NaN], [1e15, 1e15], [[1, 2], [3]], [t(), t()], ['a'],
    {}, { dim: 1 }, { dim: 'x' }, { keepdim: true }, { dtype: 'nope' }, { alpha: NaN }, { device: 'cuda:3' },
    Symbol('s'), () => 1, new Float32Array(3), new ArrayBuffer(8), 10n, Math.floor(r() * 7),
  ];
}

function callOnce(f: (...a: unknown[]) => unknown, self: unknown, args: unknown[]): string {
  try {
    const r = f.apply(self, args);
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).catch(() => undefined);
    return 'ok';
  } catch (e) {
    if (e instanceof torch.TorchError || e instanceof TypeError || e instanceof RangeError) return 'threw';
    // plain Errors are allowed only when they carry a message (never a native crash)
    if (e instanceof Error && e.message) return 'error:' + e.constructor.name + ':' + e.message.slice(0, 80);
    return 'bad:' + String(e);
  }
}

function fuzz(dev: string, seed: number): void {
  const r = rng(seed);
  const fns = Object.entries(torch).filter(([k, v]) => typeof v === 'function' && !SKIP_FN.has(k) && !/^[A-Z]/.test(k)) as [string, (...a: unknown[]) => unknown][];
  const methods = Object.getOwnPropertyNames(torch.Tensor.prototype).filter((k) => {
    if (SKIP_METHOD.has(k)) return false;
    const d = Object.getOwnPropertyDescriptor(torch.Tensor.prototype, k);
    return d && typeof d.value === 'function';
  });
  const odd: string[] = [];
  let calls = 0;
  for (let round = 0; round < 6; round++) {
    const p = pool(r, dev);
    const pick = (): unknown => p[Math.floor(r() * p.length)];
    for (const [name, f] of fns) {
      for (let k = 0; k < 4; k++) {
        const n = Math.floor(r() * 4);
        const args = Array.from({ length: n }, pick);
        const res = callOnce(f, torch, args);
        calls++;
        if (res.startsWith('bad') || res.startsWith('error:Error:internal')) odd.push(`torch.${name}: ${res}`);
      }
    }
    for (const m of methods) {
      for (let k = 0; k < 4; k++) {
        const self = p[Math.floor(r() * 14)];
        const n = Math.floor(r() * 4);
        const args = Array.from({ length: n }, pick);
        const f = (torch.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[m];
        const res = callOnce(f, self, args);
        calls++;
        if (res.startsWith('bad') || res.startsWith('error:Error:internal')) odd.push(`Tensor.${m}: ${res}`);
      }
    }
  }
  expect(calls).toBeGreaterThan(2000);
  expect(odd).toEqual([]);
  // still alive and computing
  expect(torch.ones(3, { device: dev }).add(1).sum().item()).toBe(6);
}

// NT_FUZZ_SEEDS=1-50 runs more seeds (a longer hunt); the default is one seed per device
const seeds = (dflt: number): number[] => {
  const m = /^(\d+)-(\d+)$/.exec(process.env.NT_FUZZ_SEEDS || '');
  return m ? Array.from({ length: +m[2] - +m[1] + 1 }, (_, i) => +m[1] + i) : [dflt];
};
test('fuzz exported functions and methods', () => { for (const s of seeds(1234)) fuzz('cpu', s); }, 600000);
(torch.cuda.isAvailable() ? test : test.skip)('fuzz with the tensors on CUDA', () => { for (const s of seeds(4321)) fuzz('cuda', s); }, 600000);
