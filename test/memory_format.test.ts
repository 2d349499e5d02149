// memory_format.test.ts - torch.channelsLast & co. against PyTorch 1.13 (test/ref/gen_memory_format.py): the layout
// (strides, isContiguous in each format) and values of every result, case by case as the generator runs them.
// Run against the CUDA emulator too: NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node (the cuda part below).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

type T = torch.Tensor;
const F = torch.nn.functional;
const nn = torch.nn;
const CL = torch.channelsLast, CL3 = torch.channelsLast3d, CF = torch.contiguousFormat, PF = torch.preserveFormat;
interface Out extends Ref { stride: number[]; c: boolean; cl: boolean; cl3: boolean }
interface Case { name: string; outs: (Out | boolean)[]; state?: Record<string, Ref> }
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/memory_format.json'), 'utf8')) as { data: Record<string, { shape: number[]; data: number[] }>; cases: Case[] };
const CASES = new Map(REF.cases.map((c) => [c.name, c]));
const seen = new Set<string>();

// MF_DEVICE=cuda (with the CUDA addon or the emulator's) runs every case on the GPU; convolutions in full float32
// there (PyTorch's default lets cuDNN use TF32)
const DEV = process.env.MF_DEVICE ?? 'cpu';
if (DEV !== 'cpu') torch.backends.cudnn.allowTf32 = false;
type DT = 'float32' | 'float64';
function layoutOf(t: T, layout: string): T {
  switch (layout) {
    case 'c': return t;
    case 'cl': return t.contiguous({ memoryFormat: CL });
    case 'cl3': return t.contiguous({ memoryFormat: CL3 });
    case 'clslice': return t.contiguous({ memoryFormat: CL }).narrow(2, 1, t.shape[2] - 1);
    case 'nchw_t': return t.transpose(2, 3).contiguous().transpose(2, 3);
    case 'cslice': return torch.slice(t, 2, 0, null, 2);
    default: throw new Error(layout);
  }
}
function make(name: string, layout: string, dtype: DT = 'float64'): T {
  const d = REF.data[name];
  const t = torch.tensor(d.data, { dtype: 'float64' }).reshape(d.shape).to(dtype).to(DEV);
  return layoutOf(t, layout);
}
function checkLayout(t: T, o: Out, what: string): void {
  try {
    expect(t.stride()).toEqual(o.stride);
    expect(t.isContiguous()).toBe(o.c);
    expect(t.isContiguous({ memoryFormat: CL })).toBe(o.cl);
    expect(t.isContiguous({ memoryFormat: CL3 })).toBe(o.cl3);
  } catch (e) { throw new Error(`${what}: ${(e as Error).message}`); }
}
// runs case `name` (recorded by the generator): each result's layout and values
function check(name: string, fn: () => T | (T | boolean)[], tol?: { rtol?: number; atol?: number }): void {
  const c = CASES.get(name);
  if (!c) throw new Error(`no reference for '${name}'`);
  seen.add(name);
  const r = fn();
  const outs = Array.isArray(r) ? r : [r];
  expect(outs.length).toBe(c.outs.length);
  outs.forEach((t, i) => {
    const o = c.outs[i];
    if (typeof o === 'boolean') { expect(t).toBe(o); return; }
    const tt = (t as T).cpu();
    // elementwise ops keep PyTorch's layout when it is channels-last; the other permutations PyTorch's TensorIterator
    // propagates (here the NCWH order of a transposed input) give a contiguous result (README, Memory format)
    if (DEVIATIONS.has(name)) {
      expect(o.stride).toEqual([60, 20, 1, 4]);
      expect((t as T).isContiguous()).toBe(true);
    } else checkLayout(t as T, o, `${name} result ${i}`);
    expectTensor(tt, o, tol);
  });
}
// (clone, to and the *Like functions keep any dense layout, as PyTorch's preserve_format: not deviations since the
// shape sweep, test/sweep_shape.test.ts)
const DEVIATIONS = new Set(['add', 'sub', 'mul', 'maximum', 'gt'].map((op) => `${op} a:nchw_t b:cl`));

