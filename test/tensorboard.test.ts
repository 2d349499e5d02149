// tensorboard.test.ts - torch.utils.tensorboard.SummaryWriter. The same calls as test/ref/gen_tensorboard.py (which
// runs PyTorch 1.13's own SummaryWriter) are made here; the files are read back by two independent readers:
// test/ref/read_tfevents.py (Python standard library, when /usr/bin/python3 exists) and a reader in this file
// (bit-by-bit CRC-32C, its own wire-format decoder), both checking every record's CRCs; the decoded events must
// equal PyTorch's, wall times aside (sum_squares to 1e-12: numpy takes it from BLAS dot). Then the writer's
// queueing: background writes at maxQueue and every flushSecs, synchronous flush/close, nothing lost at exit,
// no process kept alive; the default run directory; errors.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

const { SummaryWriter } = torch.utils.tensorboard;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'tensorboard.json'), 'utf8'));
const PY = '/usr/bin/python3';
const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');
const EXPLICIT_WALLTIMES = [1234.5, 99.0];

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'nt-tb-'));

// ---------------------------------------------------------------------------------------------------------------
// the calls of gen_tensorboard.py
// ---------------------------------------------------------------------------------------------------------------
function writeReference(root: string): void {
  const inp = REF.inputs as Record<string, number[]>;
  const T = (k: string, shape: number[], dtype: torch.DType = 'float32'): torch.Tensor => torch.tensor(inp[k], { dtype }).reshape(shape);
  const w = new SummaryWriter(root);
  [0.5, 0.25, 0.125].forEach((v, i) => w.addScalar('loss', v, i));
  w.addScalar('float32/inexact', 0.1, 7, { walltime: 1234.5 });
  w.addScalar('tensor value', torch.tensor(2.5), 2 ** 40);
  w.addScalar('negative step', -1.0, -3);
  w.addScalar('zero', 0.0, 0);
  w.addScalar('new', 1.5, 3, { newStyle: true });
  w.addScalar('new double', 0.1, 3, { newStyle: true, doublePrecision: true });
  w.addScalars('group/a', { sin: 0.5, cos: -0.25 }, 5, 99.0);
  w.addScalars('group/a', { sin: 0.75, cos: 0.0 }, 6);
  w.addHistogram('hist/randn', T('hist_randn', [1000]), 1);
  w.addHistogram('hist/mixed', T('hist_mixed', [255]), 2);
  w.addHistogram('hist/int', torch.tensor(inp.hist_int), 3);
  w.addHistogram('hist/bins30', T('hist_randn', [1000]), 4, { bins: 30 });
  w.addHistogram('hist/maxbins', T('hist_randn', [1000]), 5, { maxBins: 40 });
  w.addHistogram('hist/edges', T('hist_randn', [1000]), 6, { bins: [-2.0, -1.0, 0.0, 0.5, 1.0, 3.0] });
  w.addHistogram('hist/constant', torch.full([7], 3.0), 7, { bins: 5 });
  w.addHistogramRaw('hist/raw', 0.0, 9.0, 10, 45.0, 285.0, [3.0, 6.0, 9.0], [4, 3, 3], 8);
  w.addImage('img/chw', T('img_chw', [3, 4, 5]), 2);
  w.addImage('img/hwc_u8', T('img_hwc_u8', [4, 5, 1], 'uint8'), 2, { dataformats: 'HWC' });
  w.addImage('img/hw', T('img_hw', [6, 7]), 2, { dataformats: 'HW' });
  w.addImage('img/rgba', T('img_rgba_u8', [4, 3, 2], 'uint8'), 2);
  w.addImages('imgs/nchw', T('imgs_nchw', [10, 1, 4, 5]), 3);
  w.addImages('imgs/nhwc_u8', T('imgs_nhwc_u8', [3, 4, 5, 3], 'uint8'), 3, { dataformats: 'NHWC' });
  w.addText('notes', 'hello **world** \u2014 \u00fcn\u00efcode', 4);
  w.addHparams({ lr: 0.01, bs: 64, opt: 'adam', flag: true, skip: null }, { 'hparam/acc': 0.9, 'hparam/loss': 0.1 },
    { opt: ['adam', 'sgd'], bs: [32, 64] }, 'hp');
  w.close();
  const p = new SummaryWriter(path.join(root, 'purge'), { purgeStep: 5 });
  p.addScalar('after purge', 1.0, 5);
  p.close();
}

