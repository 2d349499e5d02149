// writer.ts - torch.utils.tensorboard.SummaryWriter: TensorBoard event files written off the training loop.
//
// Each event file has its own EventFileWriter. An add* call encodes its Event (protobuf + TFRecord framing, cheap)
// and queues the bytes; the queue goes to the file by an asynchronous positioned write (libuv's thread pool, so the
// training loop never waits on the disk) when `maxQueue` records are pending or every `flushSecs` (an unref'd
// timer, so an idle writer never keeps the process alive). flush(), close() and process exit write synchronously.
// Every chunk is given its file offset when it leaves the queue, so an asynchronous write still in flight and a
// synchronous one after it can finish in any order and the file is the same; a synchronous flush rewrites the
// in-flight chunks too (the same bytes at the same offsets), so once flush() returns everything is in the file
// even if the process exits next, and the descriptor is closed only after the last in-flight write returns.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor } from '../../tensor';
import { TorchError, checkKeys } from '../../errors';
import { encodeRecord } from './record';
import { EventMsg, SummaryValue, encodeEvent, SESSION_LOG_START } from './proto';
import {
  scalarValue as toScalar, scalarSummary, makeHistogram, toFloat64, imageSummary, textSummary, hparamsSummaries, Bins,
} from './summary';

const nowSecs = (): number => Date.now() / 1000;
const isPlain = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && !ArrayBuffer.isView(x) &&
  (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

// ---------------------------------------------------------------------------------------------------------------
// one event file
// ---------------------------------------------------------------------------------------------------------------
const openWriters = new Set<EventFileWriter>();
let exitHook = false;
let globalUid = 0;

function writeAllSync(fd: number, buf: Buffer, at: number): void {
  for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off, at + off);
}

export class EventFileWriter {
  readonly logDir: string;
  /** The event file's path: `<logDir>/events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>`. */
  readonly path: string;
  private fd: number | null;
  private pos = 0;
  private pending: Buffer[] = [];
  private readonly inflight = new Map<number, Buffer>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private closing = false;
  private asyncError: Error | null = null;

