// torch_zip.ts - reading PyTorch's torch.save files (the zip format, default since PyTorch 1.6):
//   <archive>/data.pkl      the pickled object; tensors are _rebuild_tensor_v2(storage, offset, size, stride, ...)
//                           calls whose storage is a persistent id ('storage', torch.FloatStorage, key, location, numel)
//   <archive>/data/<key>    each storage's raw bytes (little-endian unless <archive>/byteorder says 'big')
//   <archive>/version       the format version
// through the restricted unpickler (pickle.ts). Storages are read once and shared by the tensors that view them;
// tensors are rebuilt with their storage offset and strides (as_strided), then dicts become plain objects in their
// saved key order (a Map where keys are not all strings/numbers), tuples and lists arrays, None null.
import { Tensor } from '../tensor';
import { DType, ITEMSIZE } from '../dtype';
import { TorchError } from '../errors';
import { asStrided } from '../ops/shape';
import { ZipReader } from './zip';
import { unpickle, PyDict, PyGlobal, typeName } from './pickle';
import { tensorFromBytes, placeStorage, swapBytes, corrupt, LoadOptions, setKey, checkRank } from './common';

const STORAGE_DTYPES: Record<string, DType> = {
  'torch.FloatStorage': 'float32', 'torch.DoubleStorage': 'float64', 'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16', 'torch.LongStorage': 'int64', 'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16', 'torch.CharStorage': 'int8', 'torch.ByteStorage': 'uint8', 'torch.BoolStorage': 'bool',
};
const DTYPE_CONSTANTS: Record<string, DType> = {
  'torch.float32': 'float32', 'torch.float': 'float32', 'torch.float64': 'float64', 'torch.double': 'float64',
  'torch.float16': 'float16', 'torch.half': 'float16', 'torch.bfloat16': 'bfloat16', 'torch.int64': 'int64',
  'torch.long': 'int64', 'torch.int32': 'int32', 'torch.int': 'int32', 'torch.int16': 'int16', 'torch.short': 'int16',
  'torch.int8': 'int8', 'torch.uint8': 'uint8', 'torch.bool': 'bool',
};

class StorageRef { constructor(readonly tensor: Tensor, readonly dtype: DType) {} }