// ---------------------------------------------------------------------------------------------------------------
// an independent reader: CRC-32C bit by bit, TFRecord framing, protobuf wire format by field number
// ---------------------------------------------------------------------------------------------------------------
function crcBitwise(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; }
  return (c ^ 0xffffffff) >>> 0;
}
const mask = (c: number): number => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

function readRecords(file: string): Buffer[] {
  const b = fs.readFileSync(file);
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    if (b.length - i < 12) throw new Error(`${file}: truncated header at ${i}`);
    const n = Number(b.readBigUInt64LE(i));
    if (mask(crcBitwise(b.subarray(i, i + 8))) !== b.readUInt32LE(i + 8)) throw new Error(`${file}: bad length CRC at ${i}`);
    if (b.length - i < 16 + n) throw new Error(`${file}: truncated data at ${i}`);
    const data = b.subarray(i + 12, i + 12 + n);
    if (mask(crcBitwise(data)) !== b.readUInt32LE(i + 12 + n)) throw new Error(`${file}: bad data CRC at ${i}`);
    out.push(data);
    i += 16 + n;
  }
  return out;
}

type Field = [name: string, kind: string, rep?: boolean, oneof?: boolean];
const S: Record<string, Record<number, Field>> = {
  Event: { 1: ['wall_time', 'double'], 2: ['step', 'int64'], 3: ['file_version', 'string', false, true], 5: ['summary', 'Summary', false, true], 7: ['session_log', 'SessionLog', false, true] },
  SessionLog: { 1: ['status', 'enum'] },
  Summary: { 1: ['value', 'Value', true] },
  Value: { 1: ['tag', 'string'], 9: ['metadata', 'SummaryMetadata'], 2: ['simple_value', 'float', false, true], 4: ['image', 'Image', false, true], 5: ['histo', 'HistogramProto', false, true], 8: ['tensor', 'TensorProto', false, true] },
  Image: { 1: ['height', 'int32'], 2: ['width', 'int32'], 3: ['colorspace', 'int32'], 4: ['encoded_image_string', 'png'] },
  HistogramProto: { 1: ['min', 'double'], 2: ['max', 'double'], 3: ['num', 'double'], 4: ['sum', 'double'], 5: ['sum_squares', 'double'], 6: ['bucket_limit', 'double', true], 7: ['bucket', 'double', true] },
  SummaryMetadata: { 1: ['plugin_data', 'PluginData'], 2: ['display_name', 'string'], 3: ['summary_description', 'string'] },
  PluginData: { 1: ['plugin_name', 'string'], 2: ['content', 'bytes'] },
  TensorProto: { 1: ['dtype', 'enum'], 2: ['tensor_shape', 'TensorShapeProto'], 5: ['float_val', 'float', true], 6: ['double_val', 'double', true], 8: ['string_val', 'string', true] },
  TensorShapeProto: { 2: ['dim', 'Dim', true] },
  Dim: { 1: ['size', 'int64'] },
  TextPluginData: { 1: ['version', 'int32'] },
  HParamsPluginData: { 1: ['version', 'int32'], 2: ['experiment', 'Experiment', false, true], 3: ['session_start_info', 'SessionStartInfo', false, true], 4: ['session_end_info', 'SessionEndInfo', false, true] },
  Experiment: { 4: ['hparam_infos', 'HParamInfo', true], 5: ['metric_infos', 'MetricInfo', true] },
  HParamInfo: { 1: ['name', 'string'], 4: ['type', 'enum'], 5: ['domain_discrete', 'ListValue', false, true] },
  MetricInfo: { 1: ['name', 'MetricName'] },
  MetricName: { 1: ['group', 'string'], 2: ['tag', 'string'] },
  SessionStartInfo: { 1: ['hparams', 'map'] },
  SessionEndInfo: { 1: ['status', 'enum'] },
  PbValue: { 2: ['number_value', 'double', false, true], 3: ['string_value', 'string', false, true], 4: ['bool_value', 'bool', false, true], 6: ['list_value', 'ListValue', false, true] },
  ListValue: { 1: ['values', 'PbValue', true] },
  MapEntry: { 1: ['key', 'string', false, true], 2: ['value', 'PbValue', false, true] },
};

