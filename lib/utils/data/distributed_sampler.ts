// distributed_sampler.ts - torch.utils.data.DistributedSampler: each of numReplicas processes reads its own
// 1/numReplicas of a dataset, the same split on every rank (all ranks shuffle with the same seed + epoch).
//
// Note [PyTorch's shuffle order]
// PyTorch shuffles with torch.randperm(n, generator=g) where g.manual_seed(seed + epoch), and its CPU generator is a
// Mersenne Twister (mt19937): randperm starts from 0..n-1 and, for i = 0..n-2, swaps element i with element
// i + (next 32-bit draw % (n - i)). nodetorch's torch.randperm draws from a Philox stream instead (the same stream on
// CPU and CUDA), so it gives other permutations for the same seed. The sampler therefore carries its own mt19937 and
// PyTorch's randperm loop: its index sequences are PyTorch's, index for index, for every seed and epoch, so a run
// reads its data in the same order as the same training script under PyTorch. manual_seed keeps the seed as 64 bits
// (negative seeds wrap) and the Mersenne Twister is initialised from its low 32 bits; so is this one.
import { TorchError, checkKeys } from '../../errors';
import { currentWorld } from '../../distributed/state';
import { describe } from './dataset';
import type { Sampler } from './sampler';

/** PyTorch's CPU generator: the 32-bit Mersenne Twister seeded as at::mt19937(seed) (init_genrand). */
class MT19937 {
  private readonly s = new Uint32Array(624);
  private i = 624;
  constructor(seed: number) {
    const s = this.s;
    s[0] = seed >>> 0;
    for (let j = 1; j < 624; j++) {
      const p = s[j - 1] ^ (s[j - 1] >>> 30);
      s[j] = (Math.imul(1812433253, p) + j) >>> 0;
    }
  }
  next(): number {
    const s = this.s;
    if (this.i >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (s[k] & 0x80000000) | (s[(k + 1) % 624] & 0x7fffffff);
        s[k] = s[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.i = 0;
    }
    let y = s[this.i++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** The low 32 bits of a seed as manual_seed stores it (an integer, negative ones two's-complement wrapped). */
function low32(seed: number): number {
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

/**
 * torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist() exactly as PyTorch's CPU generator gives it
 * (Note [PyTorch's shuffle order]); n below 2^32.
 */
export function _pytorchRandperm(n: number, seed: number): number[] {
  const r = new MT19937(low32(seed));
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (r.next() % (n - i));
    const t = a[i];
    a[i] = a[z];
    a[z] = t;
  }
  return a;
}

export interface DistributedSamplerOptions {
  /** number of processes taking part (default: the default process group's world size) */
  numReplicas?: number;
  /** this process's rank among them (default: its rank in the default process group) */
  rank?: number;
  /** a new permutation each epoch (default true) */
  shuffle?: boolean;
  /** the shuffle seed; every rank must pass the same one (default 0) */
  seed?: number;
  /** drop the tail so that the dataset splits evenly, instead of padding with repeated indices (default false) */
  dropLast?: boolean;
}

const OPTS = ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast'] as const;

/**
 * Restricts data loading to this rank's share of the dataset, as torch.utils.data.DistributedSampler:
 * with `dropLast` false the index list is padded (by repeating its start) to a multiple of numReplicas, with it
 * true the tail is cut; rank r takes elements r, r + numReplicas, r + 2 numReplicas, ... Call `setEpoch(epoch)`
 * before each epoch so that shuffling differs between epochs.
 */
export class DistributedSampler implements Sampler<number> {
  readonly dataset: unknown;
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** indices this rank yields per epoch (len(sampler)) */
  readonly numSamples: number;
  /** numSamples * numReplicas */
  readonly totalSize: number;
  epoch = 0;
  private readonly n: number;

  constructor(dataset: { length: number } | number, opts: DistributedSamplerOptions = {}) {
    const op = 'DistributedSampler';
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${op}(): options must be an object, got ${describe(opts)}`);
    checkKeys(op, opts, OPTS);
    const n = typeof dataset === 'number' ? dataset : (dataset as { length?: unknown } | null)?.length;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TorchError(`${op}: expected a dataset (or a size) with an integer length, got ${describe(dataset)}`);
    let { numReplicas, rank } = opts;
    if (numReplicas === undefined || rank === undefined) {
      const w = currentWorld();
      if (!w) {
        const missing = [numReplicas === undefined ? 'numReplicas' : '', rank === undefined ? 'rank' : ''].filter(Boolean).join(' and ');
        throw new TorchError(`${op}: ${missing} not given and the default process group has not been initialized; call ` +
          'torch.distributed.initProcessGroup() first (e.g. under nodetorch-run) or pass { numReplicas, rank }');
      }
      if (numReplicas === undefined) numReplicas = w.worldSize;
      if (rank === undefined) rank = w.rank;
    }
    if (typeof numReplicas !== 'number' || !Number.isInteger(numReplicas) || numReplicas < 1) {
      throw new TorchError(`${op}: numReplicas must be a positive integer, got ${describe(numReplicas)}`);
    }
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank >= numReplicas) {
      throw new TorchError(`${op}: Invalid rank ${String(rank)}, rank should be in the interval [0, ${numReplicas - 1}]`);
    }
    const shuffle = opts.shuffle ?? true;
    if (typeof shuffle !== 'boolean') throw new TorchError(`${op}: shuffle must be a boolean, got ${describe(shuffle)}`);
    const dropLast = opts.dropLast ?? false;
    if (typeof dropLast !== 'boolean') throw new TorchError(`${op}: dropLast must be a boolean, got ${describe(dropLast)}`);
    const seed = opts.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new TorchError(`${op}: seed must be an integer, got ${describe(seed)}`);
    this.dataset = dataset;
    this.n = n;
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    // as PyTorch: with dropLast, the largest even split; otherwise the smallest even split at least as long as the data
    this.numSamples = dropLast && n % numReplicas !== 0 ? Math.max(0, Math.ceil((n - numReplicas) / numReplicas)) : Math.ceil(n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
  }

  get length(): number { return this.numSamples; }

  /** Sets the epoch, which (with the seed) picks the permutation; call it before each epoch's loop on every rank. */
  setEpoch(epoch: number): void {
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch)) throw new TorchError(`DistributedSampler.setEpoch: epoch must be an integer, got ${describe(epoch)}`);
    this.epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    const n = this.n;
    let all: number[];
    if (this.shuffle) all = _pytorchRandperm(n, this.seed + this.epoch);
    else {
      all = new Array<number>(n);
      for (let i = 0; i < n; i++) all[i] = i;
    }
    if (!this.dropLast) {
      // pad by repeating the list from its start (several times over when the padding is longer than the data)
      for (let k = 0; all.length < this.totalSize; k++) all.push(all[k % n]);
    } else {
      all.length = this.totalSize;
    }
    const out = new Array<number>(this.numSamples);
    for (let k = 0, j = this.rank; k < this.numSamples; k++, j += this.numReplicas) out[k] = all[j];
    return out;
  }

  [Symbol.iterator](): Iterator<number> { return this.indices()[Symbol.iterator](); }
}
