// gradcheck.ts - torch.autograd.gradcheck: compares analytical gradients (backward) with central finite
// differences, in float64, as PyTorch's gradcheck does (slow mode: one perturbation per input element).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { noGrad } from './mode';
import { grad } from './api';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; raiseException?: boolean }

function outputsOf(r: Tensor | Tensor[]): Tensor[] { return (Array.isArray(r) ? r : [r]).filter((t) => t instanceof Tensor && t.isFloatingPoint()); }

export function gradcheck(fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const diff = ins.filter((t) => t.requiresGrad);
  if (!diff.length) throw new TorchError('gradcheck expects at least one input tensor to require gradient');
  for (const t of diff) if (t.dtype !== 'float64') console.warn(`gradcheck: input of dtype ${t.dtype} is not double precision; the check may fail`);
  const outs = outputsOf(fn(...ins));
  for (let o = 0; o < outs.length; o++) {
    const out = outs[o];
    const n = out.numel();
    // analytical Jacobian: one backward per output element
    const analytical = diff.map((t) => new Float64Array(n * t.numel()));
    for (let j = 0; j < n; j++) {
      const go = new Float64Array(n);
      go[j] = 1;
      const gOut = tensorFrom(go, out).reshape(out.shape.slice());
      const outsJ = outputsOf(fn(...ins));
      const gs = grad([outsJ[o]], diff, { gradOutputs: [gOut.to(out.dtype)], allowUnused: true });
      gs.forEach((g, k) => {
        if (!g) return;
        const v = g.contiguous().toTypedArray();
        for (let i = 0; i < v.length; i++) analytical[k][i * n + j] = Number(v[i]);
      });
    }
    // numerical Jacobian by central differences on the base storage values
    for (let k = 0; k < diff.length; k++) {
      const t = diff[k];
      const m = t.numel();
      const flat = noGrad(() => t.reshape(-1));
      for (let i = 0; i < m; i++) {
        const orig = Number(noGrad(() => flat.select(0, i).item()));
        const eval_ = (v: number): Float64Array => noGrad(() => {
          flat.select(0, i).fill_(v);
          t._st.version--; // the probe is not a real modification of the input
          const r = outputsOf(fn(...ins))[o];
          return Float64Array.from(r.contiguous().toTypedArray() as Float64Array, Number);
        });
        const plus = eval_(orig + eps), minus = eval_(orig - eps);
        eval_(orig);
        for (let j = 0; j < n; j++) {
          const num = (plus[j] - minus[j]) / (2 * eps);
          const ana = analytical[k][i * n + j];
          if (!(Math.abs(num - ana) <= atol + rtol * Math.abs(num))) {
            const msg = `Jacobian mismatch for output ${o} with respect to input ${k},\nnumerical:${num}\nanalytical:${ana}\n(element ${i} of the input, ${j} of the output)`;
            if (opts.raiseException === false) return false;
            throw new TorchError(msg);
          }
        }
      }
    }
  }
  return true;
}

function tensorFrom(a: Float64Array, like: Tensor): Tensor {
  // lazily required to avoid an import cycle with ops/creation
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { tensor } = require('../ops/creation') as typeof import('../ops/creation');
  return tensor(a, { dtype: 'float64', device: like.device });
}