function varint(b: Buffer, i: number): [bigint, number] {
  let r = 0n, s = 0n;
  for (;;) { const x = b[i++]; r |= BigInt(x & 0x7f) << s; s += 7n; if (!(x & 0x80)) return [r, i]; }
}

function decode(msg: string, b: Buffer): { [k: string]: Json } {
  const schema = S[msg], out: { [k: string]: Json } = {};
  let i = 0;
  while (i < b.length) {
    let key: bigint;
    [key, i] = varint(b, i);
    const num = Number(key >> 3n), wire = Number(key & 7n);
    let raw: Buffer | bigint;
    if (wire === 0) [raw, i] = varint(b, i);
    else if (wire === 1) { raw = b.subarray(i, i + 8); i += 8; } else if (wire === 5) { raw = b.subarray(i, i + 4); i += 4; } else if (wire === 2) {
      let n: bigint;
      [n, i] = varint(b, i);
      raw = b.subarray(i, i + Number(n));
      i += Number(n);
    } else throw new Error(`${msg}: wire type ${wire}`);
    const f = schema[num];
    if (!f) { out[`#${num}`] = typeof raw === 'bigint' ? Number(raw) : raw.toString('hex'); continue; }
    const [name, kind, rep] = f;
    let val: Json;
    if (kind === 'map') {
      const e = decode('MapEntry', raw as Buffer);
      const m = (out[name] ?? {}) as { [k: string]: Json };
      m[String(e.key ?? '')] = e.value ?? {};
      out[name] = m;
      continue;
    }
    if (S[kind]) val = decode(kind, raw as Buffer);
    else if (rep && wire === 2 && (kind === 'double' || kind === 'float')) {
      const r = raw as Buffer, w = kind === 'double' ? 8 : 4;
      const arr = (out[name] ?? []) as Json[];
      for (let k = 0; k < r.length; k += w) arr.push(kind === 'double' ? r.readDoubleLE(k) : r.readFloatLE(k));
      out[name] = arr;
      continue;
    } else if (kind === 'double') val = (raw as Buffer).readDoubleLE(0);
    else if (kind === 'float') val = (raw as Buffer).readFloatLE(0);
    else if (kind === 'int32' || kind === 'int64' || kind === 'enum') val = Number(BigInt.asIntN(64, raw as bigint));
    else if (kind === 'bool') val = (raw as bigint) !== 0n;
    else if (kind === 'string') val = (raw as Buffer).toString('utf8');
    else if (kind === 'bytes') val = (raw as Buffer).toString('hex');
    else if (kind === 'png') val = pngInfo(raw as Buffer);
    else throw new Error(kind);
    if (rep) ((out[name] ??= []) as Json[]).push(val);
    else out[name] = val;
  }
  for (const [name, kind, rep, oneof] of Object.values(schema)) {
    if (name in out && !rep && !oneof && !S[kind] && [0, '', false].includes(out[name] as never) && !Object.is(out[name], -0)) delete out[name];
  }
  if (msg === 'PluginData' && (out.plugin_name === 'hparams' || out.plugin_name === 'text')) {
    out.content = decode(out.plugin_name === 'hparams' ? 'HParamsPluginData' : 'TextPluginData', Buffer.from(String(out.content ?? ''), 'hex'));
  }
  return out;
}

function pngInfo(b: Buffer): Json {
  const img = vision.io.decodePng(new Uint8Array(b));
  const [c, h, w] = img.shape;
  const hwc = Buffer.from(img.permute(1, 2, 0).contiguous().toTypedArray() as Uint8Array);
  return { channels: c, height: h, width: w, pixels_sha256: crypto.createHash('sha256').update(hwc).digest('hex') };
}

interface Run { file: string; events: { [k: string]: Json }[] }
function readLogdirTS(root: string): Record<string, Run[]> {
  const runs: Record<string, Run[]> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (name.includes('tfevents')) {
        const rel = path.relative(root, d).split(path.sep).join('/');
        (runs[rel] ??= []).push({ file: name, events: readRecords(p).map((r) => decode('Event', r)) });
      }
    }
  };
  walk(root);
  return runs;
}