describe('memory format API', () => {
  it('layout queries', () => {
    for (const [nm, l] of [['a', 'c'], ['a', 'cl'], ['a', 'clslice'], ['a', 'nchw_t'], ['a', 'cslice'], ['n11', 'c'], ['n11', 'cl'], ['c1', 'cl'], ['a5', 'cl3']]) {
      check(`layout ${nm} ${l}`, () => make(nm, l));
    }
  });
  it('contiguous / clone / to / *Like with memoryFormat', () => {
    for (const l of ['c', 'cl', 'clslice', 'nchw_t']) {
      check(`contiguous(cl) of ${l}`, () => make('a', l).contiguous({ memoryFormat: CL }));
      check(`contiguous() of ${l}`, () => make('a', l).contiguous());
      check(`clone() of ${l}`, () => make('a', l).clone());
      check(`clone(cf) of ${l}`, () => make('a', l).clone({ memoryFormat: CF }));
      check(`clone(cl) of ${l}`, () => torch.clone(make('a', l), { memoryFormat: CL }));
      check(`to(float32) of ${l}`, () => make('a', l).to('float32'));
      check(`to(cl) of ${l}`, () => make('a', l).to({ memoryFormat: CL }));
      check(`to(float32, cl) of ${l}`, () => make('a', l).to('float32', { memoryFormat: CL }));
      check(`to(cf) of ${l}`, () => make('a', l).to({ memoryFormat: CF }));
      check(`zeros_like of ${l}`, () => torch.zerosLike(make('a', l)));
      check(`ones_like(cl) of ${l}`, () => torch.onesLike(make('a', l), { memoryFormat: CL }));
      check(`full_like(cf) of ${l}`, () => torch.fullLike(make('a', l), 2.5, { memoryFormat: CF }));
      check(`empty_like of ${l}`, () => torch.emptyLike(make('a', l)).zero_());
    }
    const same = (t: T, f: (t: T) => T): boolean => f(t) === t;
    check('aliases', () => [same(make('a', 'nchw_t'), (t) => t.to({ memoryFormat: CF })), same(make('a', 'cl'), (t) => t.to({ memoryFormat: CL })),
      same(make('a', 'c'), (t) => t.to({ memoryFormat: CL })), same(make('a', 'cl'), (t) => t.to({ memoryFormat: CF })),
      same(make('a', 'cl'), (t) => t.contiguous({ memoryFormat: CL })), same(make('a', 'c'), (t) => t.to({ memoryFormat: PF })),
      same(make('n11', 'c'), (t) => t.contiguous({ memoryFormat: CL })), same(make('a', 'cl'), (t) => t.to('float64', { memoryFormat: CL }))]);
    check('empty(cl)', () => torch.empty([2, 3, 4, 5], { memoryFormat: CL, device: DEV }).zero_());
    check('empty(cl3)', () => torch.empty([2, 3, 2, 3, 4], { memoryFormat: CL3, device: DEV }).zero_());
    check('contiguous(cl3) 5d', () => make('a5', 'c').contiguous({ memoryFormat: CL3 }));
    check('n11 contiguous(cl)', () => make('n11', 'c').contiguous({ memoryFormat: CL }));
    check('c1 contiguous(cl)', () => make('c1', 'c').contiguous({ memoryFormat: CL }));
    // torch.empty's strides without values
    const r = torch.randLike(make('a', 'cl'));
    expect(r.stride()).toEqual([60, 1, 15, 3]);
    expect(torch.randnLike(make('a', 'cl'), { memoryFormat: CF }).isContiguous()).toBe(true);
  });
  it('bad memory formats are errors naming the op', () => {
    const x = make('a', 'c');
    expect(() => x.contiguous({ memoryFormat: 'nhwc' as never })).toThrow(/contiguous\(\): argument 'memory_format'/);
    expect(() => x.contiguous({ memoryFormat: PF })).toThrow(torch.TorchError);
    expect(() => x.isContiguous({ memoryFormat: PF })).toThrow(/preserveFormat/);
    expect(() => x.contiguous({ memoryFormat: CL3 })).toThrow(/rank 5.*\[2, 3, 4, 5\]/);
    expect(() => make('a5', 'c').to({ memoryFormat: CL })).toThrow(/rank 4/);
    expect(() => torch.empty([2, 3], { memoryFormat: CL })).toThrow(torch.TorchError);
    expect(() => torch.empty([2, 3, 4, 5], { memoryFormat: PF })).toThrow(/preserve memory format/);
    expect(() => x.clone({ format: CL } as never)).toThrow(/format/);
    expect(() => torch.zerosLike(x, { memoryFormat: 3 } as never)).toThrow(TypeError);
    expect(make('hw', 'c').isContiguous({ memoryFormat: CL })).toBe(false);
  });
});

