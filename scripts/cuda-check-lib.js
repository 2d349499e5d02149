#!/usr/bin/env node
// cuda-check-lib.js - the CUDA backend through the public API (dist/, as a user calls it): every check runs the same
// program on 'cpu' and on 'cuda' from the same inputs and compares the results read back (values, shapes, dtypes,
// gradients, optimizer trajectories, a short training run), plus the device semantics that only exist with a GPU
// (moves, mixed-device errors, memory accounting, printing, save/load with mapLocation, DataLoader batches moved in
// the loop). Plain Node, no jest, so that it also runs on a GPU machine that has only node and the built addon.
// Without a CUDA device it says so and exits 0. On the CPU it runs under the CUDA emulator (scripts/cuda-emu/check.sh).
// Usage: node scripts/cuda-check-lib.js            (loads the package root: NODETORCH_ADDON picks the binary)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const torch = require(path.join(__dirname, '..'));
const { nn, optim } = torch;
const F = nn.functional;

if (!torch.cuda.isAvailable()) {
  console.log(`cuda-check-lib: no CUDA device: skipped (${torch.cuda.diagnose().split('\n').pop()})`);
  process.exit(0);
}
let failures = 0, checks = 0;
const t0 = Date.now();
function check(ok, what) {
  checks++;
  if (!ok) { failures++; console.log(`  FAIL ${what}`); }
}
// a seeded stream of inputs, identical for both devices (drawn on the CPU, then moved)
let seed = 1;
function inputs(fn) { torch.manualSeed(seed); return fn(); }
const flat = (t) => {
  const a = [];
  const walk = (x) => (Array.isArray(x) ? x.forEach(walk) : a.push(typeof x === 'bigint' ? Number(x) : x));
  walk(t.tolist());
  return a;
};
function closeTensors(c, g, rtol, atol, name) {
  if (!(g instanceof torch.Tensor)) return `${name}: not a tensor on cuda`;
  if (g.device.type !== 'cuda') return `${name}: result on ${g.device}, expected cuda`;
  if (JSON.stringify(c.shape) !== JSON.stringify(g.shape)) return `${name}: shape ${JSON.stringify(g.shape)} vs ${JSON.stringify(c.shape)}`;
  if (c.dtype !== g.dtype) return `${name}: dtype ${g.dtype} vs ${c.dtype}`;
  const a = flat(c), b = flat(g.cpu());
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (typeof x === 'boolean' || Number.isInteger(x) && c.dtype.startsWith('int') || c.dtype === 'uint8') {
      if (x !== y) return `${name}: [${i}] ${y} vs ${x}`;
      continue;
    }
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(x))) return `${name}: [${i}] cuda ${y} vs cpu ${x} (rtol ${rtol}, atol ${atol})`;
  }
  return null;
}
// both(name, fn, tol): fn(device) returns a tensor or a (nested) array/object of tensors and numbers
const TOL = { float32: [1e-4, 1e-5], float64: [1e-10, 1e-12], float16: [1e-2, 1e-3], bfloat16: [2e-2, 1e-2] };
function both(name, fn, tol) {
  seed++;
  let c, g;
  try { c = fn('cpu'); } catch (e) { check(false, `${name}: cpu threw ${e.message}`); return; }
  try { g = fn('cuda'); } catch (e) { check(false, `${name}: cuda threw ${e.message}`); return; }
  const cmp = (x, y, where) => {
    if (x instanceof torch.Tensor) {
      const [rt, at] = tol || TOL[x.dtype] || [0, 0];
      const r = closeTensors(x, y, rt, at, where);
      check(r === null, r || where);
    } else if (Array.isArray(x)) {
      check(Array.isArray(y) && y.length === x.length, `${where}: length`);
      x.forEach((v, i) => cmp(v, y[i], `${where}[${i}]`));
    } else if (x && typeof x === 'object') {
      for (const k of Object.keys(x)) cmp(x[k], y[k], `${where}.${k}`);
    } else if (typeof x === 'number') {
      const [rt, at] = tol || TOL.float32;
      check(Math.abs(x - y) <= at + rt * Math.abs(x) || (Number.isNaN(x) && Number.isNaN(y)), `${where}: ${y} vs ${x}`);
    } else {
      check(x === y, `${where}: ${y} vs ${x}`);
    }
  };
  cmp(c, g, name);
}
function throwsLike(name, fn, re) {
  let msg = null;
  try { fn(); } catch (e) { msg = e instanceof torch.TorchError ? e.message : `not a TorchError: ${e}`; }
  check(msg !== null && re.test(msg), `${name}: expected a TorchError matching ${re}, got ${msg === null ? 'no error' : `"${msg}"`}`);
}
const randn = (shape, dtype = 'float32') => torch.randn(shape, { dtype });

