// index.ts - the public API: `import * as torch from 'nodetorch'`.
import { Tensor, liveCounts, enterScope, exitScope, keptByLibrary } from './tensor';
import { native } from './native';
import { TorchError } from './errors';
import { Device, device } from './device';
import { DType, getDefaultDtype, setDefaultDtype, promoteTypes, toDType } from './dtype';
import './ops/methods';
import './ops/generated';
import * as FAM from './ops/families';
import { keywordFunctions } from './ops/keywords';
// (a type export, so that the shipped declarations reach keywords.ts' Tensor method declarations)
export type { KeywordForms, ParamTypes, KeywordTypes } from './ops/keywords';
import * as E from './ops/elementwise';
import * as C from './ops/creation';
import * as A from './autograd/api';
import * as M from './autograd/mode';
import * as AN from './autograd/anomaly';
import { Node } from './autograd/engine';
import { gradcheck } from './autograd/gradcheck';
import * as AF from './autograd/functional';
import { cuda as cudaBase, backends } from './cuda';
import * as AC from './amp/autocast';
import { GradScaler } from './amp/grad_scaler';
import './memory_format_api';
// memory formats (lib/memory_format.ts): torch.channelsLast etc., for contiguous/clone/to/*Like/empty({ memoryFormat })
export { contiguousFormat, channelsLast, channelsLast3d, preserveFormat } from './memory_format';
export type { MemoryFormat } from './memory_format';
export { layout, strided, sparseCoo } from './layout';
export type { Layout, StridedLayout } from './layout';
// the schema's ops (lib/ops/ops.schema -> lib/ops/generated.ts), and the hand-written families (re-exported there)
export * from './ops/generated';

export { Tensor, TorchError, Device, device, Node };
export type { DType };
export type { NestedList, ListOf } from './tensor';
export type { DeviceName } from './device';
export const float32: DType = 'float32', float: DType = 'float32', float64: DType = 'float64', double: DType = 'float64';
export const float16: DType = 'float16', half: DType = 'float16', bfloat16: DType = 'bfloat16';
export const int64: DType = 'int64', long: DType = 'int64', int32: DType = 'int32', int: DType = 'int32';
export const int16: DType = 'int16', short: DType = 'int16', int8: DType = 'int8', uint8: DType = 'uint8', bool: DType = 'bool';
export { getDefaultDtype, setDefaultDtype, promoteTypes };
export const resultType = (a: Tensor | number | boolean, b: Tensor | number | boolean): DType => E.promoted([a, b]);
export const canCast = (from: DType, to: DType): boolean => E.canCast(toDType(from), toDType(to));

// creation and random
export const { manualSeed, seed, initialSeed, Generator } = C;
// RNG state (lib/random.ts): torch.getRngState / setRngState, torch.random.forkRng
export { getRngState, setRngState, random } from './random';
// torch.useDeterministicAlgorithms (lib/deterministic.ts)
export { useDeterministicAlgorithms, areDeterministicAlgorithmsEnabled, isDeterministicAlgorithmsWarnOnlyEnabled } from './deterministic';
// torch.testing (lib/testing.ts): assertClose, makeTensor
export * as testing from './testing';
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;
// the numerical properties of a dtype (torch.finfo / torch.iinfo; lib/ops/more.ts)
export { finfo, iinfo, FInfo, IInfo } from './ops/more';
// the torch.* function forms of in-place Tensor methods (torch.relu_(x), torch.clamp_(x, 0, 1), ...)
export * from './ops/inplace_functions';

// the hand-written ops (not schema rows yet: lib/ops/keywords.ts says why), with PyTorch's keyword names for their
// positional parameters; these local exports take precedence over the families' re-exported by ./ops/generated
// (the creation ops tensor, asTensor, frombuffer, empty ... randnLike, normal, and the matmul family, norm and the
// small Tensor ops are schema rows: exported from ./ops/generated)
export const { indexPut_ } = keywordFunctions({
  indexPut_: FAM.indexPut_,
});

// autograd
export const autograd = {
  grad: A.grad, backward: A.backward, Function: A.Function, FunctionCtx: A.FunctionCtx, gradcheck,
  // torch.autograd.functional (lib/autograd/functional.ts)
  functional: { jacobian: AF.jacobian, hessian: AF.hessian, vjp: AF.vjp, jvp: AF.jvp, hvp: AF.hvp, vhp: AF.vhp },
  // anomaly mode (lib/autograd/anomaly.ts)
  detectAnomaly: AN.detectAnomaly, setDetectAnomaly: AN.setDetectAnomaly,
};
export const { isAnomalyEnabled, isAnomalyCheckNanEnabled } = AN;
export const { noGrad, enableGrad, inferenceMode, isGradEnabled, isInferenceModeEnabled, setGradEnabled } = M;

