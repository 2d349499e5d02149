// rnn_utils.ts - torch.nn.utils.rnn: padSequence, PackedSequence, packPaddedSequence, padPackedSequence,
// packSequence, unpackSequence / unpadSequence (PyTorch 2.x). A PackedSequence holds the time-major rows of a batch
// of sequences sorted by decreasing length: data [sum(lengths), *], batchSizes (int64, CPU: how many sequences are
// still running at each step), sortedIndices / unsortedIndices (the permutation to that order and back, or null when
// the batch was already sorted). RNN / LSTM / GRU take one and return one (lib/nn/layers/rnn.ts).
import { Tensor } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { full, tensor } from '../ops/creation';
import { cat, stack } from '../ops/shape';
import { describeValue } from '../dtype';
import type { Device } from '../device';

type T = Tensor;

function invertPermutation(p: T | null): T | null {
  if (p === null) return null;
  const idx = p.tolist() as number[];
  const inv = new Array<number>(idx.length);
  idx.forEach((v, i) => { inv[v] = i; });
  return tensor(inv, { dtype: 'int64', device: p.device });
}

/** torch.nn.utils.rnn.PackedSequence: (data, batch_sizes, sorted_indices, unsorted_indices); iterable as that tuple. */
export class PackedSequence {
  readonly data: T;
  readonly batchSizes: T;
  readonly sortedIndices: T | null;
  readonly unsortedIndices: T | null;
  constructor(data: T, batchSizes: T, sortedIndices: T | null = null, unsortedIndices: T | null = null) {
    if (!(data instanceof Tensor)) throw new TypeError(`PackedSequence(): data must be a Tensor, not ${describeValue(data)}`);
    if (!(batchSizes instanceof Tensor)) throw new TypeError(`PackedSequence(): batch_sizes must be a Tensor, not ${describeValue(batchSizes)}`);
    if (batchSizes.ndim !== 1 || batchSizes.dtype !== 'int64' || batchSizes.device.type !== 'cpu') {
      throw new TorchError(`PackedSequence(): batch_sizes should always be a 1-D int64 tensor on the CPU, got shape [${batchSizes.shape.join(', ')}], ${batchSizes.dtype} on ${String(batchSizes.device)}`);
    }
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? invertPermutation(sortedIndices);
  }
  *[Symbol.iterator](): Iterator<T | null> { yield this.data; yield this.batchSizes; yield this.sortedIndices; yield this.unsortedIndices; }
  get isCuda(): boolean { return this.data.device.type === 'cuda'; }
  isPinned(): boolean { return this.data.isPinned(); }
  /** data moved/cast as Tensor.to; the indices follow the device (batchSizes stays on the CPU) */
  to(arg: string | Device): PackedSequence {
    const data = (this.data.to as (a: unknown) => T)(arg);
    if (data === this.data) return this;
    const dev: Device = data.device;
    return new PackedSequence(data, this.batchSizes, this.sortedIndices ? this.sortedIndices.to(dev) : null, this.unsortedIndices ? this.unsortedIndices.to(dev) : null);
  }
  cpu(): PackedSequence { return this.to('cpu'); }
  cuda(): PackedSequence { return this.to('cuda'); }
  double(): PackedSequence { return this.to('float64'); }
  float(): PackedSequence { return this.to('float32'); }
  half(): PackedSequence { return this.to('float16'); }
  toString(): string {
    const s = (t: T | null): string => (t === null ? 'None' : t.toString());
    return `PackedSequence(data=${s(this.data)}, batch_sizes=${s(this.batchSizes)}, sorted_indices=${s(this.sortedIndices)}, unsorted_indices=${s(this.unsortedIndices)})`;
  }
  /** the lengths of the sequences (in the original batch order) */
  _lengths(): number[] {
    const bs = this.batchSizes.tolist() as number[];
    const B = bs.length ? bs[0] : 0;
    const lens = new Array<number>(B).fill(0);
    for (const b of bs) for (let i = 0; i < b; i++) lens[i]++;
    if (!this.unsortedIndices) return lens;
    return (this.unsortedIndices.tolist() as number[]).map((j) => lens[j]);
  }
}

function seqList(sequences: unknown, op: string): T[] {
  if (sequences instanceof Tensor) return sequences.unbind(0);  // PyTorch iterates over a tensor's first dim
  if (!Array.isArray(sequences)) throw new TypeError(`${op}(): sequences must be a list of Tensors, not ${describeValue(sequences)}`);
  sequences.forEach((s, i) => { if (!(s instanceof Tensor)) throw new TypeError(`${op}(): expected a list of Tensors, but element ${i} is ${describeValue(s)}`); });
  return sequences as T[];
}

export interface PadSequenceOpts { batchFirst?: boolean; paddingValue?: number; paddingSide?: 'right' | 'left' }
/** padSequence(sequences, batchFirst=false, paddingValue=0, paddingSide='right'): [L_i, *] tensors to one
 *  [maxL, B, *] tensor ([B, maxL, *] with batchFirst); paddingSide 'left' is PyTorch 2.5's. */