// ---------------------------------------------------------------- device semantics
{
  const a = torch.tensor([[1, 2], [3, 4]]);
  const g = a.cuda();
  check(g.device.type === 'cuda' && g.device.index === 0 && String(g.device) === 'cuda:0', `device of a.cuda(): ${g.device}`);
  check(g.isCuda && !a.isCuda, 'isCuda');
  check(g.to('cuda') === g && g.to('cuda:0') === g, 'to(same device) returns the tensor itself');
  check(a.to('cpu') === a, 'cpu to(cpu) is itself');
  check(JSON.stringify(g.cpu().tolist()) === '[[1,2],[3,4]]', 'round trip values');
  check(g.toString() === "tensor([[1, 2],\n        [3, 4]], device='cuda:0')", `repr of a CUDA tensor: ${JSON.stringify(g.toString())}`);
  check(g.sum().item() === 10, 'item() of a CUDA scalar');
  const z = torch.zeros([3], { device: 'cuda' });
  check(z.device.type === 'cuda' && flat(z).every((v) => v === 0), 'zeros({device: cuda})');
  throwsLike('mixed devices', () => torch.add(g, a), /Expected all tensors to be on the same device, but found at least two devices, (cuda:0 and cpu|cpu and cuda:0)!/);
  throwsLike('mixed devices in matmul', () => g.matmul(a), /same device/);
  throwsLike('device index out of range', () => a.to('cuda:7'), /cuda|device/i);
  const before = torch.cuda.memoryAllocated();
  const big = torch.empty([1 << 20], { device: 'cuda' });
  const during = torch.cuda.memoryAllocated();
  big.dispose();
  const after = torch.cuda.memoryAllocated();
  check(during - before >= 4 << 20 && after <= before, `memoryAllocated follows a 4 MiB tensor (${before} -> ${during} -> ${after})`);
  check(torch.cuda.memoryReserved() >= torch.cuda.memoryAllocated(), 'memoryReserved >= memoryAllocated');
  torch.cuda.emptyCache();
  torch.cuda.synchronize();
  check(torch.cuda.deviceCount() >= 1, 'deviceCount');
  // copies between devices through strided views, and in-place copy_ across devices
  const base = inputs(() => randn([6, 8]));
  const t = base.t().narrow(0, 1, 5).cuda();
  check(closeTensors(base.t().narrow(0, 1, 5), t, 0, 0, 'strided view to cuda') === null, 'strided view moved to cuda');
  const dst = torch.zeros([8, 6], { device: 'cuda' });
  dst.copy_(base.t());
  check(closeTensors(base.t(), dst, 0, 0, 'copy_ cpu -> cuda') === null, 'copy_ from a CPU tensor into a CUDA one');
  const back = torch.zeros([6, 8]);
  back.copy_(dst.t());
  check(closeTensors(base, back.cuda(), 0, 0, 'copy_ cuda -> cpu') === null, 'copy_ from a CUDA tensor into a CPU one');
}