// ---------------------------------------------------------------------------------------------------------------
// comparing with PyTorch's files
// ---------------------------------------------------------------------------------------------------------------
function stripWallTimes(runs: Record<string, Run[]>): Record<string, { events: Json[] }[]> {
  const t0 = Date.now() / 1000;
  const out: Record<string, { events: Json[] }[]> = {};
  for (const [k, files] of Object.entries(runs)) {
    out[k] = files.map((f) => {
      expect(f.file).toMatch(new RegExp(REF.filename_pattern));
      expect(f.file).toContain(`.${os.hostname()}.${process.pid}.`);
      return {
        events: f.events.map((e) => {
          const c = { ...e };
          const wt = c.wall_time as number;
          if (!EXPLICIT_WALLTIMES.includes(wt)) {
            expect(Math.abs(wt - t0)).toBeLessThan(120);
            delete c.wall_time;
          }
          return c as Json;
        }),
      };
    });
  }
  return out;
}

function compare(a: Json, e: Json, where: string): void {
  if (typeof e === 'number' && typeof a === 'number') {
    const tol = /sum_squares$/.test(where) ? 1e-12 * Math.abs(e) : 0;
    if (!(Math.abs(a - e) <= tol || a === e)) throw new Error(`${where}: got ${a}, PyTorch wrote ${e}`);
    return;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(a) || a.length !== e.length) throw new Error(`${where}: got ${JSON.stringify(a)?.slice(0, 200)}, PyTorch wrote ${JSON.stringify(e).slice(0, 200)}`);
    e.forEach((x, i) => compare(a[i], x, `${where}[${i}]`));
    return;
  }
  if (e !== null && typeof e === 'object') {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new Error(`${where}: got ${JSON.stringify(a)}, expected an object`);
    const ka = Object.keys(a).sort(), ke = Object.keys(e).sort();
    if (ka.join() !== ke.join()) throw new Error(`${where}: fields ${ka.join(', ')}; PyTorch wrote ${ke.join(', ')}`);
    for (const k of ke) compare(a[k], e[k], `${where}.${k}`);
    return;
  }
  if (a !== e) throw new Error(`${where}: got ${JSON.stringify(a)}, PyTorch wrote ${JSON.stringify(e)}`);
}

const countRecords = (runs: Record<string, Run[]>): number => Object.values(runs).flat().reduce((n, f) => n + f.events.length, 0);

describe('event files against PyTorch 1.13 SummaryWriter', () => {
  let root = '';
  beforeAll(() => { root = tmp(); writeReference(root); });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('directory layout: one file per run, add_scalars series and hparams runs in sub-directories', () => {
    const runs = readLogdirTS(root);
    expect(Object.keys(runs).sort()).toEqual(Object.keys(REF.runs).sort());
    expect(Object.keys(runs).sort()).toEqual(['', 'group_a_cos', 'group_a_sin', 'hp', 'purge']);
    for (const files of Object.values(runs)) expect(files.length).toBe(1);
  });

  test('TS reader (bit-by-bit CRC-32C): every record framed and checksummed, events equal to PyTorch\'s', () => {
    const runs = readLogdirTS(root);
    expect(countRecords(runs)).toBe(41);
    for (const files of Object.values(runs)) expect(files[0].events[0]).toMatchObject({ file_version: 'brain.Event:2' });
    compare(stripWallTimes(runs) as unknown as Json, REF.runs, 'runs');
  });

  (fs.existsSync(PY) ? test : test.skip)('Python reader (read_tfevents.py, stdlib only): CRCs and events equal to PyTorch\'s', () => {
    const r = spawnSync(PY, [path.join(__dirname, 'ref', 'read_tfevents.py'), root], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.records).toBe(41);
    compare(stripWallTimes(got.runs) as unknown as Json, REF.runs, 'runs');
  });

  test('the readers catch a corrupted byte (data CRC) and a truncated file', () => {
    const f = path.join(root, 'purge', fs.readdirSync(path.join(root, 'purge'))[0]);
    const copy = path.join(tmp(), 'events.out.tfevents.bad');
    const b = fs.readFileSync(f);
    b[20] ^= 1;
    fs.writeFileSync(copy, b);
    expect(() => readRecords(copy)).toThrow(/bad data CRC/);
    fs.writeFileSync(copy, fs.readFileSync(f).subarray(0, b.length - 3));
    expect(() => readRecords(copy)).toThrow(/truncated/);
    if (fs.existsSync(PY)) {
      const r = spawnSync(PY, [path.join(__dirname, 'ref', 'read_tfevents.py'), path.dirname(copy)], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/truncated/);
    }
    fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  });
});

