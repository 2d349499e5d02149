// precision.ts - the float32 matmul/convolution precision switches (PyTorch's at::Context flags), kept apart from
// lib/cuda.ts so that the op modules (ops/matmul.ts, nn/convolution.ts) can read them per call without an import
// cycle. torch.backends.cuda.matmul.allowTf32 and torch.setFloat32MatmulPrecision are one state, as in PyTorch:
// 'highest' <=> allowTf32 false; 'high' and 'medium' <=> allowTf32 true (setting allowTf32 true gives 'high').
// torch.backends.cudnn.allowTf32 (default true, as PyTorch) governs convolutions on CUDA.
import { TorchError } from './errors';

export type Float32MatmulPrecision = 'highest' | 'high' | 'medium';
const PRECISIONS: readonly string[] = ['highest', 'high', 'medium'];

let matmulPrecision: Float32MatmulPrecision = 'highest';
let cudnnTf32 = true;

/** torch.set_float32_matmul_precision: 'highest' (exact float32), 'high' or 'medium' (TF32 tensor cores on CUDA). */
export function setFloat32MatmulPrecision(precision: Float32MatmulPrecision): void {
  if (typeof precision !== 'string') throw new TorchError(`setFloat32MatmulPrecision expects a str, but got ${precision === null ? 'null' : typeof precision}`);
  // PyTorch only warns (and ignores the call) for an unknown name; nodetorch rejects it so that a typo cannot pass silently
  if (!PRECISIONS.includes(precision)) throw new TorchError(`setFloat32MatmulPrecision: '${precision}' is not one of 'highest', 'high', or 'medium'`);
  matmulPrecision = precision;
}
/** torch.get_float32_matmul_precision */
export function getFloat32MatmulPrecision(): Float32MatmulPrecision { return matmulPrecision; }

function boolArg(what: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TorchError(`${what} must be a boolean, got ${v === null ? 'null' : typeof v}`);
  return v;
}
export function setMatmulTf32(v: unknown): void { matmulPrecision = boolArg('torch.backends.cuda.matmul.allowTf32', v) ? 'high' : 'highest'; }
export function setCudnnTf32(v: unknown): void { cudnnTf32 = boolArg('torch.backends.cudnn.allowTf32', v); }

/** whether a float32 matmul may run on TF32 tensor cores now (read at each call) */
export const matmulTf32 = (): boolean => matmulPrecision !== 'highest';
/** whether a float32 convolution may run on TF32 tensor cores now (read at each call) */
export const convTf32 = (): boolean => cudnnTf32;
