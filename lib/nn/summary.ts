// summary.ts - torch.summary(model, inputShape | inputs): a torchinfo-style table (layer tree with depth-index,
// output shapes recorded by forward hooks during one forward pass under noGrad, parameter counts, trainable /
// non-trainable totals, estimated sizes in MB), printed and returned as a string.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { noGrad } from '../autograd/mode';
import { zeros } from '../ops/creation';
import { DType, DTypeName, ITEMSIZE, getDefaultDtype, toDType } from '../dtype';
import { Device } from '../device';
import { Module, RemovableHandle } from './module';

type T = Tensor;
export interface SummaryOpts { depth?: number; dtypes?: (DTypeName)[]; device?: string | Device; print?: boolean; mode?: 'eval' | 'train' | 'same' }

const W_NAME = 40, W_SHAPE = 25, W_PARAM = 15;
const pad = (s: string, w: number): string => (s.length >= w ? s + ' ' : s + ' '.repeat(w - s.length));
const commas = (n: number): string => n.toLocaleString('en-US');

function shapesOf(out: unknown): string {
  if (out instanceof Tensor) return `[${out.shape.join(', ')}]`;
  if (Array.isArray(out)) {
    const parts = out.map((o) => (o instanceof Tensor ? `[${o.shape.join(', ')}]` : Array.isArray(o) ? shapesOf(o) : null)).filter((x): x is string => x !== null);
    if (parts.length === 1) return parts[0];
    return parts.length ? parts.join(', ') : '--';
  }
  return '--';
}
function bytesOf(out: unknown): number {
  if (out instanceof Tensor) return out.numel() * ITEMSIZE[out.dtype];
  if (Array.isArray(out)) return out.reduce((a: number, o) => a + bytesOf(o), 0);
  return 0;
}

export function summary(model: Module, input: number[] | number[][] | T | T[], opts: SummaryOpts = {}): string {
  if (!(model instanceof Module)) throw new TypeError('summary(): model must be an nn.Module');
  const depth = opts.depth ?? 3;
  // inputs: a shape (batch first, as torchinfo's input_size), a list of shapes, a tensor or a list of tensors
  let inputs: T[];
  if (input instanceof Tensor) inputs = [input];
  else if (Array.isArray(input) && input.length && input.every((x) => x instanceof Tensor)) inputs = input as T[];
  else if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'number')) inputs = [zeros(input as number[], { dtype: opts.dtypes ? toDType(opts.dtypes[0]) : getDefaultDtype(), device: opts.device })];
  else if (Array.isArray(input) && input.length && input.every((x) => Array.isArray(x))) {
    inputs = (input as number[][]).map((s, i) => zeros(s, { dtype: opts.dtypes && opts.dtypes[i] ? toDType(opts.dtypes[i]) : getDefaultDtype(), device: opts.device }));
  } else throw new TorchError('summary(): pass an input shape such as [1, 3, 32, 32], a list of shapes, or input tensors');

  const outputs = new Map<Module, unknown>();
  const handles: RemovableHandle[] = [];
  const all = model.namedModules();
  for (const [, m] of all) handles.push(m.registerForwardHook((mod, _a, out) => { outputs.set(mod, out); }));
  const modes = all.map(([, m]) => m.training);
  const mode = opts.mode ?? 'eval';
  if (mode !== 'same') model.train(mode === 'train');
  try {
    noGrad(() => model.call(...inputs));
  } finally {
    for (const h of handles) h.remove();
    all.forEach(([, m], i) => { m._self.training = modes[i]; });
  }

  const rows: string[] = [];
  const counters: number[] = [];
  const ownParams = (m: Module): number => [...m._parameters.values()].reduce((a, p) => a + (p ? p.numel() : 0), 0);
  const allParams = (m: Module): number => m.parameters().reduce((a, p) => a + p.numel(), 0);
  let actBytes = 0;
  const walk = (m: Module, d: number, prefix: string, last: boolean): void => {
    const kids = m.namedChildren();
    const isLeafRow = kids.length === 0 || d === depth;
    let name: string;
    if (d === 0) name = m._getName();
    else {
      counters[d] = (counters[d] ?? 0) + 1;
      name = `${prefix}${last ? '└─' : '├─'}${m._getName()}: ${d}-${counters[d]}`;
    }
    const out = outputs.get(m);
    const pc = isLeafRow ? allParams(m) : ownParams(m);
    if (isLeafRow && d > 0) actBytes += bytesOf(out);
    rows.push(pad(name, W_NAME) + pad(out === undefined ? '--' : shapesOf(out), W_SHAPE) + (pc ? commas(pc) : '--'));
    if (d === depth) return;
    kids.forEach(([, c], i) => walk(c, d + 1, d === 0 ? '' : prefix + (last ? '     ' : '│    '), i === kids.length - 1));
  };
  walk(model, 0, '', true);
  if (model.namedChildren().length === 0) actBytes += bytesOf(outputs.get(model));

  const ps = model.parameters();
  const total = ps.reduce((a, p) => a + p.numel(), 0);
  const trainable = ps.filter((p) => p.requiresGrad).reduce((a, p) => a + p.numel(), 0);
  const paramBytes = ps.reduce((a, p) => a + p.numel() * ITEMSIZE[p.dtype], 0) + model.buffers().reduce((a, b) => a + b.numel() * ITEMSIZE[b.dtype], 0);
  const inBytes = inputs.reduce((a, t) => a + t.numel() * ITEMSIZE[t.dtype], 0);
  const mb = (b: number): string => (b / 1e6).toFixed(2);
  const line = '='.repeat(W_NAME + W_SHAPE + W_PARAM);
  const text = [
    line,
    pad('Layer (type:depth-idx)', W_NAME) + pad('Output Shape', W_SHAPE) + 'Param #',
    line,
    ...rows,
    line,
    `Total params: ${commas(total)}`,
    `Trainable params: ${commas(trainable)}`,
    `Non-trainable params: ${commas(total - trainable)}`,
    line,
    `Input size (MB): ${mb(inBytes)}`,
    `Forward/backward pass size (MB): ${mb(2 * actBytes)}`,
    `Params size (MB): ${mb(paramBytes)}`,
    `Estimated Total Size (MB): ${mb(inBytes + 2 * actBytes + paramBytes)}`,
    line,
  ].join('\n');
  if (opts.print ?? true) console.log(text);
  return text;
}
