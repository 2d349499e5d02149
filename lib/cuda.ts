// cuda.ts - torch.cuda and torch.backends.cuda: what the binary was built with and what the machine has.
import { native } from './native';
import type { Tensor } from './tensor';
import { TorchError } from './errors';
import { Device, currentCudaIndex, setCurrentCudaIndex } from './device';
import { Generator, cudaGeneratorFor, cudaGeneratorCount, cudaManualSeedAll } from './ops/creation';
import * as CS from './cuda_stream';
import { matmulTf32, setMatmulTf32, convTf32, setCudnnTf32 } from './precision';

export const cuda = {
  isAvailable(): boolean {
    if (!native.info().cudaBuilt) return false;
    try { return (native.cuda('count') as number) > 0; } catch { return false; }
  },
  deviceCount(): number {
    try { return native.cuda('count') as number; } catch { return 0; }
  },
  /** Waits for all work on every stream of the device (the current device by default): cudaDeviceSynchronize. */
  synchronize(device?: number | string | Device): void {
    if (!native.info().cudaBuilt) return;
    native.cuda('sync', device === undefined || device === null ? currentCudaIndex() : statIndex(device));
  },
  // streams and events (lib/cuda_stream.ts)
  Stream: CS.Stream,
  Event: CS.Event,
  stream: CS.stream,
  currentStream: CS.currentStream,
  defaultStream: CS.defaultStream,
  setStream: CS.setStream,
  // bytes in live blocks of the caching allocator on that device (rounded block sizes, as PyTorch counts)
  memoryAllocated(device?: number | string | Device): number { return native.cuda('allocated', statIndex(device)) as number; },
  memoryReserved(device?: number | string | Device): number { return native.cuda('reserved', statIndex(device)) as number; },
  /** the peak of memoryAllocated since the start or the last resetPeakMemoryStats (PyTorch's max_memory_allocated) */
  maxMemoryAllocated(device?: number | string | Device): number { return rawStats(device)[1]; },
  maxMemoryReserved(device?: number | string | Device): number { return rawStats(device)[3]; },
  resetPeakMemoryStats(device?: number | string | Device): void { native.cuda('resetPeak', statIndex(device)); },
  /** the caching allocator's statistics under PyTorch's memory_stats() keys */
  memoryStats(device?: number | string | Device): Record<string, number> {
    const v = rawStats(device);
    return {
      'allocated_bytes.all.current': v[0], 'allocated_bytes.all.peak': v[1],
      'reserved_bytes.all.current': v[2], 'reserved_bytes.all.peak': v[3],
      'allocation.all.allocated': v[4], num_alloc_retries: v[5], num_ooms: v[6],
      // blocks freed while recorded on other streams (recordStream), waiting for those streams' events
      'nodetorch.blocks_waiting_for_streams': v[7] ?? 0,
      // the caching host allocator (pinned memory): bytes in live pinned blocks, bytes held from cudaHostAlloc,
      // freed blocks waiting for their non-blocking copies
      'nodetorch.pinned_bytes.allocated': v[8] ?? 0, 'nodetorch.pinned_bytes.reserved': v[9] ?? 0,
      'nodetorch.pinned_blocks_waiting_for_copies': v[10] ?? 0,
    };
  },
  /** a readable table of memoryStats (PyTorch's memory_summary, abridged) */
  memorySummary(device?: number | string | Device): string {
    const i = statIndex(device);
    const v = rawStats(i);
    const mib = (b: number): string => `${(b / 1048576).toFixed(2)} MiB`.padStart(14);
    return [
      `|  nodetorch CUDA memory summary, device ${i}`.padEnd(68) + '|',
      '|-------------------------------------------------------------------|',
      '|                         |        current |           peak |        |',
      `| allocated memory        | ${mib(v[0])} | ${mib(v[1])} |        |`,
      `| reserved (cached) memory| ${mib(v[2])} | ${mib(v[3])} |        |`,
      `| allocations: ${String(v[4]).padEnd(12)} cudaMalloc retries: ${String(v[5]).padEnd(6)} OOMs: ${String(v[6]).padEnd(6)}|`,
    ].join('\n');
  },
  emptyCache(): void { native.cuda('emptyCache'); },
  /** Seeds the current CUDA device's default generator (torch.cuda.manual_seed); the others keep theirs. */
  manualSeed(seed: number | bigint): void { cudaGeneratorFor(currentCudaIndex()).manualSeed(seed); },
  /** Seeds every CUDA device's default generator, also those not used yet (torch.cuda.manual_seed_all). */
  manualSeedAll(seed: number | bigint): void { cudaManualSeedAll(seed); },
  /** A random seed for the current device's generator (torch.cuda.seed); seedAll: one random seed for every device. */
  seed(): void { cudaGeneratorFor(currentCudaIndex()).seed(); },
  seedAll(): void { cudaManualSeedAll(BigInt(Math.floor(Math.random() * 2 ** 52))); },
  /** The current device's generator's seed (torch.cuda.initial_seed). */
  initialSeed(): bigint { return cudaGeneratorFor(currentCudaIndex()).initialSeed(); },
  /** The default generator of CUDA device `index` (torch.cuda.default_generators[index]). */
  defaultGenerator(index: number = currentCudaIndex()): Generator { return cudaGeneratorFor(index); },
  /** The generator states of the devices used so far, and back (torch.cuda.get_rng_state_all / set_rng_state_all). */
  getRngStateAll(): Tensor[] {
    return Array.from({ length: Math.max(cuda.deviceCount(), cudaGeneratorCount()) }, (_, i) => cudaGeneratorFor(i).getState());
  },
  setRngStateAll(states: (Tensor | { seed: string; offset: number })[]): void { states.forEach((st, i) => cudaGeneratorFor(i).setState(st)); },
  /** Device `device`'s (default: the current one) generator state as a uint8 tensor (torch.cuda.get_rng_state); its
   *  content is nodetorch's (seed, offset) Philox state (Generator.getState), not PyTorch's. */
  getRngState(device: number | string | Device = currentCudaIndex()): Tensor {
    return cudaGeneratorFor(typeof device === 'number' ? device : cudaIndexOf('getRngState', device)).getState();
  },
  /** Restores a state from getRngState on device `device` (torch.cuda.set_rng_state). */
  setRngState(state: Tensor, device: number | string | Device = currentCudaIndex()): void {
    cudaGeneratorFor(typeof device === 'number' ? device : cudaIndexOf('setRngState', device)).setState(state);
  },
  diagnose(): string { return native.cuda('diagnose') as string; },
  /** The index that 'cuda' (no index) means, and where new communicators and `cuda` tensors go by default. */
  currentDevice(): number {
    if (!cuda.isAvailable()) throw new TorchError('Torch not compiled with CUDA enabled');
    return currentCudaIndex();
  },
  /** Sets the current CUDA device (an index, 'cuda:N' or a Device), as torch.cuda.set_device. */
  setDevice(device: number | string | Device): void { setCurrentCudaIndex(cudaIndexOf('setDevice', device)); },
  /** Runs fn with `device` as the current CUDA device (torch.cuda.device(i) as a scope), restoring it after (also after an async fn settles). */
  device<R>(device: number | string | Device, fn: () => R): R {
    const prev = currentCudaIndex();
    setCurrentCudaIndex(cudaIndexOf('device', device));
    let r: R;
    try { r = fn(); } catch (e) { setCurrentCudaIndex(prev); throw e; }
    if (r && typeof (r as { then?: unknown }).then === 'function') {
      return (r as unknown as Promise<unknown>).then((v) => { setCurrentCudaIndex(prev); return v; }, (e) => { setCurrentCudaIndex(prev); throw e; }) as unknown as R;
    }
    setCurrentCudaIndex(prev);
    return r;
  },
};