describe('TensorIterator output layout (elementwise ops)', () => {
  const EW: Record<string, (a: T, b: T) => T> = {
    relu: (a) => a.relu(), neg: (a) => a.neg(), sigmoid: (a) => a.sigmoid(), mul2: (a) => a.mul(2), add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b), mul: (a, b) => a.mul(b), maximum: (a, b) => torch.maximum(a, b), gt: (a, b) => a.gt(b),
    clamp: (a) => a.clamp(-0.5, 0.5), pow2: (a) => a.pow(3),
  };
  it('unary and binary ops over channels-last, mixed and other layouts', () => {
    for (const op of Object.keys(EW)) {
      for (const [la, lb] of [['cl', 'c'], ['c', 'cl'], ['cl', 'cl'], ['clslice', 'clslice'], ['nchw_t', 'cl'], ['cl', 'nchw_t']]) {
        if (['relu', 'neg', 'sigmoid', 'mul2', 'clamp', 'pow2'].includes(op) && lb !== 'c') continue;
        check(`${op} a:${la} b:${lb}`, () => { const a = make('a', la); return EW[op](a, make('b', lb).narrow(2, 0, a.shape[2])); });
      }
    }
  });
  it('broadcasting, scalars, ambiguous N,C,1,1 shapes, ternary ops and 5-d', () => {
    for (const [na, la, nb, lb] of [['a', 'cl', 'bias', 'c'], ['bias', 'c', 'a', 'cl'], ['a', 'cl', 'c3', 'c'], ['a', 'cl', 'hw', 'c'], ['hw', 'c', 'a', 'cl'],
      ['n11', 'cl', 'n11b', 'c'], ['n11', 'c', 'n11b', 'cl'], ['n11', 'cl', 'a', 'c'], ['c1', 'cl', 'a', 'c'], ['a', 'c', 'c1', 'cl'], ['a5', 'cl3', 'a5', 'c']]) {
      check(`add ${na}:${la} ${nb}:${lb}`, () => make(na, la).add(make(nb, lb)));
    }
    check('add scalar tensor', () => make('a', 'cl').add(torch.tensor(1.5, { dtype: 'float64' })));
    check('where cond:cl', () => torch.where(make('cond', 'cl').gt(0), make('a', 'c'), make('b', 'c')));
    check('where a:cl', () => torch.where(make('cond', 'c').gt(0), make('a', 'cl'), make('b', 'c')));
    check('lerp end:cl', () => torch.lerp(make('a', 'c'), make('b', 'cl'), 0.25));
    check('relu 5d cl3', () => make('a5', 'cl3').relu());
  });
  it('in-place ops keep the layout; gradients through elementwise ops', () => {
    const x = make('a', 'cl').requiresGrad_();
    const y = x.mul(x).sigmoid();
    expect(y.isContiguous({ memoryFormat: CL })).toBe(true);
    y.sum().backward();
    expect(x.grad!.stride()).toEqual([60, 1, 15, 3]);
    const plain = make('a', 'c').requiresGrad_();
    plain.mul(plain).sigmoid().sum().backward();
    expect(x.grad!.sub(plain.grad!).abs().max().item()).toBe(0);
    const z = make('a', 'cl');
    z.mul_(2).relu_();
    expect(z.stride()).toEqual([60, 1, 15, 3]);
    expect(z.sub(make('a', 'c').mul(2).relu()).abs().max().item()).toBe(0);
  });
});