// ---------------------------------------------------------------- creation and random streams
both('arange/linspace/eye/full', (d) => [torch.arange(0, 10, 0.5, { device: d }), torch.linspace(-1, 1, 7, { device: d }),
  torch.eye(3, 4, { device: d }), torch.full([2, 3], 7, { device: d, dtype: 'int64' }), torch.onesLike(torch.zeros([2], { device: d }))]);
{
  torch.cuda.manualSeed(7);
  const a = torch.randn([1000], { device: 'cuda' }), u = torch.rand([1000], { device: 'cuda' });
  torch.cuda.manualSeed(7);
  const b = torch.randn([1000], { device: 'cuda' }), v = torch.rand([1000], { device: 'cuda' });
  check(closeTensors(a.cpu(), b, 0, 0, 'randn') === null && closeTensors(u.cpu(), v, 0, 0, 'rand') === null, 'cuda random streams repeat under torch.cuda.manualSeed');
  const m = a.mean().item(), s = a.std().item();
  check(Math.abs(m) < 0.15 && Math.abs(s - 1) < 0.1, `randn on cuda: mean ${m}, std ${s}`);
  const mu = u.mean().item();
  check(Math.abs(mu - 0.5) < 0.05 && u.min().item() >= 0 && u.max().item() < 1, `rand on cuda: mean ${mu}`);
  const p = torch.randperm(50, { device: 'cuda' });
  check(JSON.stringify(flat(p).sort((x, y) => x - y)) === JSON.stringify([...Array(50).keys()]), 'randperm on cuda is a permutation');
  const k = torch.randint(0, 5, [2000], { device: 'cuda' });
  check(k.min().item() === 0 && k.max().item() === 4 && k.dtype === 'int64', 'randint on cuda');
  const bern = torch.bernoulli(torch.full([4000], 0.25, { device: 'cuda' }));
  check(Math.abs(bern.mean().item() - 0.25) < 0.03, 'bernoulli on cuda');
}

// ---------------------------------------------------------------- elementwise, type promotion, in-place, views
for (const dt of ['float32', 'float64', 'float16', 'bfloat16']) {
  both(`elementwise chain ${dt}`, (d) => {
    const [x, y] = inputs(() => [randn([7, 33], dt), randn([33], dt)]).map((t) => t.to(d));
    return [x.add(y).mul(2).sub(x.exp().clamp(0, 3)), torch.where(x.gt(y), x, y), x.sigmoid().pow(2), torch.tanh(x).div(y.abs().add(1))];
  });
}
both('integer and bool ops', (d) => {
  const x = torch.arange(-20, 20, { dtype: 'int64', device: d }).reshape([5, 8]);
  return [x.floorDivide(3), x.remainder(7), x.bitwiseAnd(6), x.gt(0).logicalXor(x.lt(5)), x.mul(x).sum(1), x.abs().max()];
});
both('type promotion', (d) => {
  const i = torch.arange(6, { device: d }), f = torch.ones([6], { device: d, dtype: 'float16' });
  return [i.add(f), i.div(4), i.mul(0.5), torch.tensor([true, false], { device: d }).add(1)];
});
both('in-place on views', (d) => {
  const x = inputs(() => randn([6, 6])).to(d);
  x.narrow(1, 2, 3).mul_(10);
  x.t().select(0, 0).add_(1);
  x.diagonal().zero_();
  return x;
});
both('big elementwise (grid-stride loop)', (d) => {
  const x = inputs(() => randn([300000])).to(d);
  return [x.mul(x).add(1).sqrt(), x.expand([2, 300000]).sum(0)];
});