export function padSequence(sequences: readonly T[] | T, batchFirst?: boolean | PadSequenceOpts, paddingValue?: number, paddingSide?: 'right' | 'left'): T {
  let o: PadSequenceOpts;
  if (typeof batchFirst === 'object' && batchFirst !== null) { checkKeys('pad_sequence', batchFirst, ['batchFirst', 'paddingValue', 'paddingSide']); o = batchFirst; }
  else o = { batchFirst, paddingValue, paddingSide };
  const seqs = seqList(sequences, 'pad_sequence');
  if (!seqs.length) throw new TorchError('pad_sequence: received an empty list of sequences');
  const side = o.paddingSide ?? 'right';
  if (side !== 'right' && side !== 'left') throw new TorchError(`Expected padding_side to be one of left or right, but got ${String(side)}.`);
  const pv = o.paddingValue ?? 0;
  const trail = seqs[0].shape.slice(1);
  for (const s of seqs) {
    if (s.ndim < 1 || s.shape.slice(1).join(',') !== trail.join(',')) {
      throw new TorchError(`pad_sequence: the trailing sizes of every sequence must match, got [${seqs[0].shape.join(', ')}] and [${s.shape.join(', ')}]`);
    }
    if (s.dtype !== seqs[0].dtype || s.device.toString() !== seqs[0].device.toString()) {
      throw new TorchError(`pad_sequence: expected all sequences to have the same dtype and device, got ${seqs[0].dtype} on ${String(seqs[0].device)} and ${s.dtype} on ${String(s.device)}`);
    }
  }
  const maxL = Math.max(...seqs.map((s) => s.shape[0]));
  const padded = seqs.map((s) => {
    const n = maxL - s.shape[0];
    if (n === 0) return s;
    const pad = full([n, ...trail], pv, { dtype: s.dtype, device: s.device });
    return side === 'right' ? cat([s, pad], 0) : cat([pad, s], 0);
  });
  return stack(padded, o.batchFirst ? 0 : 1);
}

function lengthsList(lengths: unknown, op: string): number[] {
  let ls: unknown[];
  if (lengths instanceof Tensor) {
    if (lengths.ndim !== 1) throw new TorchError(`${op}: 'lengths' argument should be a 1D tensor or a list of ints, got a ${lengths.ndim}-D tensor`);
    if (lengths.device.type !== 'cpu') throw new TorchError(`'lengths' argument should be a 1D CPU int64 tensor, but got 1D ${lengths.device.type} ${lengths.dtype} tensor`);
    ls = lengths.tolist() as unknown[];
  } else if (Array.isArray(lengths)) ls = lengths;
  else throw new TypeError(`${op}(): lengths must be a 1-D int64 tensor or a list of ints, not ${describeValue(lengths)}`);
  return ls.map((v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}(): lengths must be integers, got ${describeValue(v)}`);
    return v;
  });
}

// the rows of a time-major, already sorted [L, B, *] input: data[t] = input[t, :batchSizes[t]]
function packSorted(x: T, lens: number[], op: string): [T, T] {
  const B = lens.length;
  if (x.shape[1] !== B) throw new TorchError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${B} (batch_size=${x.shape[1]})`);
  for (let i = 0; i < B; i++) {
    if (lens[i] <= 0) throw new TorchError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
    if (i > 0 && lens[i] > lens[i - 1]) {
      throw new TorchError('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.');
    }
  }
  const L = lens[0];
  if (L > x.shape[0]) throw new TorchError(`${op}: a length (${L}) exceeds the padded sequence length ${x.shape[0]} (input shape [${x.shape.join(', ')}])`);
  const bs: number[] = [];
  const rows: T[] = [];
  for (let t = 0; t < L; t++) {
    let b = 0;
    while (b < B && lens[b] > t) b++;
    bs.push(b);
    rows.push(x.select(0, t).narrow(0, 0, b));
  }
  return [cat(rows, 0), tensor(bs, { dtype: 'int64' })];
}

export interface PackPaddedOpts { batchFirst?: boolean; enforceSorted?: boolean }
/** packPaddedSequence(input, lengths, batchFirst=false, enforceSorted=true): input [L, B, *] ([B, L, *] with
 *  batchFirst) and the true lengths (a list or a 1-D CPU int64 tensor). */