describe('nn ops on channels-last tensors (float32)', () => {
  const tol = { rtol: 1e-4, atol: 1e-4 };
  const conv = (lx: string, lw: string, bias: boolean, opts: Record<string, number>) => (): T[] => {
    const x = make('x', lx, 'float32').detach().requiresGrad_();
    const w = make('w', lw, 'float32').detach().requiresGrad_();
    const b = bias ? make('wb', 'c', 'float32').detach().requiresGrad_() : null;
    const y = F.conv2d(x, w, b, opts);
    y.mul(make('g', 'c', 'float32').narrow(2, 0, y.shape[2]).narrow(3, 0, y.shape[3])).sum().backward();
    return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])];
  };
  it('conv2d: a channels-last input or weight gives a channels-last output; leaf gradients as their leaves', () => {
    for (const [lx, lw] of [['cl', 'c'], ['c', 'cl'], ['cl', 'cl'], ['c', 'c'], ['clslice', 'c']]) check(`conv2d x:${lx} w:${lw}`, conv(lx, lw, true, { padding: 1 }), tol);
    check('conv2d x:cl stride 2 no bias', conv('cl', 'c', false, { stride: 2 }), tol);
  });
  it('conv_transpose2d (contiguous output, as PyTorch)', () => {
    check('conv_transpose2d x:cl', () => {
      const x = make('x', 'cl', 'float32').detach().requiresGrad_();
      const w = make('wt', 'c', 'float32').detach().requiresGrad_();
      const y = F.convTranspose2d(x, w, { stride: 2, padding: 1 });
      y.mul(y).sum().backward();
      return [y, x.grad!, w.grad!];
    }, tol);
  });
  it('BatchNorm2d train and eval', () => {
    for (const lx of ['cl', 'c']) {
      for (const train of [true, false]) {
        check(`batch_norm2d x:${lx} train:${train ? 'True' : 'False'}`, () => {
          const m = new nn.BatchNorm2d(4).to(DEV);
          torch.noGrad(() => { m.weight!.copy_(torch.linspace(0.5, 1.5, 4)); m.bias!.copy_(torch.linspace(-1, 1, 4)); });
          if (train) m.train(); else m.eval();
          const x = make('x', lx, 'float32').detach().requiresGrad_();
          const y = m.call(x) as T;
          y.mul(make('x', 'c', 'float32')).sum().backward();
          return [y, x.grad!, m.weight!.grad!, m.runningMean!, m.runningVar!];
        }, tol);
      }
    }
  });
  it('pooling and ReLU', () => {
    for (const kind of ['max', 'avg', 'aap1', 'aap3', 'aap7', 'relu']) {
      for (const lx of ['cl', 'c']) {
        check(`pool ${kind} x:${lx}`, () => {
          const x = make('p', lx, 'float32').detach().requiresGrad_();
          let y: T;
          if (kind === 'max') {
            const [v, i] = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true }) as [T, T];
            v.mul(v).sum().backward();
            return [v, i, x.grad!];
          }
          if (kind === 'avg') y = F.avgPool2d(x, 2);
          else if (kind === 'aap1') y = F.adaptiveAvgPool2d(x, 1);
          else if (kind === 'aap3') y = F.adaptiveAvgPool2d(x, 3);
          else if (kind === 'aap7') y = F.adaptiveAvgPool2d(x, [7, 1]);
          else y = new nn.ReLU().call(x) as T;
          y.mul(y).sum().backward();
          return [y, x.grad!];
        }, tol);
      }
    }
  });
  it('Module.to({ memoryFormat: channelsLast }): 4-d parameters laid out so; forward and gradients as PyTorch', () => {
    const c = CASES.get('module.to(cl)')!;
    check('module.to(cl)', () => {
      const m = new nn.Sequential(new nn.Conv2d(4, 6, 3, { padding: 1 }), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 3, 1),
        new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(3, 2));
      const sd: Record<string, T> = {};
      for (const [k, v] of Object.entries(c.state!)) sd[k] = torch.tensor(v.data as number[], { dtype: v.dtype as DT }).reshape(v.shape);
      m.loadStateDict(sd);
      m.to(DEV);
      expect(m.to({ memoryFormat: CL })).toBe(m);
      const y = m.call(make('x', 'c', 'float32').contiguous({ memoryFormat: CL })) as T;
      y.sum().backward();
      const outs: T[] = [y];
      for (const [, p] of m.namedParameters()) outs.push(p, p.grad!);
      return outs;
    }, tol);
  });
});