// ---------------------------------------------------------------- reductions
for (const dt of ['float32', 'float64']) {
  both(`reductions ${dt}`, (d) => {
    const x = inputs(() => randn([5, 37, 19], dt)).to(d);
    const xt = x.permute([2, 0, 1]);
    return [x.sum(), x.mean([0, 2]), xt.sum(-1, true), x.max(1).values, x.max(1).indices, x.argmin(2), x.var(1), x.std([0, 1]),
      x.amax([1, 2]), x.logsumexp(1), x.norm(), x.prod(0).abs().log(), x.softmax(1), x.logSoftmax(-1), x.cumsum(1), x.cumprod(2)];
  });
}
both('sort/topk/argsort', (d) => {
  const x = inputs(() => randn([9, 300])).to(d);
  const s = x.sort(1, true);
  const tk = x.topk(5, 1);
  return [s.values, s.indices, tk.values, tk.indices, x.argsort(0)];
});
both('bool and integer reductions', (d) => {
  const x = inputs(() => randn([4, 1000])).to(d);
  return [x.gt(0).sum(1), x.gt(0).any(1), x.gt(-3).all(), x.gt(0).to('int32').sum(), x.mul(100).to('int64').max(1).values];
});
both('large reduction (many blocks, two passes)', (d) => {
  const x = inputs(() => randn([3, 200000])).to(d);
  return [x.sum(1), x.mean(), x.max(1).values, x.argmax(1), x.var(1)];
}, [1e-4, 1e-4]);

// ---------------------------------------------------------------- matmul
for (const dt of ['float32', 'float64', 'float16']) {
  both(`matmul paths ${dt}`, (d) => {
    const [a, b, c, v] = inputs(() => [randn([17, 40], dt), randn([40, 23], dt), randn([3, 40, 17], dt), randn([40], dt)]).map((t) => t.to(d));
    return [a.mm(b), b.t().mm(a.t()), c.matmul(a), a.matmul(v), v.dot(v), torch.addmm(b.narrow(0, 0, 17), a, b, { beta: 0.5, alpha: 2 }),
      torch.bmm(c.transpose(1, 2), c), torch.outer(v, v.narrow(0, 0, 5))];
  }, dt === 'float16' ? [2e-2, 2e-2] : dt === 'float32' ? [1e-4, 1e-4] : undefined);
}
both('matmul int64 and large', (d) => {
  const [a, b] = inputs(() => [torch.randint(-9, 9, [33, 65]), torch.randn([130, 70])]).map((t) => t.to(d));
  return [a.matmul(a.t()), b.t().matmul(b)];
}, [1e-4, 1e-3]);
both('einsum', (d) => {
  const [a, b] = inputs(() => [randn([4, 5, 6]), randn([6, 5])]).map((t) => t.to(d));
  return [torch.einsum('bij,jk->bik', a, b), torch.einsum('bij,ji->b', a, b)];
});

// ---------------------------------------------------------------- indexing
both('indexing', (d) => {
  const x = inputs(() => randn([8, 9])).to(d);
  const idx = torch.tensor([3, 0, 7, 3], { device: d });
  const m = x.gt(0.5);
  const y = x.clone();
  y.indexPut_([idx], torch.ones([4, 9], { device: d }));
  return [x.index(idx), x.index(':', idx.narrow(0, 0, 2)), x.index(m), x.gather(1, torch.tensor([[0, 8], [1, 1], [2, 3], [4, 4], [5, 6], [7, 0], [1, 2], [3, 3]], { device: d })),
    x.maskedFill(m, -1), x.maskedSelect(m), m.nonzero(), x.indexSelect(1, idx), y,
    torch.zeros([8, 9], { device: d }).scatterAdd(0, torch.tensor([[1, 2, 3, 4, 5, 6, 7, 0, 1]], { device: d }).expand([8, 9]), x),
    torch.cat([x, x.t().narrow(0, 0, 8)], 1), torch.stack([x, x.neg()]), x.flip(0), x.roll(3, 1), x.tril(-1)];
});
throwsLike('index out of range on cuda', () => torch.zeros([4], { device: 'cuda' }).index(torch.tensor([9], { device: 'cuda' })), /index 9 is out of bounds/);

