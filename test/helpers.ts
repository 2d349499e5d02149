// helpers.ts - shared test utilities: compare a tensor with a reference recorded from PyTorch.
import * as torch from '../lib/index';

export interface Ref { dtype: string; shape: number[]; data: (number | boolean | string)[] }

const dec = (v: number | boolean | string): number | boolean => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | boolean));

export function expectTensor(t: torch.Tensor, ref: Ref, tol?: { rtol?: number; atol?: number }): void {
  expect(t).toBeInstanceOf(torch.Tensor);
  expect(t.shape).toEqual(ref.shape);
  expect(t.dtype).toBe(ref.dtype);
  const got = t.tolist();
  const flat: unknown[] = [];
  const walk = (x: unknown): void => { if (Array.isArray(x)) x.forEach(walk); else flat.push(x); };
  walk(got);
  const isF = ['float32', 'float64', 'float16', 'bfloat16'].includes(ref.dtype);
  const rtol = tol?.rtol ?? (ref.dtype === 'float64' ? 1e-7 : ref.dtype === 'float32' ? 1e-5 : 1e-2);
  const atol = tol?.atol ?? (ref.dtype === 'float64' ? 1e-9 : ref.dtype === 'float32' ? 1e-6 : 1e-3);
  ref.data.forEach((e0, i) => {
    const e = dec(e0), a = flat[i];
    if (!isF) { expect(a).toBe(e); return; }
    const en = e as number, an = a as number;
    if (Number.isNaN(en)) { expect(Number.isNaN(an)).toBe(true); return; }
    if (!Number.isFinite(en)) { expect(an).toBe(en); return; }
    if (Math.abs(an - en) > atol + rtol * Math.abs(en)) throw new Error(`value ${i}: got ${an}, expected ${en} (dtype ${ref.dtype})`);
  });
}

// the reference generators' 32-bit LCG (test/ref/gen_*.py), bit for bit: n values in [-0.5, 0.5)
export function lcg(seed: number, n: number): number[] {
  let x = (Math.imul(seed, 2654435761 | 0) + 12345) >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x >>> 8) / 16777216 - 0.5;
  }
  return out;
}