// memory
export function memory(): { tensors: number; bytes: number; devices: Record<string, { tensors: number; bytes: number }> } {
  const [cpuBytes, , cudaBytes] = native.memStats();
  const lc = liveCounts();
  const devices: Record<string, { tensors: number; bytes: number }> = {};
  for (const [d, n] of lc.byDevice) if (n > 0) devices[d] = { tensors: n, bytes: 0 };
  devices.cpu = { tensors: lc.byDevice.get('cpu') || 0, bytes: cpuBytes };
  if (cudaBytes || devices['cuda:0']) devices['cuda:0'] = { tensors: (devices['cuda:0'] || { tensors: 0 }).tensors, bytes: cudaBytes };
  return { tensors: lc.tensors, bytes: cpuBytes + cudaBytes, devices };
}

const kept = new WeakSet<Tensor>();
export function keep<T extends Tensor>(t: T): T { kept.add(t); return t; }

function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 6 || x === null || typeof x !== 'object') return;
  if (x instanceof Tensor) { out.add(x); return; }
  if (Array.isArray(x)) { for (const y of x) collectTensors(y, out, depth + 1); return; }
  if (x instanceof Map) { for (const y of x.values()) collectTensors(y, out, depth + 1); return; }
  if (Object.getPrototypeOf(x) === Object.prototype) for (const y of Object.values(x)) collectTensors(y, out, depth + 1);
}

function releaseScope(scope: Set<Tensor>, result: unknown): void {
  exitScope(scope);
  const keepSet = new Set<Tensor>();
  collectTensors(result, keepSet);
  for (const t of scope) {
    if (keepSet.has(t) || kept.has(t) || keptByLibrary.has(t) || t._isParam) continue;
    t.dispose();
  }
}

// tidy(fn): disposes every tensor created inside fn except the ones it returns, kept ones and library-held ones
export function tidy<R>(fn: () => R): R;
export function tidy<R>(name: string, fn: () => R): R;
export function tidy<R>(a: string | (() => R), b?: () => R): R {
  const fn = typeof a === 'function' ? a : (b as () => R);
  if (typeof fn !== 'function') throw new TypeError('tidy(fn): fn must be a function');
  const scope = enterScope();
  let r: R;
  try { r = fn(); } catch (e) { releaseScope(scope, undefined); throw e; }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
    return (r as unknown as Promise<unknown>).then((v) => { releaseScope(scope, v); return v; }, (e) => { releaseScope(scope, undefined); throw e; }) as unknown as R;
  }
  releaseScope(scope, r);
  return r;
}
export function dispose(x: unknown): void { const s = new Set<Tensor>(); collectTensors(x, s); for (const t of s) t.dispose(); }

export { setPrintoptions, getPrintoptions } from './print';
export type { SetPrintOptions, PrintOptions } from './print';

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TorchError(`set_num_threads expects a positive integer, got ${n}`);
  native.setNumThreads(n);
}
export function getNumThreads(): number { return native.info().threads; }
export const config = (): { simd: string; cpuBf16: 'amx_bf16' | 'avx512_bf16' | 'none'; threads: number; cudaBuilt: boolean } => {
  const i = native.info();
  return { simd: i.simd, cpuBf16: i.cpuBf16 as 'amx_bf16' | 'avx512_bf16' | 'none', threads: i.threads, cudaBuilt: i.cudaBuilt };
};
export { backends };
export { setFloat32MatmulPrecision, getFloat32MatmulPrecision } from './precision';

// mixed precision: torch.autocast, torch.amp, torch.cuda.amp, torch.cpu.amp
export const { autocast, isAutocastEnabled, getAutocastDtype, clearAutocastCache } = AC;
export * as amp from './amp';
/** torch.cuda.amp.GradScaler: torch.amp.GradScaler on 'cuda' (disabled, with a warning, where CUDA is not available). */
class CudaGradScaler extends GradScaler {
  constructor(opts?: import('./amp/grad_scaler').GradScalerOptions) { super('cuda', opts); }
}
export const cuda = Object.assign(cudaBase, { amp: { autocast: AC.deviceAutocast('cuda'), GradScaler: CudaGradScaler } });
export const cpu = { amp: { autocast: AC.deviceAutocast('cpu') } };
export * as nn from './nn';
export { summary } from './nn';
export * as optim from './optim';
export { save, load, saveAsync, loadAsync } from './serialization';
export * as utils from './utils';
export * as distributed from './distributed';
// torch.distributions (lib/distributions/)
export * as distributions from './distributions';
// torch.linalg (lib/linalg.ts; CPU kernels native/cpu/linalg.cc); torch.det etc. are schema rows (generated.ts)
export * as linalg from './linalg_api';