  constructor(logDir: string, readonly maxQueue = 10, readonly flushSecs = 120, filenameSuffix = '') {
    this.logDir = logDir;
    const stamp = String(Math.floor(nowSecs())).padStart(10, '0');
    this.path = path.join(logDir, `events.out.tfevents.${stamp}.${os.hostname()}.${process.pid}.${globalUid++}`) + filenameSuffix;
    try {
      fs.mkdirSync(logDir, { recursive: true });
      this.fd = fs.openSync(this.path, 'w');
    } catch (e) {
      throw new TorchError(`SummaryWriter: cannot create the event file '${this.path}': ${(e as Error).message}`, { cause: e });
    }
    // the first record names the format, and is on disk before the constructor returns
    this.pending.push(encodeRecord(encodeEvent({ wallTime: nowSecs(), fileVersion: 'brain.Event:2' })));
    this.flush();
    if (flushSecs > 0 && Number.isFinite(flushSecs)) {
      this.timer = setInterval(() => this.flushAsync(), Math.min(flushSecs * 1000, 2 ** 31 - 1));
      this.timer.unref();
    }
    openWriters.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => { for (const w of [...openWriters]) w.closeAtExit(); });
    }
  }

  get closed(): boolean { return this.closing; }

  private throwAsyncError(op: string): void {
    const e = this.asyncError;
    if (!e) return;
    this.asyncError = null;
    throw new TorchError(`SummaryWriter.${op}: an earlier background write to '${this.path}' failed: ${e.message}`, { cause: e });
  }

  addEvent(event: EventMsg): void {
    if (this.closing) throw new TorchError(`SummaryWriter: the event file '${this.path}' is closed`);
    this.throwAsyncError('add');
    this.pending.push(encodeRecord(encodeEvent(event)));
    if (this.pending.length >= this.maxQueue) this.flushAsync();
  }

  /** Takes the queued records as one chunk and gives it its place in the file. */
  private take(): [number, Buffer] | null {
    if (this.pending.length === 0) return null;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    const at = this.pos;
    this.pos += buf.length;
    return [at, buf];
  }

  /** Starts writing the queued records in the background; returns at once. */
  flushAsync(): void {
    if (this.fd === null || this.closing) return;
    const c = this.take();
    if (!c) return;
    const [at, buf] = c;
    const fd = this.fd;
    this.inflight.set(at, buf);
    const done = (err: Error | null): void => {
      this.inflight.delete(at);
      if (err && !this.asyncError && !this.closing) this.asyncError = err;
      if (this.closing && this.inflight.size === 0) this.closeFd();
    };
    const step = (off: number): void => {
      fs.write(fd, buf, off, buf.length - off, at + off, (err, n) => {
        if (err) done(err);
        else if (off + n < buf.length) step(off + n);
        else done(null);
      });
    };
    step(0);
  }

  /** Writes everything added so far to the file before returning. */
  flush(): void {
    if (this.fd === null) return;
    this.throwAsyncError('flush');
    try {
      for (const [at, buf] of this.inflight) writeAllSync(this.fd, buf, at);
      const c = this.take();
      if (c) writeAllSync(this.fd, c[1], c[0]);
    } catch (e) {
      throw new TorchError(`SummaryWriter.flush: cannot write '${this.path}': ${(e as Error).message}`, { cause: e });
    }
  }

  close(): void {
    if (this.closing) return;
    try { this.flush(); } finally {
      this.closing = true;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      openWriters.delete(this);
      if (this.inflight.size === 0) this.closeFd();
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try { fs.closeSync(fd); } catch { /* already gone */ }
  }

  /** process 'exit': no more event-loop turns, so write what is queued or in flight synchronously. */
  private closeAtExit(): void {
    try {
      if (this.fd !== null) {
        for (const [at, buf] of this.inflight) writeAllSync(this.fd, buf, at);
        const c = this.take();
        if (c) writeAllSync(this.fd, c[1], c[0]);
      }
    } catch (e) {
      process.stderr.write(`SummaryWriter: lost events at exit, cannot write '${this.path}': ${(e as Error).message}\n`);
    }
    this.closing = true;
    this.inflight.clear();
    this.closeFd();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------------------------------
// Python's positional-or-keyword arguments: `rest` holds the optional positionals, possibly followed by one options
// object; both forms may be mixed, a name given twice is an error.
function parseArgs(op: string, rest: unknown[], names: readonly string[], aliases: Record<string, string> = {}): Record<string, unknown> {
  let args = rest;
  while (args.length && args[args.length - 1] === undefined) args = args.slice(0, -1);
  let opts: Record<string, unknown> = {};
  if (args.length && isPlain(args[args.length - 1])) {
    opts = args[args.length - 1] as Record<string, unknown>;
    args = args.slice(0, -1);
    checkKeys(op, opts, [...names, ...Object.keys(aliases)]);
  }
  if (args.length > names.length) throw new TypeError(`${op}() takes at most ${names.length} optional positional arguments (${names.join(', ')}) but ${args.length} were given`);
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => { out[names[i]] = v; });
  for (const [k, v] of Object.entries(opts)) {
    const name = aliases[k] ?? k;
    if (v === undefined) continue;
    if (out[name] !== undefined) throw new TypeError(`${op}() got multiple values for argument '${name}'`);
    out[name] = v;
  }
  return out;
}

function toStep(op: string, v: unknown): number | bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (v instanceof Tensor && v.numel() === 1) return Math.trunc(Number(v.detach().cpu().reshape([]).item()));
  throw new TorchError(`${op}: globalStep must be an integer, got ${v instanceof Tensor ? `a Tensor of shape [${v.shape.join(', ')}]` : String(v)}`);
}

function toWallTime(op: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new TorchError(`${op}: walltime must be a finite number of seconds since the epoch, got ${String(v)}`);
}

function checkTag(op: string, tag: unknown): string {
  if (typeof tag !== 'string') throw new TorchError(`${op}: tag must be a string, got ${tag === null ? 'null' : typeof tag}`);
  return tag;
}