// the device a memory statistic is about: the current one by default (as PyTorch)
function statIndex(device?: number | string | Device): number {
  if (device === undefined || device === null) return currentCudaIndex();
  if (typeof device === 'number') return device;
  const dev = device instanceof Device ? device : new Device(device);
  if (dev.type !== 'cuda') throw new TorchError(`torch.cuda memory statistics: Expected a cuda device, but got: ${dev.toString()}`);
  return dev.index ?? currentCudaIndex();
}
function rawStats(device?: number | string | Device): number[] {
  return native.cuda('stats', typeof device === 'number' ? device : statIndex(device)) as number[];
}

function cudaIndexOf(op: string, d: number | string | Device): number {
  let i: number;
  if (typeof d === 'number') i = d;
  else {
    const dev = d instanceof Device ? d : new Device(d);
    if (dev.type !== 'cuda') throw new TorchError(`torch.cuda.${op}: Expected a cuda device, but got: ${dev.toString()}`);
    i = dev.index ?? currentCudaIndex();
  }
  if (!Number.isInteger(i) || i < 0) throw new TorchError(`torch.cuda.${op}: device index must be a non-negative integer, got ${String(d)}`);
  const n = cuda.deviceCount();
  if (!cuda.isAvailable()) throw new TorchError(`torch.cuda.${op}: Torch not compiled with CUDA enabled, or no CUDA device is available`);
  if (i >= n) throw new TorchError(`torch.cuda.${op}: CUDA error: invalid device ordinal (device ${i}, but ${n} device${n === 1 ? '' : 's'} ${n === 1 ? 'is' : 'are'} available)`);
  return i;
}

export const backends = {
  cuda: {
    isBuilt(): boolean { return native.info().cudaBuilt; },
    /** allowTf32: float32 matmuls on CUDA may use TF32 tensor cores (default false; linked to setFloat32MatmulPrecision) */
    matmul: {
      get allowTf32(): boolean { return matmulTf32(); },
      set allowTf32(v: boolean) { setMatmulTf32(v); },
    },
  },
  /** nodetorch has no cuDNN: its convolutions are GEMMs (cuda/conv.cu + cuda/matmul.cu) that follow this flag as PyTorch's cuDNN ones do */
  cudnn: {
    /** allowTf32: float32 convolutions on CUDA may use TF32 tensor cores (default true, as PyTorch) */
    get allowTf32(): boolean { return convTf32(); },
    set allowTf32(v: boolean) { setCudnnTf32(v); },
  },
};
