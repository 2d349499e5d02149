// cuda.ts - torch.cuda and torch.backends.cuda: what the binary was built with and what the machine has.
import { native } from './native';
import { TorchError } from './errors';
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
  currentDevice(): number {
    if (!cuda.isAvailable()) throw new TorchError('Torch not compiled with CUDA enabled');
    return 0;
  },
};

export const backends = {
  cuda: {
    isBuilt(): boolean { return native.info().cudaBuilt; },
    matmul: { allowTf32: false },
  },
};