// ---------------------------------------------------------------- autograd
both('autograd: MLP gradients', (d) => {
  const [x, w1, w2, t] = inputs(() => [randn([16, 10]), randn([10, 32]).mul(0.3), randn([32, 4]).mul(0.3), torch.randint(0, 4, [16])]);
  const W1 = w1.to(d).requiresGrad_(), W2 = w2.to(d).requiresGrad_();
  const loss = F.crossEntropy(x.to(d).matmul(W1).relu().matmul(W2), t.to(d));
  loss.backward();
  return [loss, W1.grad, W2.grad];
});
both('autograd: conv net gradients', (d) => {
  const x = inputs(() => randn([3, 2, 12, 12])).to(d).requiresGrad_();
  torch.manualSeed(11);
  const net = new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 6, 3, { stride: 2 }), new nn.ReLU(), new nn.AdaptiveAvgPool2d([1, 1]), new nn.Flatten(), new nn.Linear(6, 3)).to(d);
  const out = net.forward(x);
  out.pow(2).sum().backward();
  return [out, x.grad, ...[...net.parameters()].map((p) => p.grad)];
}, [1e-3, 1e-4]);
both('autograd: layers', (d) => {
  torch.manualSeed(5);
  const ln = new nn.LayerNorm(8).to(d), emb = new nn.Embedding(10, 8).to(d), gn = new nn.GroupNorm(2, 8).to(d);
  const lstm = new nn.LSTM(8, 6, { batchFirst: true, numLayers: 2 }).to(d);
  const attn = new nn.MultiheadAttention(8, 2, { batchFirst: true }).to(d);
  const ids = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 9]], { device: d });
  const e = ln.forward(emb.forward(ids));
  const [h] = lstm.forward(e);
  const [a] = attn.forward(e, e, e);
  const g = gn.forward(e.transpose(1, 2));
  const loss = h.sum().add(a.pow(2).sum()).add(g.sigmoid().sum());
  loss.backward();
  return [h, a, g, loss, emb.weight.grad, ...[...lstm.parameters()].map((p) => p.grad), ...[...attn.parameters()].map((p) => p.grad)];
}, [1e-3, 1e-4]);
both('autograd: losses', (d) => {
  const [x, y, t] = inputs(() => [randn([6, 5]), torch.rand([6, 5]), torch.randint(0, 5, [6])]).map((v) => v.to(d));
  const xs = x.requiresGrad_();
  const l = F.mseLoss(xs, y).add(F.l1Loss(xs, y)).add(F.smoothL1Loss(xs, y)).add(F.binaryCrossEntropyWithLogits(xs, y))
    .add(F.nllLoss(xs.logSoftmax(1), t)).add(F.klDiv(xs.logSoftmax(1), y.softmax(1), { reduction: 'batchmean' }));
  l.backward();
  return [l, xs.grad];
});

both('autograd: more layers (GRU, transformer, conv1d/transposed, pools, embedding with repeated ids)', (d) => {
  torch.manualSeed(6);
  const gru = new nn.GRU(5, 4, { bidirectional: true }).to(d);
  const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), 2).to(d);
  const c1 = new nn.Conv1d(3, 4, 3, { padding: 2, dilation: 2 }).to(d), ct = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }).to(d);
  const emb = new nn.Embedding(6, 8, { paddingIdx: 0 }).to(d);
  const [s, i1, i2, i3] = inputs(() => [randn([7, 2, 5]), randn([2, 3, 11]), randn([2, 2, 5, 5]), torch.tensor([[1, 1, 0, 5], [5, 1, 2, 2]])]).map((t) => t.to(d));
  const [g] = gru.forward(s);
  const e = enc.forward(emb.forward(i3));
  const a = c1.forward(i1), b = ct.forward(i2);
  const p = F.avgPool2d(b, 2, { stride: 1, padding: 1, countIncludePad: false }).add(F.maxPool2d(b, 3, { stride: 2, padding: 1 }).mean());
  const loss = g.pow(2).sum().add(e.sum()).add(F.maxPool1d(a, 2).sum()).add(p.sum());
  loss.backward();
  const grads = [gru, enc, c1, ct, emb].flatMap((m) => [...m.parameters()].map((q) => q.grad));
  return [g, e, a, b, p, loss, ...grads];
}, [2e-3, 2e-4]);
both('dropout and clipGradNorm_ on cuda', (d) => {
  const x = inputs(() => randn([4, 50])).to(d).requiresGrad_();
  torch.manualSeed(21);
  if (d === 'cuda') torch.cuda.manualSeed(21);
  const y = F.dropout(x, 0.3, true);
  const keep = y.ne(0).to('float32').mean().item();
  y.mul(x).sum().backward();
  const norm = nn.utils.clipGradNorm_([x], 1.0);
  return [Math.abs(keep - 0.7) < 0.1, y.eq(0).logicalOr(y.sub(x.div(0.7)).abs().lt(1e-5)).all(), norm.gt(0), x.grad.norm().lt(1.0001)];
});