export function decodeTorchZip(buf: Buffer, file: string, opts: LoadOptions): unknown {
  const zip = new ZipReader(buf, file);
  const names = zip.names();
  const pkl = names.find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pkl) {
    if (names.some((n) => n.endsWith('/constants.pkl') || n.includes('/code/'))) {
      throw new TorchError(`torch.load: '${file}' is a TorchScript archive (torch.jit.save); nodetorch reads torch.save checkpoints only`);
    }
    throw new TorchError(`torch.load: '${file}' is a zip file but not a PyTorch checkpoint (it has no data.pkl; entries: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`);
  }
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  if (names.some((n) => n === `${prefix}constants.pkl`)) {
    throw new TorchError(`torch.load: '${file}' is a TorchScript archive (torch.jit.save); nodetorch reads torch.save checkpoints only`);
  }
  let bigEndian = false;
  if (zip.has(`${prefix}byteorder`)) {
    const bo = zip.read(`${prefix}byteorder`).toString('utf8').trim();
    if (bo !== 'little' && bo !== 'big') throw corrupt(file, `unknown byteorder '${bo}'`);
    bigEndian = bo === 'big';
  }
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw corrupt(file, `unexpected persistent id ${describePid(pid)}`);
    const [, type, key, location, numel] = pid as [string, unknown, unknown, unknown, unknown];
    if (!(type instanceof PyGlobal)) throw corrupt(file, `storage type is a ${typeName(type)}, not a torch storage class`);
    const dtype = STORAGE_DTYPES[type.name];
    if (!dtype) throw new TorchError(`torch.load: '${file}': storages of type ${type.name} are not supported`);
    if (typeof key !== 'string') throw corrupt(file, `storage key is a ${typeName(key)}`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw corrupt(file, `storage '${key}' has an invalid size ${String(numel)}`);
    const loc = typeof location === 'string' ? location : 'cpu';
    const cached = storages.get(key);
    if (cached) return cached;
    const name = `${prefix}data/${key}`;
    if (!zip.has(name)) throw corrupt(file, `storage '${key}' is missing (no entry ${name})`);
    let bytes: Uint8Array = zip.read(name);
    const need = numel * ITEMSIZE[dtype];
    if (bytes.byteLength < need) throw corrupt(file, `storage '${key}' has ${bytes.byteLength} bytes, ${need} expected for ${numel} ${dtype} elements`);
    bytes = bytes.subarray(0, need);
    if (bigEndian && ITEMSIZE[dtype] > 1) { bytes = Uint8Array.prototype.slice.call(bytes); swapBytes(bytes, ITEMSIZE[dtype]); }
    const base = placeStorage(tensorFromBytes(bytes, dtype, [numel], `torch.load: '${file}': storage '${key}'`), loc, opts.mapLocation);
    const ref = new StorageRef(base, dtype);
    storages.set(key, ref);
    return ref;
  };
  const ints = (x: unknown, what: string): number[] => {
    if (!Array.isArray(x) || !x.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) throw corrupt(file, `tensor ${what} is not a tuple of integers`);
    return x as number[];
  };
  const rebuild = (args: unknown[]): Tensor => {
    const [st, offset, size, stride, requiresGrad] = args;
    if (!(st instanceof StorageRef)) throw corrupt(file, `a tensor's storage is a ${typeName(st)}`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw corrupt(file, `invalid storage offset ${String(offset)}`);
    const shape = ints(size, 'size'), strides = ints(stride, 'stride');
    checkRank(shape, `torch.load: '${file}'`);
    if (shape.length !== strides.length) throw corrupt(file, `tensor size [${shape}] and stride [${strides}] differ in length`);
    let t: Tensor;
    try { t = asStrided(st.tensor, shape, strides, offset); } catch (e) { throw corrupt(file, `a tensor does not fit its storage: ${(e as Error).message}`); }
    if (requiresGrad === true && t.isFloatingPoint()) t.requiresGrad_(true);
    return t;
  };
  const toTensorArg = (x: unknown, what: string): Tensor => {
    if (!(x instanceof Tensor)) throw corrupt(file, `${what}: expected a tensor, got a ${typeName(x)}`);
    return x;
  };
  const obj = unpickle(zip.read(pkl), {
    globals: {
      'collections.OrderedDict': (args) => {
        const d = new PyDict(true);
        const items = args[0];
        if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) d.map.set(kv[0], kv[1]);
        return d;
      },
      'torch._utils._rebuild_tensor_v2': rebuild,
      'torch._utils._rebuild_tensor': rebuild,
      'torch._utils._rebuild_parameter': (args) => {
        const t = toTensorArg(args[0], '_rebuild_parameter');
        if (args[1] === true && t.isFloatingPoint()) t.requiresGrad_(true);
        return t;
      },
      'torch._utils._rebuild_parameter_with_state': (args) => {
        const t = toTensorArg(args[0], '_rebuild_parameter_with_state');
        if (args[1] === true && t.isFloatingPoint()) t.requiresGrad_(true);
        return t;
      },
      'torch.device': (args) => {
        const [type, index] = args;
        if (typeof type !== 'string') throw corrupt(file, 'torch.device() needs a string');
        return index === undefined || index === null ? type : `${type}:${String(index)}`;
      },
      'torch.Size': (args) => (Array.isArray(args[0]) ? (args[0] as unknown[]).slice() : []),
      ...Object.fromEntries(Object.keys(STORAGE_DTYPES).map((k) => [k, null])),
    },
    constants: DTYPE_CONSTANTS,
    persistentLoad,
  }, `'${file}' (${pkl})`);
  return toJS(obj);
}

function describePid(p: unknown): string {
  if (Array.isArray(p)) return `(${p.map((x) => (typeof x === 'string' ? `'${x}'` : typeName(x))).join(', ')})`;
  return typeName(p);
}

/** PyDict -> plain object (or Map when a key is not a string/number); tuples/lists stay arrays. */
export function toJS(x: unknown, seen = new Map<unknown, unknown>()): unknown {
  if (x === null || typeof x !== 'object' || x instanceof Tensor) return x;
  if (x instanceof StorageRef) return x.tensor;
  if (x instanceof PyGlobal) return x.name;
  if (seen.has(x)) return seen.get(x);
  if (Array.isArray(x)) {
    const out: unknown[] = [];
    seen.set(x, out);
    for (const v of x) out.push(toJS(v, seen));
    return out;
  }
  if (x instanceof PyDict) {
    const plain = [...x.map.keys()].every((k) => typeof k === 'string' || typeof k === 'number');
    if (plain) {
      const out: Record<string, unknown> = {};
      seen.set(x, out);
      for (const [k, v] of x.map) setKey(out, String(k), toJS(v, seen));
      if (x.attrs) Object.defineProperty(out, '_metadata', { value: toJS(x.attrs._metadata ?? null, seen), enumerable: false, writable: true, configurable: true });
      return out;
    }
    const m = new Map<unknown, unknown>();
    seen.set(x, m);
    for (const [k, v] of x.map) m.set(toJS(k, seen), toJS(v, seen));
    return m;
  }
  return x;
}
