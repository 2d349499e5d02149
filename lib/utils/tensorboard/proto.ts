// proto.ts - a small protocol-buffer encoder for the few messages an event file holds (TensorBoard's event.proto,
// summary.proto, histogram.proto, tensor.proto, tensor_shape.proto, the text and hparams plugins' protos and
// google.protobuf.Value). Proto3 rules, as the Python protobuf runtime that PyTorch's writer uses applies them:
// a plain scalar field at its default (0, '', empty bytes) is left out; a member of a oneof and a sub-message that
// is set are always written; repeated numbers are packed.

const WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5;
const utf8 = new TextEncoder();

export class PbWriter {
  private buf = new Uint8Array(64);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.n + k) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }

  /** An unsigned varint; a negative number (int32/int64 fields) is written as its 64-bit two's complement. */
  varint(v: number | bigint): this {
    if (typeof v === 'number' && v >= 0 && v < 2 ** 31) {
      this.room(5);
      while (v > 0x7f) { this.buf[this.n++] = (v & 0x7f) | 0x80; v >>>= 7; }
      this.buf[this.n++] = v;
      return this;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    this.room(10);
    while (u > 0x7fn) { this.buf[this.n++] = Number(u & 0x7fn) | 0x80; u >>= 7n; }
    this.buf[this.n++] = Number(u);
    return this;
  }

  private key(field: number, wire: number): this { return this.varint(field * 8 + wire); }

  /** int32 / int64 / enum / bool. */
  int(field: number, v: number | bigint | boolean, always = false): this {
    const x = typeof v === 'boolean' ? Number(v) : v;
    if (!always && (x === 0 || x === 0n)) return this;
    return this.key(field, WIRE_VARINT).varint(x);
  }

  double(field: number, v: number, always = false): this {
    if (!always && v === 0 && !Object.is(v, -0)) return this;
    this.key(field, WIRE_I64).room(8);
    new DataView(this.buf.buffer).setFloat64(this.n, v, true);
    this.n += 8;
    return this;
  }

  float(field: number, v: number, always = false): this {
    if (!always && v === 0 && !Object.is(v, -0)) return this;
    this.key(field, WIRE_I32).room(4);
    new DataView(this.buf.buffer).setFloat32(this.n, v, true);
    this.n += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array, always = false): this {
    if (!always && b.length === 0) return this;
    this.key(field, WIRE_LEN).varint(b.length).room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }

  string(field: number, s: string, always = false): this { return this.bytes(field, utf8.encode(s), always); }

  /** A sub-message that is set (written even when it encodes to nothing). */
  message(field: number, m: Uint8Array): this { return this.bytes(field, m, true); }

  packedDoubles(field: number, xs: ArrayLike<number>): this {
    if (xs.length === 0) return this;
    this.key(field, WIRE_LEN).varint(xs.length * 8).room(xs.length * 8);
    const dv = new DataView(this.buf.buffer);
    for (let i = 0; i < xs.length; i++, this.n += 8) dv.setFloat64(this.n, xs[i], true);
    return this;
  }

  packedFloats(field: number, xs: ArrayLike<number>): this {
    if (xs.length === 0) return this;
    this.key(field, WIRE_LEN).varint(xs.length * 4).room(xs.length * 4);
    const dv = new DataView(this.buf.buffer);
    for (let i = 0; i < xs.length; i++, this.n += 4) dv.setFloat32(this.n, xs[i], true);
    return this;
  }

  finish(): Uint8Array { return this.buf.slice(0, this.n); }
}

// ---------------------------------------------------------------------------------------------------------------
// tensorboard.* messages (field numbers from tensorboard/compat/proto/*.proto)
// ---------------------------------------------------------------------------------------------------------------
export interface PluginData { pluginName: string; content?: Uint8Array }
export interface SummaryMetadata { pluginData?: PluginData; displayName?: string; summaryDescription?: string }
export interface ImageMsg { height: number; width: number; colorspace: number; encodedImageString: Uint8Array }
export interface HistogramMsg {
  min: number; max: number; num: number; sum: number; sumSquares: number;
  bucketLimit: ArrayLike<number>; bucket: ArrayLike<number>;
}
/** TensorProto: only the representations the writer uses. DataType enum: DT_FLOAT 1, DT_DOUBLE 2, DT_STRING 7. */
export interface TensorMsg { dtype: number; shape?: number[]; floatVal?: number[]; doubleVal?: number[]; stringVal?: Uint8Array[] }
export interface SummaryValue {
  tag: string;
  metadata?: SummaryMetadata;
  // the `value` oneof: exactly one of these
  simpleValue?: number;
  image?: ImageMsg;
  histo?: HistogramMsg;
  tensor?: TensorMsg;
}
export interface EventMsg {
  wallTime: number; step?: number | bigint;
  // the `what` oneof: one of these
  fileVersion?: string; summary?: SummaryValue[]; sessionLogStatus?: number;
}
export const SESSION_LOG_START = 1;

export const DT_FLOAT = 1, DT_DOUBLE = 2, DT_STRING = 7;

function encodePluginData(p: PluginData): Uint8Array {
  return new PbWriter().string(1, p.pluginName).bytes(2, p.content ?? new Uint8Array(0)).finish();
}