export function packPaddedSequence(input: T, lengths: T | readonly number[], batchFirst?: boolean | PackPaddedOpts, enforceSorted?: boolean): PackedSequence {
  let o: PackPaddedOpts;
  if (typeof batchFirst === 'object' && batchFirst !== null) { checkKeys('pack_padded_sequence', batchFirst, ['batchFirst', 'enforceSorted']); o = batchFirst; }
  else o = { batchFirst, enforceSorted };
  if (!(input instanceof Tensor)) throw new TypeError(`pack_padded_sequence(): argument 'input' must be Tensor, not ${describeValue(input)}`);
  if (input.ndim < 2) throw new TorchError(`pack_padded_sequence: expected input of at least 2 dimensions ([L, B, *]), got shape [${input.shape.join(', ')}]`);
  let lens = lengthsList(lengths, 'pack_padded_sequence');
  let x = o.batchFirst ? input.transpose(0, 1) : input;
  let sorted: T | null = null;
  if (o.enforceSorted === false) {
    // (as PyTorch, fewer lengths than sequences packs the first ones: the sort's indices select them)
    const order = lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a]);
    sorted = tensor(order, { dtype: 'int64', device: input.device });
    lens = order.map((i) => lens[i]);
    x = x.indexSelect(1, sorted);
  }
  const [data, bs] = packSorted(x, lens, 'pack_padded_sequence');
  return new PackedSequence(data, bs, sorted, null);
}

export interface PadPackedOpts { batchFirst?: boolean; paddingValue?: number; totalLength?: number | null }
/** padPackedSequence(sequence, batchFirst=false, paddingValue=0, totalLength=null) -> [padded, lengths] (lengths an
 *  int64 tensor, in the original batch order). */
export function padPackedSequence(sequence: PackedSequence, batchFirst?: boolean | PadPackedOpts, paddingValue?: number, totalLength?: number | null): [T, T] {
  let o: PadPackedOpts;
  if (typeof batchFirst === 'object' && batchFirst !== null) { checkKeys('pad_packed_sequence', batchFirst, ['batchFirst', 'paddingValue', 'totalLength']); o = batchFirst; }
  else o = { batchFirst, paddingValue, totalLength };
  if (!(sequence instanceof PackedSequence)) throw new TypeError(`pad_packed_sequence(): sequence must be a PackedSequence, not ${describeValue(sequence)}`);
  const bs = sequence.batchSizes.tolist() as number[];
  const maxL = bs.length;
  const B = maxL ? bs[0] : 0;
  const total = o.totalLength ?? null;
  if (total !== null && total < maxL) {
    throw new TorchError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${total} and max sequence length being ${maxL}`);
  }
  const pv = o.paddingValue ?? 0;
  const data = sequence.data;
  const trail = data.shape.slice(1);
  const f = { dtype: data.dtype, device: data.device };
  const steps: T[] = [];
  let off = 0;
  for (const b of bs) {
    const rows = data.narrow(0, off, b);
    off += b;
    steps.push(b === B ? rows : cat([rows, full([B - b, ...trail], pv, f)], 0));
  }
  let out = stack(steps, 0);
  if (total !== null && total > maxL) out = cat([out, full([total - maxL, B, ...trail], pv, f)], 0);
  if (sequence.unsortedIndices) out = out.indexSelect(1, sequence.unsortedIndices);
  const lengths = tensor(sequence._lengths(), { dtype: 'int64' });
  return [o.batchFirst ? out.transpose(0, 1) : out, lengths];
}

/** packSequence(sequences, enforceSorted=true): padSequence then packPaddedSequence with the sequences' lengths. */
export function packSequence(sequences: readonly T[], enforceSorted: boolean | { enforceSorted?: boolean } = true): PackedSequence {
  const es = typeof enforceSorted === 'object' && enforceSorted !== null ? (checkKeys('pack_sequence', enforceSorted, ['enforceSorted']), enforceSorted.enforceSorted ?? true) : enforceSorted;
  const seqs = seqList(sequences, 'pack_sequence');
  return packPaddedSequence(padSequence(seqs), seqs.map((s) => s.shape[0]), { enforceSorted: es });
}

/** unpackSequence(packed) (PyTorch 2.x): the list of sequences, each [L_i, *], in the original batch order. */
export function unpackSequence(packed: PackedSequence): T[] {
  const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
  return unpadSequence(padded, lengths, true);
}

/** unpadSequence(paddedSequences, lengths, batchFirst=false) (PyTorch 2.x): the inverse of padSequence. */
export function unpadSequence(paddedSequences: T, lengths: T | readonly number[], batchFirst: boolean | { batchFirst?: boolean } = false): T[] {
  const bf = typeof batchFirst === 'object' && batchFirst !== null ? (checkKeys('unpad_sequence', batchFirst, ['batchFirst']), !!batchFirst.batchFirst) : batchFirst;
  if (!(paddedSequences instanceof Tensor)) throw new TypeError(`unpad_sequence(): padded_sequences must be a Tensor, not ${describeValue(paddedSequences)}`);
  const x = bf ? paddedSequences : paddedSequences.transpose(0, 1);
  const lens = lengthsList(lengths, 'unpad_sequence');
  if (lens.length !== x.shape[0]) throw new TorchError(`unpad_sequence: got ${lens.length} lengths for a batch of ${x.shape[0]} (padded shape [${paddedSequences.shape.join(', ')}])`);
  return lens.map((l, i) => {
    if (l < 0 || l > x.shape[1]) throw new TorchError(`unpad_sequence: length ${l} out of range for padded length ${x.shape[1]}`);
    return x.select(0, i).narrow(0, 0, l);
  });
}