describe('pieces', () => {
  test('CRC-32C: check value of "123456789", table == bit-by-bit on random data, masking', () => {
    const { crc32c, maskCrc } = torch.utils.tensorboard;
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    for (const n of [0, 1, 3, 4, 5, 7, 64, 1001]) {
      const b = crypto.randomBytes(n);
      expect(crc32c(b)).toBe(crcBitwise(b));
      expect(maskCrc(crc32c(b))).toBe(mask(crcBitwise(b)));
    }
    const b = crypto.randomBytes(100);
    expect(crc32c(b.subarray(40), crc32c(b.subarray(0, 40)))).toBe(crc32c(b));
  });

  test('default bins: 1e-12 * 1.1^k up to 1e20, mirrored, with 0', () => {
    const bins = torch.utils.tensorboard.defaultBins();
    expect(bins.length).toBe(1549);
    expect(bins[774]).toBe(0);
    expect(bins[775]).toBe(1e-12);
    expect(bins[773]).toBe(-1e-12);
    expect(bins[bins.length - 1]).toBeLessThan(1e20);
    expect(bins[bins.length - 1] * 1.1).toBeGreaterThanOrEqual(1e20);
    for (let i = 1; i < bins.length; i++) expect(bins[i]).toBeGreaterThan(bins[i - 1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// queueing and flushing
// ---------------------------------------------------------------------------------------------------------------
const sizeOf = (f: string): number => fs.statSync(f).size;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return true; await sleep(10); }
  return cond();
}
const scalarsIn = (file: string): [number, number][] => readRecords(file).map((r) => decode('Event', r))
  .map((e) => [(e.step as number) ?? 0, (e.summary as { value: { simple_value?: number }[] } | undefined)?.value[0].simple_value] as [number, number | undefined])
  .filter((e): e is [number, number] => e[1] !== undefined);

describe('queue and flush', () => {
  let dir = '';
  beforeEach(() => { dir = tmp(); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('events wait in memory until flush(); the file-version record is on disk at once', () => {
    const w = new SummaryWriter(dir, { maxQueue: 1000, flushSecs: 3600 });
    const [f] = w.eventFiles();
    const header = sizeOf(f);
    expect(readRecords(f).length).toBe(1);
    for (let i = 0; i < 20; i++) w.addScalar('x', i, i);
    expect(sizeOf(f)).toBe(header);
    w.flush();
    expect(scalarsIn(f)).toEqual(Array.from({ length: 20 }, (_, i) => [i, i]));
    w.close();
  });

  test('maxQueue pending events start a background write (no flush call)', async () => {
    const w = new SummaryWriter(dir, { maxQueue: 3, flushSecs: 3600 });
    const [f] = w.eventFiles();
    w.addScalar('x', 1, 1);
    w.addScalar('x', 2, 2);
    await sleep(50);
    expect(readRecords(f).length).toBe(1);
    w.addScalar('x', 3, 3);
    expect(await waitFor(() => readRecords(f).length === 4)).toBe(true);
    expect(scalarsIn(f)).toEqual([[1, 1], [2, 2], [3, 3]]);
    w.close();
  });

  test('flushSecs: queued events reach the file on the timer', async () => {
    const w = new SummaryWriter(dir, { maxQueue: 1000, flushSecs: 0.05 });
    const [f] = w.eventFiles();
    w.addScalar('x', 7, 1);
    expect(await waitFor(() => readRecords(f).length === 2)).toBe(true);
    w.close();
  });

  test('background and synchronous writes interleaved keep every record, in order', async () => {
    const w = new SummaryWriter(dir, { maxQueue: 2, flushSecs: 3600 });
    const [f] = w.eventFiles();
    const big = torch.randn(5000);
    for (let i = 0; i < 300; i++) {
      w.addScalar('x', i, i);
      if (i % 37 === 0) w.addHistogram('h', big, i);
      if (i % 50 === 7) w.flush();
      if (i % 90 === 3) await sleep(1);
    }
    w.close();
    expect(scalarsIn(f)).toEqual(Array.from({ length: 300 }, (_, i) => [i, i]));
    await sleep(100); // the background writes still in flight at close() finish the same bytes
    expect(scalarsIn(f).length).toBe(300);
    expect(readRecords(f).length).toBe(1 + 300 + 9);
  });

  test('close() is idempotent; adding after close() starts a new event file (as PyTorch)', () => {
    const w = new SummaryWriter(dir, { flushSecs: 3600 });
    w.addScalar('a', 1, 0);
    w.close();
    w.close();
    w.addScalar('a', 2, 1);
    w.flush();
    const uid = (n: string): number => Number(n.split('.').pop());
    const files = fs.readdirSync(dir).filter((n) => n.includes('tfevents')).sort((a, b) => uid(a) - uid(b));
    expect(files.length).toBe(2);
    const steps = files.map((n) => scalarsIn(path.join(dir, n)));
    expect(steps.flat()).toEqual([[0, 1], [1, 2]]);
    w.close();
  });

  test('logDir in the options object, filenameSuffix, getLogdir', () => {
    const w = new SummaryWriter({ logDir: path.join(dir, 'a', 'b'), filenameSuffix: '.v2' });
    expect(w.getLogdir()).toBe(path.join(dir, 'a', 'b'));
    expect(w.eventFiles()[0]).toMatch(/events\.out\.tfevents\.\d{10}\..*\.v2$/);
    w.close();
  });
});

// child processes use the compiled package (dist/), as data.test.ts does
const haveDist = fs.existsSync(DIST) && fs.existsSync(path.join(path.dirname(DIST), 'utils', 'tensorboard', 'writer.js'));
(haveDist ? describe : describe.skip)('process lifetime (node child process)', () => {
  const run = (code: string, cwd: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['-e', `const torch = require(${JSON.stringify(DIST)});\n${code}`], { cwd, encoding: 'utf8', timeout: 30000 });

  test('an unclosed writer neither keeps the process alive nor loses events at exit', () => {
    const dir = tmp();
    const t0 = Date.now();
    const r = run(`const w = new torch.utils.tensorboard.SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 1000, flushSecs: 120 });
      for (let i = 0; i < 50; i++) w.addScalar('x', i * 0.5, i);`, dir);
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20000);
    const [f] = fs.readdirSync(dir).filter((n) => n.includes('tfevents'));
    expect(scalarsIn(path.join(dir, f))).toEqual(Array.from({ length: 50 }, (_, i) => [i, i * 0.5]));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('process.exit() with background writes in flight: nothing lost', () => {
    const dir = tmp();
    const r = run(`const w = new torch.utils.tensorboard.SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 4 });
      const h = torch.randn(20000);
      for (let i = 0; i < 200; i++) { w.addScalar('x', i, i); if (i % 10 === 0) w.addHistogram('h', h, i); }
      process.exit(0);`, dir);
    expect(r.status).toBe(0);
    const [f] = fs.readdirSync(dir).filter((n) => n.includes('tfevents'));
    expect(scalarsIn(path.join(dir, f)).length).toBe(200);
    expect(readRecords(path.join(dir, f)).length).toBe(1 + 200 + 20);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('default logDir: runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment> in the working directory', () => {
    const dir = tmp();
    const r = run(`const w = new torch.utils.tensorboard.SummaryWriter({ comment: '_lr0.1' }); w.addScalar('x', 1, 0); w.close();
      console.log(w.getLogdir());`, dir);
    expect(r.status).toBe(0);
    const runsDir = fs.readdirSync(path.join(dir, 'runs'));
    expect(runsDir.length).toBe(1);
    const esc = os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(runsDir[0]).toMatch(new RegExp(`^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\d{2}_\\d{2}-\\d{2}-\\d{2}_${esc}_lr0\\.1$`));
    expect(String(r.stdout).trim()).toBe(path.join('runs', runsDir[0]));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------
describe('errors', () => {
  let dir = '';
  let w: InstanceType<typeof SummaryWriter>;
  beforeAll(() => { dir = tmp(); w = new SummaryWriter(dir); });
  afterAll(() => { w.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('bad arguments are TorchErrors (or TypeErrors for unknown options) naming the call', () => {
    expect(() => w.addScalar('x', torch.ones(2), 0)).toThrow(/addScalar: Tensor should contain one element.*shape \[2\]/);
    expect(() => w.addScalar('x', 'a' as never, 0)).toThrow(torch.TorchError);
    expect(() => w.addScalar(3 as never, 1, 0)).toThrow(/addScalar: tag must be a string/);
    expect(() => w.addScalar('x', 1, 0, { global_step: 1 } as never)).toThrow(/addScalar\(\): unexpected option 'global_step'/);
    expect(() => w.addScalar('x', 1, 0, { globalStep: 1 } as never)).toThrow(/multiple values for argument 'globalStep'/);
    expect(() => w.addScalar('x', 1, NaN)).toThrow(/globalStep must be an integer/);
    expect(() => w.addHistogram('h', torch.zeros(0), 0)).toThrow(/addHistogram: The input has no element/);
    expect(() => w.addHistogram('h', torch.tensor([1, NaN]), 0)).toThrow(/addHistogram: values must be finite/);
    expect(() => w.addHistogram('h', torch.ones(3), 0, { bins: [1, 0, 2] })).toThrow(/must increase monotonically/);
    expect(() => w.addHistogram('h', torch.ones(3), 0, { bins: 'auto' as never })).toThrow(/bins must be 'tensorflow'/);
    expect(() => w.addHistogram('h', torch.tensor([5e20], { dtype: 'float64' }), 0)).toThrow(/outside the bins/);
    expect(() => w.addHistogramRaw('h', 0, 1, 2, 1, 1, [1, 2], [1], 0)).toThrow(/len\(bucket_limits\) != len\(bucket_counts\)/);
    expect(() => w.addImage('i', torch.rand(3, 4), 0)).toThrow(/addImage: size of input tensor and input format are different.*\[3, 4\].*CHW/);
    expect(() => w.addImage('i', torch.rand(5, 4, 4), 0)).toThrow(/addImage: an image needs 1, 2, 3 or 4 channels, got 5/);
    expect(() => w.addImage('i', torch.rand(3, 4, 4), 0, { dataformats: 'CHX' })).toThrow(/dataformats must be a permutation/);
    expect(() => w.addImage('i', torch.rand(3, 4, 4), 0, { dataformats: 'CCH' })).toThrow(/same dimension shordhand twice/);
    expect(() => w.addImages('i', torch.rand(2, 4, 4, 4), 0)).toThrow(/addImages: a batch of images needs 1 or 3 channels, got 4/);
    expect(() => w.addImage('i', [1, 2] as never, 0)).toThrow(/expected an image Tensor/);
    expect(() => w.addText('t', 5 as never, 0)).toThrow(/addText: text_string must be a string/);
    expect(() => w.addHparams({ a: [1] as never }, {})).toThrow(/value should be one of int, float, str, bool, or torch.Tensor/);
    expect(() => w.addHparams({ a: 1 }, {}, { a: ['x'] })).toThrow(/hparam_domain_discrete\[a\] should be a list of same type/);
    expect(() => w.addHparams([1] as never, {})).toThrow(/should be dictionary/);
    expect(() => new SummaryWriter(dir, { maxQueue: 0 })).toThrow(/maxQueue must be a positive integer/);
    expect(() => new SummaryWriter(dir, { flush_secs: 1 } as never)).toThrow(/unexpected option 'flush_secs'/);
    expect(() => new SummaryWriter(path.join(fs.readdirSync(dir).map((n) => path.join(dir, n))[0], 'sub'))).toThrow(/cannot create the event file/);
  });

  test('float images: scaled by 255 in float32 and truncated; out of range clamped; uint8 kept', () => {
    const f = path.join(dir, 'img');
    const iw = new SummaryWriter(f);
    iw.addImage('a', torch.tensor([[[0, 0.5, 1.0, 0.999, -0.3, 1.7, 0.1]]], { dtype: 'float32' }), 0);
    iw.close();
    const file = path.join(f, fs.readdirSync(f)[0]);
    const raw = readRecords(file).map((r) => decode('Event', r))[1] as { summary: { value: { image: { colorspace: number } }[] } };
    expect(raw.summary.value[0].image.colorspace).toBe(3);
    // decode the PNG through the wire bytes
    const b = readRecords(file)[1];
    const at = b.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const img = vision.io.decodePng(new Uint8Array(b.subarray(at)));
    expect(img.shape).toEqual([3, 1, 7]);
    expect(img.select(0, 0).flatten().tolist()).toEqual([0, 127, 255, 254, 0, 255, 25]);
    expect(img.select(0, 2).flatten().tolist()).toEqual([0, 127, 255, 254, 0, 255, 25]);
    // uint8 pixels are written as they are (scale 1), an RGB image stays RGB
    const u = new SummaryWriter(path.join(dir, 'u8'));
    const px = torch.tensor([[[0, 200, 255]], [[1, 2, 3]], [[7, 8, 9]]], { dtype: 'uint8' });
    u.addImage('b', px, 0);
    u.close();
    const b2 = readRecords(u.eventFiles().length ? u.eventFiles()[0] : path.join(dir, 'u8', fs.readdirSync(path.join(dir, 'u8'))[0]))[1];
    const img2 = vision.io.decodePng(new Uint8Array(b2.subarray(b2.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47])))));
    expect(img2.tolist()).toEqual(px.tolist());
  });
});

// ---------------------------------------------------------------------------------------------------------------
// examples/mnist.js --tensorboard
// ---------------------------------------------------------------------------------------------------------------
const haveExample = haveDist && fs.existsSync(path.join(path.dirname(DIST), 'vision', 'index.js'));
(haveExample ? test : test.skip)('examples/mnist.js --tensorboard logs loss, lr, accuracy, histograms, the misclassified grid, hparams', () => {
  const dir = tmp();
  const logdir = path.join(dir, 'tb');
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '..', 'examples', 'mnist.js'), '--train-size', '800', '--test-size', '300',
    '--epochs', '2', '--batch-size', '32', '--threads', '1', '--quiet', '--out', path.join(dir, 'out'), '--tensorboard', logdir], { encoding: 'utf8', timeout: 240000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'metrics.json'), 'utf8'));
  const runs = readLogdirTS(logdir);
  expect(Object.keys(runs).sort()).toEqual(['', 'accuracy_test', 'accuracy_train', 'hparams']);
  const byTag = new Map<string, { step: number; v: { [k: string]: Json } }[]>();
  for (const e of runs[''][0].events) {
    for (const v of ((e.summary as { value: { [k: string]: Json }[] } | undefined)?.value ?? [])) {
      const list = byTag.get(v.tag as string) ?? [];
      list.push({ step: (e.step as number) ?? 0, v });
      byTag.set(v.tag as string, list);
    }
  }
  const steps = 2 * 25; // 800 / 32 per epoch
  expect(byTag.get('train/loss')!.map((x) => x.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
  for (const x of byTag.get('train/loss')!) expect(Number.isFinite(x.v.simple_value)).toBe(true);
  const lr = byTag.get('train/lr')!.map((x) => x.v.simple_value as number);
  expect(lr.length).toBe(steps);
  expect(Math.max(...lr)).toBeCloseTo(0.01, 4); // OneCycleLR's peak, then down
  expect(lr[steps - 1]).toBeLessThan(lr[steps / 2]);
  const acc = byTag.get('test/accuracy')!;
  expect(acc.map((x) => x.step)).toEqual([25, 50]);
  expect(acc[1].v.simple_value).toBeCloseTo(metrics.testAccuracy, 6);
  expect(byTag.get('weights/9.weight')!.length).toBe(2);
  const img = byTag.get('test/misclassified')![1].v.image as { encoded_image_string: { width: number; height: number } };
  const nWrong = metrics.misclassified as number;
  const shown = Math.min(nWrong, 64), cols = Math.min(shown, 8);
  expect(img.encoded_image_string.width).toBe(cols * 30 + 2);
  expect(img.encoded_image_string.height).toBe(Math.ceil(shown / cols) * 30 + 2);
  const hp = runs.hparams[0].events.map((e) => (e.summary as { value: { tag: string }[] } | undefined)?.value[0].tag).filter(Boolean);
  expect(hp).toEqual(['_hparams_/experiment', '_hparams_/session_start_info', '_hparams_/session_end_info', 'hparam/test_accuracy', 'hparam/train_loss']);
  fs.rmSync(dir, { recursive: true, force: true });
});