/** strftime('%b%d_%H-%M-%S') in local time, as PyTorch's default run directory uses. */
function runStamp(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon}${p(d.getDate())}_${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

// ---------------------------------------------------------------------------------------------------------------
// SummaryWriter
// ---------------------------------------------------------------------------------------------------------------
export interface SummaryWriterOpts {
  logDir?: string;
  /** appended to the default run directory's name (ignored when logDir is given) */
  comment?: string;
  /** events at or after this step from a crashed run are hidden by TensorBoard */
  purgeStep?: number;
  /** records queued before a background write starts (default 10) */
  maxQueue?: number;
  /** seconds between background writes of whatever is queued (default 120) */
  flushSecs?: number;
  filenameSuffix?: string;
}

const WRITER_KEYS = ['logDir', 'comment', 'purgeStep', 'maxQueue', 'flushSecs', 'filenameSuffix'] as const;

/**
 * torch.utils.tensorboard.SummaryWriter: writes scalars, histograms, images, text and hparams to TensorBoard event
 * files under `logDir` (default `runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>`).
 */
export class SummaryWriter {
  readonly logDir: string;
  readonly maxQueue: number;
  readonly flushSecs: number;
  readonly filenameSuffix: string;
  private purgeStep: number | undefined;
  private fileWriter: EventFileWriter | null = null;
  private allWriters: Map<string, EventFileWriter> | null = null;

  constructor(logDir?: string | SummaryWriterOpts | null, opts: SummaryWriterOpts = {}) {
    if (isPlain(logDir)) { opts = logDir as SummaryWriterOpts; logDir = undefined; }
    checkKeys('SummaryWriter', opts, WRITER_KEYS);
    if (logDir !== undefined && logDir !== null && opts.logDir !== undefined) throw new TypeError("SummaryWriter() got multiple values for argument 'logDir'");
    const dir = (logDir ?? opts.logDir) as string | undefined | null;
    if (dir !== undefined && dir !== null && typeof dir !== 'string') throw new TorchError(`SummaryWriter: logDir must be a string, got ${typeof dir}`);
    const comment = opts.comment ?? '';
    if (typeof comment !== 'string') throw new TorchError(`SummaryWriter: comment must be a string, got ${typeof comment}`);
    this.logDir = dir ? dir : path.join('runs', `${runStamp(new Date())}_${os.hostname()}${comment}`);
    this.maxQueue = opts.maxQueue ?? 10;
    this.flushSecs = opts.flushSecs ?? 120;
    this.filenameSuffix = opts.filenameSuffix ?? '';
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) throw new TorchError(`SummaryWriter: maxQueue must be a positive integer, got ${this.maxQueue}`);
    if (typeof this.flushSecs !== 'number' || !(this.flushSecs > 0)) throw new TorchError(`SummaryWriter: flushSecs must be a positive number, got ${this.flushSecs}`);
    if (typeof this.filenameSuffix !== 'string') throw new TorchError('SummaryWriter: filenameSuffix must be a string');
    this.purgeStep = opts.purgeStep;
    if (this.purgeStep !== undefined && !Number.isInteger(this.purgeStep)) throw new TorchError(`SummaryWriter: purgeStep must be an integer, got ${this.purgeStep}`);
    this.getFileWriter();
  }

  /** The directory where event files are written. */
  getLogdir(): string { return this.logDir; }

  /** The main event file's writer (created again, with a new file, after close()). */
  getFileWriter(): EventFileWriter {
    if (this.fileWriter === null || this.allWriters === null) {
      this.fileWriter = new EventFileWriter(this.logDir, this.maxQueue, this.flushSecs, this.filenameSuffix);
      this.allWriters = new Map([[this.logDir, this.fileWriter]]);
      if (this.purgeStep !== undefined) {
        const step = this.purgeStep;
        this.fileWriter.addEvent({ wallTime: nowSecs(), step, fileVersion: 'brain.Event:2' });
        this.fileWriter.addEvent({ wallTime: nowSecs(), step, sessionLogStatus: SESSION_LOG_START });
        this.purgeStep = undefined;
      }
    }
    return this.fileWriter;
  }

  /** Paths of the event files this writer has open (the main one and one per addScalars series). */
  eventFiles(): string[] { return this.allWriters ? [...this.allWriters.values()].map((w) => w.path) : []; }

  private addSummary(fw: EventFileWriter, value: SummaryValue, step?: number | bigint, walltime?: number): void {
    fw.addEvent({ wallTime: walltime ?? nowSecs(), step, summary: [value] });
  }

  /** add_scalar(tag, scalar_value, global_step, walltime, new_style, double_precision) */
  addScalar(tag: string, scalarValue: number | Tensor | bigint, globalStep?: number | bigint | Record<string, unknown> | null, walltime?: number | null, ...rest: unknown[]): void {
    const op = 'addScalar';
    const a = parseArgs(op, [globalStep, walltime, ...rest], ['globalStep', 'walltime', 'newStyle', 'doublePrecision'], { wallTime: 'walltime' });
    const v = scalarSummary(checkTag(op, tag), toScalar(op, scalarValue), Boolean(a.newStyle), Boolean(a.doublePrecision));
    this.addSummary(this.getFileWriter(), v, toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /**
   * add_scalars(main_tag, tag_scalar_dict, global_step, walltime): each series goes to its own event file in
   * `<logDir>/<mainTag with / as _>_<tag>`, under the tag `mainTag`, so TensorBoard draws them in one chart.
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, number | Tensor> | Map<string, number | Tensor>, globalStep?: number | bigint | Record<string, unknown> | null, walltime?: number | null): void {
    const op = 'addScalars';
    const a = parseArgs(op, [globalStep, walltime], ['globalStep', 'walltime'], { wallTime: 'walltime' });
    checkTag(op, mainTag);
    if (!(tagScalarDict instanceof Map) && !isPlain(tagScalarDict)) throw new TorchError(`${op}: tag_scalar_dict must be a plain object or a Map of tag -> value, got ${tagScalarDict === null ? 'null' : typeof tagScalarDict}`);
    const entries = tagScalarDict instanceof Map ? [...tagScalarDict.entries()] : Object.entries(tagScalarDict);
    const values = entries.map(([k, v]) => [String(k), toScalar(`${op}('${mainTag}', '${k}')`, v)] as const);
    const step = toStep(op, a.globalStep);
    const wt = toWallTime(op, a.walltime) ?? nowSecs();
    const base = this.getFileWriter().logDir;
    for (const [tag, value] of values) {
      const dir = `${base}/${mainTag.replace(/\//g, '_')}_${tag}`;
      let fw = this.allWriters!.get(dir);
      if (!fw) {
        fw = new EventFileWriter(dir, this.maxQueue, this.flushSecs, this.filenameSuffix);
        this.allWriters!.set(dir, fw);
      }
      this.addSummary(fw, scalarSummary(mainTag, value), step, wt);
    }
  }

  /** add_histogram(tag, values, global_step, bins='tensorflow', walltime, max_bins) */
  addHistogram(tag: string, values: Tensor | ArrayLike<number>, globalStep?: number | bigint | Record<string, unknown> | null, ...rest: unknown[]): void {
    const op = 'addHistogram';
    const a = parseArgs(op, [globalStep, ...rest], ['globalStep', 'bins', 'walltime', 'maxBins'], { wallTime: 'walltime' });
    checkTag(op, tag);
    const histo = makeHistogram(op, toFloat64(op, values), (a.bins ?? 'tensorflow') as Bins, a.maxBins as number | undefined);
    this.addSummary(this.getFileWriter(), { tag, histo }, toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /** add_histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts, global_step, walltime) */
  addHistogramRaw(tag: string, min: number, max: number, num: number, sum: number, sumSquares: number,
    bucketLimits: Tensor | ArrayLike<number>, bucketCounts: Tensor | ArrayLike<number>, ...rest: unknown[]): void {
    const op = 'addHistogramRaw';
    const a = parseArgs(op, rest, ['globalStep', 'walltime'], { wallTime: 'walltime' });
    checkTag(op, tag);
    const limits = toFloat64(op, bucketLimits), counts = toFloat64(op, bucketCounts);
    if (limits.length !== counts.length) throw new TorchError(`${op}: len(bucket_limits) != len(bucket_counts) (${limits.length} vs ${counts.length}), see the document.`);
    const nums = [min, max, num, sum, sumSquares].map((x, i) => toScalar(`${op} (${['min', 'max', 'num', 'sum', 'sumSquares'][i]})`, x));
    const histo = { min: nums[0], max: nums[1], num: nums[2], sum: nums[3], sumSquares: nums[4], bucketLimit: limits, bucket: counts };
    this.addSummary(this.getFileWriter(), { tag, histo }, toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /** add_image(tag, img_tensor, global_step, walltime, dataformats='CHW'); float images in [0, 1], uint8 in [0, 255]. */
  addImage(tag: string, imgTensor: Tensor, globalStep?: number | bigint | Record<string, unknown> | null, ...rest: unknown[]): void {
    const op = 'addImage';
    const a = parseArgs(op, [globalStep, ...rest], ['globalStep', 'walltime', 'dataformats'], { wallTime: 'walltime', dataFormats: 'dataformats' });
    const v = imageSummary(op, checkTag(op, tag), imgTensor, (a.dataformats ?? 'CHW') as string);
    this.addSummary(this.getFileWriter(), v, toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /** add_images(tag, img_tensor, global_step, walltime, dataformats='NCHW'): a batch tiled 8 per row into one image. */
  addImages(tag: string, imgTensor: Tensor, globalStep?: number | bigint | Record<string, unknown> | null, ...rest: unknown[]): void {
    const op = 'addImages';
    const a = parseArgs(op, [globalStep, ...rest], ['globalStep', 'walltime', 'dataformats'], { wallTime: 'walltime', dataFormats: 'dataformats' });
    const v = imageSummary(op, checkTag(op, tag), imgTensor, (a.dataformats ?? 'NCHW') as string);
    this.addSummary(this.getFileWriter(), v, toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /** add_text(tag, text_string, global_step, walltime): markdown shown by TensorBoard's text dashboard. */
  addText(tag: string, textString: string, globalStep?: number | bigint | Record<string, unknown> | null, walltime?: number | null): void {
    const op = 'addText';
    const a = parseArgs(op, [globalStep, walltime], ['globalStep', 'walltime'], { wallTime: 'walltime' });
    if (typeof textString !== 'string') throw new TorchError(`${op}: text_string must be a string, got ${textString === null ? 'null' : typeof textString}`);
    this.addSummary(this.getFileWriter(), textSummary(checkTag(op, tag), textString), toStep(op, a.globalStep), toWallTime(op, a.walltime));
  }

  /**
   * add_hparams(hparam_dict, metric_dict, hparam_domain_discrete, run_name): a run `<logDir>/<runName>` (default
   * the current time in seconds) holding the hparams plugin's experiment, session start and session end
   * summaries, and each metric as a scalar at step 0.
   */
  addHparams(hparamDict: Record<string, unknown> | Map<string, unknown>, metricDict: Record<string, number | Tensor> | Map<string, number | Tensor>, ...rest: unknown[]): void {
    const op = 'addHparams';
    // the third positional (hparamDomainDiscrete) is itself a plain object: it is the options object only when it
    // reads as one
    const last = rest[rest.length - 1];
    const looksLikeOpts = isPlain(last) && Object.keys(last).length > 0 && Object.keys(last).every((k) => k === 'runName' || k === 'hparamDomainDiscrete') &&
      (typeof last.runName === 'string' || isPlain(last.hparamDomainDiscrete));
    const a = looksLikeOpts ? parseArgs(op, rest, ['hparamDomainDiscrete', 'runName'])
      : parseArgs(op, [...rest, {}], ['hparamDomainDiscrete', 'runName']);
    const { experiment, sessionStart, sessionEnd } = hparamsSummaries(op, hparamDict, metricDict, a.hparamDomainDiscrete);
    const metrics = (metricDict instanceof Map ? [...metricDict.entries()] : Object.entries(metricDict)).map(([k, v]) => [String(k), toScalar(`${op} (metric '${k}')`, v)] as const);
    const runName = a.runName === undefined || a.runName === null || a.runName === '' ? String(nowSecs()) : a.runName;
    if (typeof runName !== 'string') throw new TorchError(`${op}: runName must be a string, got ${typeof runName}`);
    const w = new SummaryWriter(path.join(this.getFileWriter().logDir, runName));
    try {
      const fw = w.getFileWriter();
      for (const v of [experiment, sessionStart, sessionEnd]) w.addSummary(fw, v);
      for (const [k, v] of metrics) w.addScalar(k, v);
    } finally { w.close(); }
  }

  /** Writes every queued event of every file to disk before returning. */
  flush(): void {
    if (!this.allWriters) return;
    for (const w of this.allWriters.values()) w.flush();
  }

  /** Flushes and closes every event file; adding after close() starts new files (as PyTorch). */
  close(): void {
    if (!this.allWriters) return;
    const ws = [...this.allWriters.values()];
    this.fileWriter = this.allWriters = null;
    let err: unknown = null;
    for (const w of ws) { try { w.close(); } catch (e) { err = err ?? e; } }
    if (err) throw err;
  }

  [Symbol.dispose](): void { this.close(); }
}