// ---------------------------------------------------------------- vision transforms on CUDA tensors (as torchvision)
{
  const { transforms: T, utils: VU, io: VIO } = require(path.join(__dirname, '..', 'dist', 'vision'));
  const img = inputs(() => torch.randint(0, 256, [3, 20, 24], { dtype: 'uint8' }));
  const list = [
    ['ToDtype', new T.ToDtype('float32', { scale: true }), true], ['Normalize', new T.Normalize([0.5, 0.4, 0.3], [0.2, 0.2, 0.2])],
    ['Resize', new T.Resize([10, 12])], ['Resize antialias', new T.Resize(8, { antialias: true })], ['CenterCrop', new T.CenterCrop(11)],
    ['RandomCrop', new T.RandomCrop(12, { padding: 2 })], ['RandomResizedCrop', new T.RandomResizedCrop(9)],
    ['RandomHorizontalFlip', new T.RandomHorizontalFlip(1)], ['RandomRotation', new T.RandomRotation(30)],
    ['ColorJitter', new T.ColorJitter({ brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.1 })],
  ];
  for (const [name, t, raw] of list) {
    both(`vision ${name}`, (d) => {
      const x = (raw ? img : img.to('float32').div(255)).to(d);
      torch.manualSeed(5);  // the random transforms draw their parameters from the CPU generator, as torchvision
      return t.forward(x);
    }, [1e-5, 1e-5]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-cuda-vis-'));
  const grid = VU.makeGrid(inputs(() => torch.rand([4, 3, 8, 8])).cuda(), { nrow: 2 });
  VU.saveImage(grid, path.join(dir, 'g.png'));
  const back = VIO.readImage(path.join(dir, 'g.png'));
  check(grid.device.type === 'cuda' && JSON.stringify(back.shape) === '[3,22,22]', `makeGrid/saveImage of CUDA tensors (${grid.device}, ${back.shape})`);
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- optimizers (trajectories over a few steps)
for (const [name, make] of [
  ['SGD momentum nesterov', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam amsgrad', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
  ['RMSprop centered', (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
  ['Adagrad', (p) => new optim.Adagrad(p, { lr: 0.1 })],
]) {
  both(`optim ${name}`, (d) => {
    const [w0, x] = inputs(() => [randn([5, 3]), randn([8, 5])]);
    const w = w0.to(d).requiresGrad_();
    const opt = make([w]);
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      x.to(d).matmul(w).tanh().pow(2).mean().backward();
      opt.step();
    }
    return w.detach();
  }, [1e-4, 1e-5]);
}

both('optim state dict on cuda: save, load, resume', (d) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-cuda-opt-'));
  const [w0, x] = inputs(() => [randn([4, 3]), randn([6, 4])]);
  const w = w0.to(d).requiresGrad_();
  const opt = new optim.Adam([w], { lr: 0.05 });
  const sched = new optim.lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 10 });
  const step = (o, p) => { o.zeroGrad(); x.to(d).matmul(p).sin().sum().backward(); o.step(); };
  for (let i = 0; i < 3; i++) { step(opt, w); sched.step(); }
  torch.save({ opt: opt.stateDict(), w: w.detach() }, path.join(dir, 'ck.pt'));
  const ck = torch.load(path.join(dir, 'ck.pt'));
  const w2 = ck.w.clone().requiresGrad_();
  const opt2 = new optim.Adam([w2], { lr: 0.05 });
  opt2.loadStateDict(ck.opt);
  step(opt, w);
  step(opt2, w2);
  fs.rmSync(dir, { recursive: true, force: true });
  return [w.detach(), w2.detach(), String(ck.w.device) === (d === 'cpu' ? 'cpu' : 'cuda:0'), opt.paramGroups[0].lr];
});

// ---------------------------------------------------------------- a short training run, serialization, DataLoader
both('train a small CNN for 8 steps (DataLoader batches moved in the loop)', (d) => {
  torch.manualSeed(3);
  const X = torch.randn([64, 1, 10, 10]), Y = torch.randint(0, 3, [64]);
  const dl = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batchSize: 8, shuffle: true, generator: new torch.Generator().manualSeed(1) });
  torch.manualSeed(4);
  const net = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(64, 3)).to(d);
  const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
  const losses = [];
  for (const [xb, yb] of dl) {
    opt.zeroGrad();
    const loss = F.crossEntropy(net.forward(xb.to(d)), yb.to(d));
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  net.eval();
  const out = torch.noGrad(() => net.forward(X.to(d)));
  return [losses, out, ...[...net.parameters()].map((p) => p.detach())];
}, [2e-3, 2e-4]);
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-cuda-lib-'));
  const file = path.join(dir, 'm.pt');
  torch.manualSeed(9);
  const m = new nn.Linear(4, 3).cuda();
  torch.save(m.stateDict(), file);
  const sdCpu = torch.load(file);
  const sdCuda = torch.load(file, { mapLocation: 'cuda' });
  check(sdCpu.weight.device.type === 'cuda', `torch.load keeps the saved device (${sdCpu.weight.device})`);
  check(sdCuda.weight.device.type === 'cuda' && closeTensors(m.weight.detach().cpu(), sdCuda.weight, 0, 0, 'save/load') === null, 'save/load of CUDA parameters');
  const onCpu = torch.load(file, { mapLocation: 'cpu' });
  check(onCpu.weight.device.type === 'cpu' && closeTensors(onCpu.weight, m.weight.detach(), 0, 0, 'mapLocation cpu') === null, 'load with mapLocation cpu');
  const m2 = new nn.Linear(4, 3);
  m2.loadStateDict(sdCuda);
  check(m2.weight.device.type === 'cpu' && closeTensors(m2.weight.detach(), m.weight.detach(), 0, 0, 'loadStateDict across devices') === null, 'loadStateDict copies CUDA values into a CPU module');
  fs.rmSync(dir, { recursive: true, force: true });
}

