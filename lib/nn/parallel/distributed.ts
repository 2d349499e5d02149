// distributed.ts - nn.parallel.DistributedDataParallel: PyTorch's DDP (torch/nn/parallel/distributed.py + reducer.cpp)
// over torch.distributed. Parameters and buffers are broadcast from rank 0 at construction; gradients are packed into
// buckets (reverse parameter order, 1 MB first then bucketCapMb) and each bucket's all-reduce starts as soon as
// backward has accumulated all its gradients (a post-accumulate-grad hook per parameter), so communication runs on
// the process group's native thread while JavaScript finishes backward; a callback queued on the autograd engine
// waits for every bucket and writes the averaged gradients back.
import { Module, Parameter } from '../module';
import { Tensor, keptByLibrary } from '../../tensor';
import { TorchError } from '../../errors';
import { empty, zeros } from '../../ops/creation';
import { cat } from '../../ops/families';
import { binaryOp, BINARY_DEFS } from '../../ops/elementwise';
import { noGrad } from '../../autograd/mode';
import { queueCallback, Node } from '../../autograd/engine';
import * as dist from '../../distributed';
import { native } from '../../native';

export interface DDPOptions {
  deviceIds?: (number | string)[] | null;
  outputDevice?: number | string | null;
  /** broadcast rank 0's buffers (BatchNorm statistics) before every forward (default true, as PyTorch) */
  broadcastBuffers?: boolean;
  /** bucket size in megabytes (default 25) */
  bucketCapMb?: number;
  /** detect parameters that took no part in the forward and mark them ready (default false) */
  findUnusedParameters?: boolean;
  /** after the first reduction, .grad of each parameter is a view into its bucket (saves a copy per step) */
  gradientAsBucketView?: boolean;
  staticGraph?: boolean;
  processGroup?: dist.Group | null;
  group?: dist.Group | null;
}
const OPTION_NAMES = ['deviceIds', 'outputDevice', 'broadcastBuffers', 'bucketCapMb', 'findUnusedParameters', 'gradientAsBucketView', 'staticGraph', 'processGroup', 'group'];

const FIRST_BUCKET_BYTES = 1024 * 1024; // dist._DEFAULT_FIRST_BUCKET_BYTES
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;

interface Bucket {
  params: number[];      // indices into DDP's parameter list
  offsets: number[];     // element offsets of those parameters in `flat`
  flat: Tensor;          // the gradients of this bucket, contiguous on the CPU
  pending: number;       // parameters not yet ready in this backward
  work: dist.Work | null;
}

// Copies `src` into `dst` without recording autograd history (parameters are leaves that require grad).
function assign(dst: Tensor, src: Tensor): void { noGrad(() => { dst.detach().copy_(src.to(dst.device)); }); }

