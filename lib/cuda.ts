// cuda.ts - torch.cuda and torch.backends.cuda: what the binary was built with and what the machine has.
import { native } from './native';
import { TorchError } from './errors';
import { Device, currentCudaIndex, setCurrentCudaIndex } from './device';
import { cudaGenerator } from './ops/creation';

export const cuda = {
  isAvailable(): boolean {
    if (!native.info().cudaBuilt) return false;
    try { return (native.cuda('count') as number) > 0; } catch { return false; }
  },
  deviceCount(): number {
    try { return native.cuda('count') as number; } catch { return 0; }
  },
  synchronize(index = 0): void { native.cuda('sync', index); },
  // bytes in live blocks of the caching allocator on that device (rounded block sizes, as PyTorch counts)
  memoryAllocated(index = 0): number { return native.cuda('allocated', index) as number; },
  memoryReserved(index = 0): number { return native.cuda('reserved', index) as number; },
  emptyCache(): void { native.cuda('emptyCache'); },
  manualSeed(seed: number): void { cudaGenerator.manualSeed(seed); },
  manualSeedAll(seed: number): void { cudaGenerator.manualSeed(seed); },
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
    matmul: { allowTf32: false },
  },
};