// worker_threads load the same binary; their CPU batches are moved to the GPU on the main thread
async function workers() {
  const { datasets, transforms: T } = require(path.join(__dirname, '..', 'dist', 'vision'));
  const make = () => new datasets.MNISTSample({ train: false, transform: new T.ToDtype('float32', { scale: true }) });
  const dl = new torch.utils.data.DataLoader(make(), { batchSize: 100, numWorkers: 2 });
  const ref = new torch.utils.data.DataLoader(make(), { batchSize: 100 });
  const w = torch.ones([784, 1], { device: 'cuda' });
  let seen = 0, sum = 0, want = 0, n = 0;
  for await (const [xb, yb] of dl) { seen += yb.numel(); sum += xb.cuda().reshape([-1, 784]).matmul(w).sum().item(); if (++n === 5) break; }
  n = 0;
  for (const [xb] of ref) { want += xb.sum().item(); if (++n === 5) break; }
  check(seen === 500 && Math.abs(sum - want) < 1e-2 * Math.abs(want), `DataLoader with numWorkers 2 feeding CUDA tensors (${seen} samples, sum ${sum} vs ${want})`);
}

workers().catch((e) => check(false, `DataLoader with workers: ${e.stack || e}`)).then(() => {
  console.log(`cuda-check-lib: ${checks} checks, ${failures} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s on ${torch.cuda.diagnose().split('\n').find((l) => /cuda:0/.test(l)) || 'cuda:0'}`);
  process.exit(failures ? 1 : 0);
});