export class DistributedDataParallel<M extends Module = Module> extends Module {
  declare module: M;
  declare _ddp: DDPState;
  constructor(module: M, opts: DDPOptions = {}) {
    super();
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel: module must be an nn.Module');
    if (opts === null || typeof opts !== 'object') throw new TypeError('DistributedDataParallel: options must be an object');
    for (const k of Object.keys(opts)) if (!OPTION_NAMES.includes(k)) throw new TypeError(`DistributedDataParallel() got an unexpected keyword argument '${k}' (expected one of ${OPTION_NAMES.join(', ')})`);
    const group = opts.processGroup ?? opts.group ?? null;
    const pg = dist._groupOf('DistributedDataParallel', group);
    if (!pg) throw new TorchError('DistributedDataParallel: this rank is not a member of the given process group');
    const params = module.parameters().filter((p) => p.requiresGrad);
    if (!params.length) throw new TorchError('DistributedDataParallel is not needed when a module doesn\'t have any parameter that requires a gradient.');
    const devices = new Set(params.map((p) => p.device.toString()));
    if (devices.size > 1) throw new TorchError(`DistributedDataParallel's input module must be on the same type of devices, but input module parameters locate in {${[...devices].join(', ')}}.`);
    const onCpu = params[0].device.type === 'cpu';
    if (pg.backend === 'nccl' && !params[0].device.equals(pg.device)) {
      throw new TorchError(`DistributedDataParallel: the NCCL process group communicates on ${pg.device.toString()}, but the module's parameters are on ${params[0].device.toString()} (move the model with model.to('cuda:LOCAL_RANK') after torch.cuda.setDevice(LOCAL_RANK))`);
    }
    if (onCpu && ((opts.deviceIds && opts.deviceIds.length) || (opts.outputDevice !== undefined && opts.outputDevice !== null))) {
      throw new TorchError(`DistributedDataParallel device_ids and output_device arguments only work with single-device/multiple-device GPU modules or CPU modules, but got device_ids [${opts.deviceIds ?? ''}], output_device ${opts.outputDevice ?? 'None'}, and module parameters {${[...devices].join(', ')}}.`);
    }
    const cap = opts.bucketCapMb ?? 25;
    if (typeof cap !== 'number' || !(cap > 0)) throw new TorchError(`DistributedDataParallel: bucketCapMb must be a positive number, got ${String(cap)}`);
    this.module = module;
    Object.defineProperty(this, '_ddp', { value: new DDPState(module, pg, params, opts, cap), enumerable: false, writable: true });
  }
  /** runs `module` (typed as its forward) */
  override forward(...args: Parameters<M['forward']>): ReturnType<M['forward']>;
  override forward(...args: unknown[]): unknown {
    return this._ddp.forward(args);
  }
  /**
   * Runs fn (or, without fn, until the returned guard is disposed) without gradient synchronisation: gradients
   * accumulate locally and are averaged at the first backward outside it.
   */
  noSync(): { [Symbol.dispose](): void };
  noSync<R>(fn: () => R): R;
  noSync<R>(fn?: () => R): R | { [Symbol.dispose](): void } {
    const st = this._ddp;
    const prev = st.requireSync;
    st.requireSync = false;
    if (fn === undefined) return { [Symbol.dispose]: () => { st.requireSync = prev; } };
    if (typeof fn !== 'function') throw new TypeError('noSync(fn): fn must be a function');
    let r: R;
    try { r = fn(); } catch (e) { st.requireSync = prev; throw e; }
    if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
      return (r as unknown as Promise<unknown>).then((v) => { st.requireSync = prev; return v; }, (e) => { st.requireSync = prev; throw e; }) as unknown as R;
    }
    st.requireSync = prev;
    return r;
  }
  /** the bucket layout: parameter indices (into module.parameters()) per bucket, in reduction order */
  get bucketIndices(): number[][] { return this._ddp.buckets.map((b) => b.params.slice()); }
}
export { DistributedDataParallel as DDP };

class DDPState {
  module: Module;
  pg: dist.ProcessGroup;
  params: Parameter[];
  names: string[];
  buckets: Bucket[] = [];
  where: [number, number][] = []; // parameter -> [bucket, position in bucket]
  ready: boolean[] = [];
  nextBucket = 0;
  armed = false;           // a callback is queued for the backward pass in progress
  expecting = false;       // forward ran with sync on: a reduction is expected before the next forward
  requireSync = true;
  used: Uint8Array;        // parameters that got a gradient in this iteration (findUnusedParameters)
  opts: DDPOptions;
  bufferNames: string[];
  constructor(module: Module, pg: dist.ProcessGroup, params: Parameter[], opts: DDPOptions, capMb: number) {
    this.module = module;
    this.pg = pg;
    this.params = params;
    const nameOf = new Map<Tensor, string>(module.namedParameters().map(([n, p]) => [p as Tensor, n]));
    this.names = params.map((p) => nameOf.get(p) ?? '?');
    this.opts = opts;
    this.used = new Uint8Array(params.length);
    this.bufferNames = module.namedBuffers().map(([n]) => n);
    this.verifyModel();
    // rank 0's parameters and buffers everywhere
    this.broadcastCoalesced([...params, ...module.buffers()]);
    this.buildBuckets(capMb * 1024 * 1024);
    params.forEach((p, i) => p.registerPostAccumulateGradHook(() => this.onGradReady(i)));
  }

  // Every rank must wrap the same model: compare the parameter shapes and dtypes with rank 0's.
  verifyModel(): void {
    const mine = this.params.map((p, i) => [this.names[i], p.dtype, p.shape.join('x')]);
    const all: unknown[] = new Array(this.pg.size).fill(null);
    dist.allGatherObject(all, mine, { group: this.pg });
    const ref = all[0] as string[][];
    for (let r = 1; r < all.length; r++) {
      const o = all[r] as string[][];
      if (o.length !== ref.length) {
        throw new TorchError(`DistributedDataParallel: DDP expects same model across all ranks, but Rank ${this.pg.ranks[r]} has ${o.length} params, while rank ${this.pg.ranks[0]} has inconsistent ${ref.length} params.`);
      }
      for (let i = 0; i < o.length; i++) {
        if (o[i][1] !== ref[i][1] || o[i][2] !== ref[i][2]) {
          throw new TorchError(`DistributedDataParallel: DDP expects same model across all ranks, but Rank ${this.pg.ranks[r]} has parameter ${i} ('${o[i][0]}') of ${o[i][1]} [${o[i][2].replace(/x/g, ', ')}], while rank ${this.pg.ranks[0]} has ${ref[i][1]} [${ref[i][2].replace(/x/g, ', ')}] ('${ref[i][0]}').`);
        }
      }
    }
  }