describe('serialization', () => {
  it('loads a channels-last tensor saved by torch.save with its strides', () => {
    const c = CASES.get('saved')!;
    const o = c.outs[0] as Out;
    seen.add('saved');
    const x = (torch.load(path.join(__dirname, 'ref/memory_format_cl.pt')) as { x: T }).x;
    checkLayout(x, o, 'loaded');
    expectTensor(x, o);
  });
  it('saves a channels-last tensor by its values (nodetorch and safetensors formats; read back by PyTorch)', () => {
    const x = make('a', 'cl', 'float32').cpu();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mf-'));
    try {
      for (const [f, obj] of [['a.safetensors', { x }], ['b.ntckpt', { x, n: 1 }]] as [string, Record<string, unknown>][]) {
        torch.save(obj, path.join(dir, f));
        const back = (torch.load(path.join(dir, f)) as { x: T }).x;
        expect(back.tolist()).toEqual(x.tolist());
      }
      const py = `import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8 + n])['x']
b, e = h['data_offsets']
print(json.dumps(torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(h['shape']).tolist()))`;
      const r = spawnSync('/usr/bin/python3', ['-c', py, path.join(dir, 'a.safetensors')], { encoding: 'utf8' });
      if (r.error || r.status !== 0) { console.warn('skipping the PyTorch read-back (no python3 with torch)'); return; }
      expect(JSON.parse(r.stdout)).toEqual(x.tolist());
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});


describe('training a channels-last model', () => {
  it('SGD (momentum) and Adam steps on channels-last parameters give the contiguous model\'s values', () => {
    for (const mk of [(ps: torch.nn.Parameter[]) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: torch.nn.Parameter[]) => new torch.optim.Adam(ps, { lr: 0.01 })]) {
      const run = (channelsLast: boolean): T[] => {
        torch.manualSeed(3);
        const m = new nn.Sequential(new nn.Conv2d(4, 6, 3, { padding: 1 }), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.Conv2d(6, 2, 1)).to(DEV);
        if (channelsLast) m.to({ memoryFormat: CL });
        const opt = mk(m.parameters());
        let x = make('x', 'c', 'float32');
        if (channelsLast) x = x.contiguous({ memoryFormat: CL });
        for (let i = 0; i < 3; i++) { opt.zeroGrad(); (m.call(x) as T).square().mean().backward(); opt.step(); }
        return m.parameters();
      };
      const a = run(false), b = run(true);
      expect(b[0].isContiguous({ memoryFormat: CL })).toBe(true);
      a.forEach((p, i) => expect(p.sub(b[i]).abs().max().item()).toBeLessThan(1e-5));
    }
  });
});

describe('layout conversions of large tensors (the tiled transposing copy, native/cpu/nhwc_copy.inc)', () => {
  // the storage in memory order, read through a flat contiguous view (no copy kernel involved)
  const memory = (t: T): number[] => (t.asStrided([t.numel()], [1], t.storageOffset()).tolist() as number[]);
  it('NCHW <-> NHWC and transposes, every dtype width, against index arithmetic', () => {
    const [N, C, H, W] = [3, 37, 9, 13];
    for (const dtype of ['float32', 'float64', 'float16', 'int64', 'int32', 'int16'] as const) {
      const vals = Array.from({ length: N * C * H * W }, (_, i) => (i * 7919) % 2003 - 1000);
      const x = torch.tensor(vals, { dtype }).reshape([N, C, H, W]).to(DEV);
      const y = x.contiguous({ memoryFormat: CL });
      const want: number[] = [];
      for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) want.push(vals[((n * C + c) * H + h) * W + w]);
      expect(memory(y)).toEqual(want);
      // and back: C order again
      expect(memory(y.contiguous())).toEqual(vals);
      // a 2-D transpose and a batched one
      const m = torch.tensor(vals.slice(0, 97 * 131), { dtype }).reshape([97, 131]).to(DEV);
      const mt: number[] = [];
      for (let j = 0; j < 131; j++) for (let i = 0; i < 97; i++) mt.push(vals[i * 131 + j]);
      expect(memory(m.t().contiguous())).toEqual(mt);
      const b = x.reshape([N, C, H * W]).transpose(1, 2).contiguous();
      const bt: number[] = [];
      for (let n = 0; n < N; n++) for (let k = 0; k < H * W; k++) for (let c = 0; c < C; c++) bt.push(vals[(n * C + c) * H * W + k]);
      expect(memory(b)).toEqual(bt);
    }
  });
  it('a copy into a channels-last view of a larger storage, and an offset source', () => {
    const big = torch.arange(0, 2 * 40 * 12 * 10, { dtype: 'float32' }).reshape([2, 40, 12, 10]).to(DEV);
    const src = big.narrow(1, 3, 32);  // offset and non-dense: the generic loop
    const y = src.contiguous({ memoryFormat: CL });
    expect(y.sub(src).abs().max().item()).toBe(0);
    const dst = torch.zeros([2, 32, 12, 10], { device: DEV }).contiguous({ memoryFormat: CL });
    dst.copy_(big.narrow(0, 1, 1).expand([2, 40, 12, 10]).narrow(1, 0, 32).contiguous());
    expect(dst.sub(big.narrow(0, 1, 1).narrow(1, 0, 32)).abs().max().item()).toBe(0);
  });
});

// The same API on a CUDA device (the emulator's addon: NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node; the
// whole suite above also runs there with MF_DEVICE=cuda): layouts as on the CPU, values equal to the CPU's
const cudaIt = torch.cuda.isAvailable() ? it : it.skip;
describe('CUDA', () => {
  cudaIt('channels-last layouts and values match the CPU', () => {
    const prev = torch.backends.cudnn.allowTf32;
    torch.backends.cudnn.allowTf32 = false;
    try {
      const x = make('x', 'cl', 'float32'), w = make('w', 'c', 'float32');
      const run = (dev: string): T[] => {
        const xd = x.to(dev).detach().requiresGrad_(), wd = w.to(dev).detach().requiresGrad_();
        expect(xd.isContiguous({ memoryFormat: CL })).toBe(true);
        const y = F.maxPool2d(F.conv2d(xd, wd, null, { padding: 1 }).relu().add(1), 2) as T;
        y.square().sum().backward();
        return [y, xd.grad!, wd.grad!, torch.zerosLike(y).add(y), y.to('float64')];
      };
      const c = run('cpu'), g = run('cuda');
      g.forEach((t, i) => {
        expect(t.device.type).toBe('cuda');
        expect(t.stride()).toEqual(c[i].stride());
        expect(t.cpu().sub(c[i]).abs().max().item()).toBeLessThan(1e-3);
      });
    } finally { torch.backends.cudnn.allowTf32 = prev; }
  });
});

// last: every recorded case was run (a case added to the generator needs its twin above)
describe('coverage of the references', () => {
  it('every case of memory_format.json was checked', () => {
    expect(REF.cases.map((c) => c.name).filter((n) => !seen.has(n))).toEqual([]);
  });
});