export function encodeSummaryMetadata(m: SummaryMetadata): Uint8Array {
  const w = new PbWriter();
  if (m.pluginData) w.message(1, encodePluginData(m.pluginData));
  return w.string(2, m.displayName ?? '').string(3, m.summaryDescription ?? '').finish();
}

export function encodeImage(im: ImageMsg): Uint8Array {
  return new PbWriter().int(1, im.height).int(2, im.width).int(3, im.colorspace).bytes(4, im.encodedImageString).finish();
}

export function encodeHistogram(h: HistogramMsg): Uint8Array {
  return new PbWriter().double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit).packedDoubles(7, h.bucket).finish();
}

// TensorShapeProto { repeated Dim dim = 2 }, Dim { int64 size = 1 }
function encodeShape(dims: number[]): Uint8Array {
  const w = new PbWriter();
  for (const d of dims) w.message(2, new PbWriter().int(1, d).finish());
  return w.finish();
}

export function encodeTensor(t: TensorMsg): Uint8Array {
  const w = new PbWriter().int(1, t.dtype);
  if (t.shape) w.message(2, encodeShape(t.shape));
  if (t.floatVal) w.packedFloats(5, t.floatVal);
  if (t.doubleVal) w.packedDoubles(6, t.doubleVal);
  for (const s of t.stringVal ?? []) w.bytes(8, s, true);
  return w.finish();
}

export function encodeSummaryValue(v: SummaryValue): Uint8Array {
  const w = new PbWriter().string(1, v.tag);
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue, true);
  if (v.image) w.message(4, encodeImage(v.image));
  if (v.histo) w.message(5, encodeHistogram(v.histo));
  if (v.tensor) w.message(8, encodeTensor(v.tensor));
  if (v.metadata) w.message(9, encodeSummaryMetadata(v.metadata));
  return w.finish();
}

export function encodeSummary(values: SummaryValue[]): Uint8Array {
  const w = new PbWriter();
  for (const v of values) w.message(1, encodeSummaryValue(v));
  return w.finish();
}

export function encodeEvent(e: EventMsg): Uint8Array {
  const w = new PbWriter().double(1, e.wallTime).int(2, e.step ?? 0);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion, true);
  if (e.summary) w.message(5, encodeSummary(e.summary));
  // SessionLog { SessionStatus status = 1 }
  if (e.sessionLogStatus !== undefined) w.message(7, new PbWriter().int(1, e.sessionLogStatus).finish());
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// The hparams plugin (tensorboard/plugins/hparams/{api,plugin_data}.proto) and google.protobuf.Value / ListValue
// ---------------------------------------------------------------------------------------------------------------
export type PbValue = { number: number } | { string: string } | { bool: boolean };
export const DATA_TYPE_STRING = 1, DATA_TYPE_BOOL = 2, DATA_TYPE_FLOAT64 = 3;
export const STATUS_SUCCESS = 1;

// google.protobuf.Value: oneof kind { number_value = 2; string_value = 3; bool_value = 4 }
export function encodePbValue(v: PbValue): Uint8Array {
  const w = new PbWriter();
  if ('number' in v) w.double(2, v.number, true);
  else if ('string' in v) w.string(3, v.string, true);
  else w.int(4, v.bool, true);
  return w.finish();
}

// ListValue { repeated Value values = 1 }
export function encodeListValue(vs: PbValue[]): Uint8Array {
  const w = new PbWriter();
  for (const v of vs) w.message(1, encodePbValue(v));
  return w.finish();
}

export interface HParamInfoMsg { name: string; type: number; domainDiscrete?: PbValue[] }

// HParamsPluginData { int32 version = 1; oneof data { Experiment experiment = 2; SessionStartInfo
// session_start_info = 3; SessionEndInfo session_end_info = 4 } }
export function encodeHParamsExperiment(hparamInfos: HParamInfoMsg[], metricTags: string[], version = 0): Uint8Array {
  const exp = new PbWriter();
  for (const h of hparamInfos) {
    const hw = new PbWriter().string(1, h.name).int(4, h.type);
    if (h.domainDiscrete) hw.message(5, encodeListValue(h.domainDiscrete));
    exp.message(4, hw.finish());
  }
  // MetricInfo { MetricName name = 1 }, MetricName { string group = 1; string tag = 2 }
  for (const tag of metricTags) exp.message(5, new PbWriter().message(1, new PbWriter().string(2, tag).finish()).finish());
  return new PbWriter().int(1, version).message(2, exp.finish()).finish();
}

// SessionStartInfo { map<string, google.protobuf.Value> hparams = 1 } (a map entry: key = 1, value = 2)
export function encodeHParamsSessionStart(hparams: [string, PbValue][], version = 0): Uint8Array {
  const ssi = new PbWriter();
  for (const [k, v] of hparams) ssi.message(1, new PbWriter().string(1, k, true).message(2, encodePbValue(v)).finish());
  return new PbWriter().int(1, version).message(3, ssi.finish()).finish();
}

// SessionEndInfo { Status status = 1 }
export function encodeHParamsSessionEnd(status = STATUS_SUCCESS, version = 0): Uint8Array {
  return new PbWriter().int(1, version).message(4, new PbWriter().int(1, status).finish()).finish();
}