  // Broadcasts tensors from the group's first rank, packed per dtype into messages of at most 250 MB.
  broadcastCoalesced(ts: Tensor[]): void {
    if (this.pg.size === 1 || !ts.length) return;
    const byDtype = new Map<string, Tensor[]>();
    for (const t of ts) { const l = byDtype.get(t.dtype) ?? []; l.push(t); byDtype.set(t.dtype, l); }
    for (const list of byDtype.values()) {
      let chunk: Tensor[] = [];
      let bytes = 0;
      const flush = (): void => {
        if (!chunk.length) return;
        const flat = cat(chunk.map((t) => t.detach().to(this.pg.device).reshape([-1])));
        dist.broadcast(flat, this.pg.ranks[0], { group: this.pg });
        let off = 0;
        for (const t of chunk) { assign(t, flat.narrow(0, off, t.numel()).view(t.shape)); off += t.numel(); }
        chunk = [];
        bytes = 0;
      };
      for (const t of list) {
        const b = t.numel() * t.elementSize();
        if (bytes + b > BROADCAST_BUCKET_BYTES) flush();
        chunk.push(t);
        bytes += b;
      }
      flush();
    }
  }

  // Buckets in reverse parameter order (gradients arrive roughly last layer first), one dtype per bucket; the
  // first bucket is small so that communication starts early.
  buildBuckets(cap: number): void {
    const open = new Map<string, { params: number[]; bytes: number }>();
    const done: number[][] = [];
    let limit = FIRST_BUCKET_BYTES;
    for (let i = this.params.length - 1; i >= 0; i--) {
      const p = this.params[i];
      const b = open.get(p.dtype) ?? { params: [], bytes: 0 };
      b.params.push(i);
      b.bytes += p.numel() * p.elementSize();
      open.set(p.dtype, b);
      if (b.bytes >= limit) { done.push(b.params); open.delete(p.dtype); limit = cap; }
    }
    for (const b of open.values()) done.push(b.params);
    // the order in which buckets become ready: by the position of their last-reached parameter
    done.sort((a, b) => Math.max(...b) - Math.max(...a));
    this.where = new Array(this.params.length);
    this.buckets = done.map((idx, bi) => {
      const offsets: number[] = [];
      let n = 0;
      idx.forEach((pi, k) => { offsets.push(n); n += this.params[pi].numel(); this.where[pi] = [bi, k]; });
      return { params: idx, offsets, flat: zeros([n], { dtype: this.params[idx[0]].dtype, device: this.pg.device }), pending: idx.length, work: null };
    });
    this.ready = new Array(this.params.length).fill(false);
  }

  view(b: Bucket, k: number): Tensor {
    const p = this.params[b.params[k]];
    return b.flat.narrow(0, b.offsets[k], p.numel()).view(p.shape);
  }

  forward(args: unknown[]): unknown {
    if (this.expecting) {
      const missing = this.params.map((_, i) => i).filter((i) => !this.ready[i]);
      this.expecting = false;
      this.resetBuckets();
      throw new TorchError('Expected to have finished reduction in the prior iteration before starting a new one. This error indicates that ' +
        'your module has parameters that were not used in producing loss. You can enable unused parameter detection by passing the ' +
        'keyword argument `findUnusedParameters: true` to `nn.parallel.DistributedDataParallel`, and by making sure all `forward` ' +
        'function outputs participate in calculating loss. Parameters that did not receive a gradient on this rank: ' +
        missing.map((i) => this.names[i]).join(', '));
    }
    if ((this.opts.broadcastBuffers ?? true) && this.bufferNames.length) {
      noGrad(() => this.broadcastCoalesced(this.module.buffers()));
    }
    const out = this.module.call(...args);
    if (this.module.training && this.requireSync && (this.params.some((p) => p.requiresGrad))) {
      this.resetBuckets();
      this.expecting = true;
      if (this.opts.findUnusedParameters) this.markUnused(out);
    }
    return out;
  }

  resetBuckets(): void {
    for (const b of this.buckets) { b.pending = b.params.length; b.work = null; }
    this.ready.fill(false);
    this.used.fill(0);
    this.nextBucket = 0;
    this.armed = false;
  }

  // Parameters the autograd graph of the outputs does not reach get no gradient: mark them ready now (zeros).
  markUnused(out: unknown): void {
    const reached = new Set<Tensor>();
    const seen = new Set<Node>();
    const stack: Node[] = [];
    const visit = (x: unknown, depth: number): void => {
      if (depth > 6 || x === null || typeof x !== 'object') return;
      if (x instanceof Tensor) {
        if (x.gradFn && !seen.has(x.gradFn)) { seen.add(x.gradFn); stack.push(x.gradFn); } else if (x.requiresGrad && !x.gradFn) reached.add(x);
        return;
      }
      if (Array.isArray(x)) { for (const y of x) visit(y, depth + 1); return; }
      if (x instanceof Map) { for (const y of x.values()) visit(y, depth + 1); return; }
      for (const y of Object.values(x)) visit(y, depth + 1);
    };
    visit(out, 0);
    while (stack.length) {
      const n = stack.pop() as Node;
      for (const e of n.next) {
        if (!e) continue;
        if ('node' in e) { if (!seen.has(e.node)) { seen.add(e.node); stack.push(e.node); } } else reached.add(e.leaf);
      }
    }
    this.params.forEach((p, i) => { if (!reached.has(p)) this.markReady(i, null); });
  }

  onGradReady(i: number): void {
    // as PyTorch, whether this backward reduces was decided by its forward (noSync around the forward, not the backward)
    if (!this.expecting) return;
    if (this.ready[i]) {
      throw new TorchError(`Expected to mark a variable ready only once. This error is caused by parameter '${this.names[i]}' receiving its gradient ` +
        'twice in one backward pass (a parameter shared by several parts of the model used in a reentrant backward, or backward called twice ' +
        'without a forward in between).');
    }
    if (!this.armed) { this.armed = true; queueCallback(() => this.finalize()); }
    this.used[i] = 1;
    this.markReady(i, this.params[i]._grad);
  }

  // Puts grad / world size into the bucket; a full bucket (and every full one after it, in order) starts its all-reduce.
  markReady(i: number, grad: Tensor | null): void {
    const [bi, k] = this.where[i];
    const b = this.buckets[bi];
    const v = this.view(b, k);
    noGrad(() => {
      if (grad === null) v.zero_();
      else if (grad._st !== b.flat._st) {
        // grad / world size written straight into the bucket (one pass, as PyTorch's mul_out)
        if (grad.device.equals(this.pg.device) && grad.dtype === v.dtype) binaryOp(BINARY_DEFS.mul, grad.detach(), 1 / this.pg.size, [], v);
        else v.copy_(grad.detach().to(this.pg.device)).mul_(1 / this.pg.size);
      }
      else v.mul_(1 / this.pg.size); // gradientAsBucketView: the gradient already lives in the bucket
    });
    this.ready[i] = true;
    b.pending--;
    while (this.nextBucket < this.buckets.length && this.buckets[this.nextBucket].pending === 0) {
      const nb = this.buckets[this.nextBucket++];
      nb.work = dist._allReduceFlat(nb.flat, this.pg);
    }
  }

  finalize(): void {
    this.armed = false;
    let globallyUsed: Uint8Array | null = null;
    if (this.opts.findUnusedParameters) {
      const u = fromBytes(this.used).to(this.pg.device);
      dist.allReduce(u, { group: this.pg });
      globallyUsed = Uint8Array.from(u.tolist() as number[], (x) => (x > 0 ? 1 : 0));
    }
    for (const b of this.buckets) {
      if (!b.work) continue;
      b.work.wait();
      b.params.forEach((pi, k) => {
        const p = this.params[pi];
        if (globallyUsed && !globallyUsed[pi]) return; // unused on every rank: .grad stays as it was
        const v = this.view(b, k);
        if (p._grad === null) {
          const g = this.opts.gradientAsBucketView && p.device.equals(this.pg.device) ? v : v.to(p.device).clone();
          p._setGrad(g);
          if (g !== v) g._libGrad = true;
          keptByLibrary.add(g);
        } else if (p._grad._st !== b.flat._st) {
          if (this.opts.gradientAsBucketView && p.device.equals(this.pg.device) && p._grad.dtype === v.dtype) { p._setGrad(v); keptByLibrary.add(v); } else assign(p._grad, v);
        }
      });
    }
    if (this.nextBucket === this.buckets.length) this.expecting = false;
  }
}

function fromBytes(u: Uint8Array): Tensor {
  const t = empty([u.length], { dtype: 'uint8' });
  if (u.length) native.write(t._st.handle, 0, u);
  return t.to('int32');
}
