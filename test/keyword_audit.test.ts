// keyword_audit.test.ts - every PyTorch keyword argument of every public nodetorch op is accepted by its camelCase
// name (issue 11), checked against PyTorch 1.13's own signatures: test/ref/torch_signatures.json, written by
// scripts/schema/torch_signatures.py from the aten schemas and inspect.signature, for each torch.* function, Tensor
// method and torch.nn.functional function nodetorch exports.
//
// For each overload and each parameter p (position i), the op is called twice with the same sample values: with
// parameters 0..i given positionally (the reference), and with 0..i-1 positionally and p (with any later required
// parameter) in the options object. The keyword call must give the reference's result (values, shapes, dtypes), or
// the reference's very error (an op reached with the same values refuses them the same way; allowed only for the
// overloads of NOT_IMPLEMENTED). A keyword-only parameter has no positional reference: it is given in the options
// object, and its call must succeed (and equal the call without it where the sample is the default's value).
// Sample values come from the parameter's schema type and name (Tensor -> a small float tensor, int dim -> 0, int[]
// size -> a valid shape, bool -> true, ...), with a table of per-op inputs (OVERRIDES) for ops that need them.
// Samples differ from the defaults where they can (bool -> not its default, alpha 2, dtype float64), so that a value
// an op ignored shows; KW_AUDIT_INERT=file lists the parameters whose sample changed nothing, for a reader to check.
// KW_AUDIT_OUT=prefix writes each kind's failures to prefix.<kind>.txt.
// out=: every torch.* overload whose aten schema has an out form is called with { out } (auditOut) and must return
// out holding the call's result; the forms PyTorch 1.13's Python functions refuse are OUT_GAPS (and must be refused).
// What is not audited is listed explicitly, each with a reason: parameters of features nodetorch has no counterpart
// for (INTERNAL: serialization's pickle options, F.softmax's _stacklevel), forms nodetorch lacks (NOT_IMPLEMENTED),
// forms PyTorch's runtime takes by keyword only although its signature lists them (POSITIONAL_GAPS: as_tensor's), and
// names that are not ops or have no PyTorch counterpart (NOT_OPS, UNMATCHED). The creation ops' layout/pin_memory,
// gather's sparse_grad, expand's implicit, non_blocking and out are audited like any other keyword; the last section
// checks their values (and the deprecated add/sub and norm's positional forms) against test/ref/keyword_rest.json.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { expectTensor } from './helpers';

type T = torch.Tensor;
type Kind = 'functions' | 'methods' | 'functional' | 'linalg';
interface Param { name: string; type: string; kw: boolean; default?: string; binding?: true }
interface Overload { overload: string; params: Param[]; out?: true }
interface Entry { py: string; source: string; overloads: Overload[] }
type Ref = Record<Kind, Record<string, Entry>> & { torch: string; unmatched: Record<Kind, string[]> };
const REF: Ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/torch_signatures.json'), 'utf8'));
const F = torch.nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;
const TORCH = torch as unknown as Record<string, (...a: unknown[]) => unknown>;
const LINALG = torch.linalg as unknown as Record<string, (...a: unknown[]) => unknown>;
const PREFIX: Record<Kind, string> = { functions: 'torch', methods: 'Tensor', functional: 'F', linalg: 'linalg' };

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// ---- what is not audited, and why --------------------------------------------------------------------------------
/** PyTorch parameters of features nodetorch has no counterpart for; never passed. */
const INTERNAL: Record<string, string> = {
  _use_new_zipfile_serialization: 'one file format',
  pickle_module: 'no pickle: nodetorch writes its own format',
  pickle_protocol: 'no pickle: nodetorch writes its own format',
  map_location: 'tensors load to the CPU; move them with .to()',
  weights_only: 'nodetorch files hold tensors and plain data only',
  _stacklevel: "F.softmax's Python warning-stack depth",
};
/** Ops (kind:py) or overloads (kind:py.overload) or parameters (kind:py:param) nodetorch lacks, with the reason. */
const NOT_IMPLEMENTED: Record<string, string> = {
  'functions:as_tensor:device': "as_tensor's dtype and device are keyword-only (PyTorch 1.13's runtime too): the audit's call with dtype positional is refused, as PyTorch's",
  'functions:chain_matmul:out': 'varargs matrices, which the audit has no sample for (chain_matmul(a, b, c, { out }) is tested in test/ops_shape_more.test.ts)',
  'functions:meshgrid:indexing': 'keyword-only after varargs tensors, which the audit has no sample for (meshgrid(a, b, { indexing }) is replayed against PyTorch in test/sweep_shape.test.ts)',
  'functions:eq.Tensor_list': 'TorchScript list form', 'functions:ne.Tensor_list': 'TorchScript list form',
  // torch.linalg: PyTorch 1.13's deprecated tolerance forms and the CUDA-only solver choice
  'linalg:matrix_rank.': "the deprecated tol= form (linalg.matrix_rank(A, tol)): atol/rtol (keyword-only) instead",
  'linalg:matrix_rank.tol_tensor': 'the deprecated tol= form, and tolerances are numbers (not tensors)',
  'linalg:matrix_rank.atol_rtol_tensor': 'tolerances are numbers (not tensors): the atol_rtol_float overload',
  'linalg:pinv.': "the deprecated rcond= form (linalg.pinv(A, rcond)): atol/rtol (keyword-only) instead; torch.pinverse(A, rcond) has it",
  'linalg:pinv.rcond_tensor': 'the deprecated rcond= form, and tolerances are numbers (not tensors)',
  'linalg:pinv.atol_rtol_tensor': 'tolerances are numbers (not tensors): the atol_rtol_float overload',
  'linalg:svd:driver': 'driver= chooses a cuSOLVER algorithm: PyTorch takes it for CUDA inputs only, nodetorch has no CUDA linalg',
  'linalg:svdvals:driver': 'driver= chooses a cuSOLVER algorithm: PyTorch takes it for CUDA inputs only, nodetorch has no CUDA linalg',
};
/** Forms PyTorch's signature lists positionally but its runtime takes by keyword only (nodetorch as its runtime: the
 *  positional reference call fails in both, the keyword form is what this test checks). No nodetorch gap is left. */
const POSITIONAL_GAPS: Record<string, string> = {
  'functions:as_tensor:dtype': "PyTorch 1.13 itself takes it by keyword only (as_tensor(data, torch.float64) is a TypeError: 'takes 1 positional argument')",
  'functions:as_tensor:device': 'as dtype',
};
/** torch.* overloads whose aten schema has an out= form (the reference's `out: true`) but whose PyTorch 1.13 Python
 *  function refuses out= (each checked with /usr/bin/python3: "unexpected keyword argument 'out'" or "invalid
 *  combination of arguments"); nodetorch refuses it too. The out= audit skips them; the rest must take out=. */
const PY = "PyTorch 1.13's Python function refuses out= (TypeError)";
const OUT_GAPS: Record<string, string> = {
  'functions:argsort.stable': PY, 'functions:as_strided_scatter': PY, 'functions:bernoulli.p': PY, 'functions:bernoulli.Tensor': PY,
  'functions:clone': PY, 'functions:count_nonzero': PY, 'functions:flip': PY, 'functions:index_fill': PY, 'functions:index_put': PY,
  'functions:isinf': PY, 'functions:isnan': PY, 'functions:masked_fill': PY, 'functions:median': PY, 'functions:nanmedian': PY,
  'functions:put': PY, 'functions:roll': PY, 'functions:remainder.Scalar_Tensor': PY,
  'functions:empty_like': PY, 'functions:full_like': PY, 'functions:ones_like': PY, 'functions:zeros_like': PY,
  'functions:rand_like': PY, 'functions:randn_like': PY,
  'functions:dist': PY, 'functions:rsub.Tensor': PY, 'functions:rsub.Scalar': PY, 'functions:std_mean.correction': PY, 'functions:var_mean.correction': PY,
  'functions:relu': PY, 'functions:rot90': PY, 'functions:masked_scatter': PY, 'functions:diagonal_scatter': PY, 'functions:select_scatter': PY,
  'functions:slice_scatter': PY, 'functions:repeat_interleave.Tensor': PY, 'functions:tril_indices': PY, 'functions:triu_indices': PY,
  'functions:scalar_tensor': PY, 'functions:empty_strided': PY, 'functions:randint_like': PY, 'functions:randint_like.low_dtype': PY,
  'functions:hann_window': PY, 'functions:hann_window.periodic': PY, 'functions:hamming_window': PY, 'functions:hamming_window.periodic': PY,
  'functions:hamming_window.periodic_alpha': PY, 'functions:hamming_window.periodic_alpha_beta': PY, 'functions:blackman_window': PY,
  'functions:blackman_window.periodic': PY, 'functions:bartlett_window': PY, 'functions:bartlett_window.periodic': PY,
  'functions:kaiser_window': PY, 'functions:kaiser_window.periodic': PY, 'functions:kaiser_window.beta': PY,
  'functions:diag_embed': PY, 'functions:trace': PY, 'functions:bincount': PY, 'functions:searchsorted.Scalar': PY,
  'functions:bucketize.Scalar': PY,
};
/** Ops whose sample call fails the same way positionally and by keyword, by design: the keyword reached the op. */
const ERROR_PARITY: Record<string, string> = {
  'functions:clamp': 'clamp(input) with neither min nor max is an error in PyTorch too (the input-only call)',
  'functional:interpolate': 'interpolate(input) with neither size nor scale_factor is an error in PyTorch too (the input-only call)',
  'functions:clip': 'as clamp', 'functions:clamp_': 'as clamp', 'functions:clip_': 'as clamp', 'methods:clamp': 'as clamp', 'methods:clip': 'as clamp', 'methods:clamp_': 'as clamp', 'methods:clip_': 'as clamp',
};
/** Results compared by shape and dtype only (uninitialized memory). */
const SHAPE_ONLY = new Set(['empty', 'empty_like', 'empty_strided', 'new_empty']);
let current = '';
/** Public names that are not tensor ops: their parameters are not keyword-audited. */
const NOT_OPS: Record<string, string> = {
  'functions:save': 'serialization: save(obj, path) writes nodetorch files (no pickle, no file objects)',
  'functions:load': 'serialization: load(path)', 'functions:manual_seed': 'RNG state', 'functions:set_default_dtype': 'global setting',
  'functions:set_float32_matmul_precision': 'global setting', 'functions:set_printoptions': 'global setting (test/print.test.ts checks its options)', 'functions:is_tensor': 'a type test (instanceof)',
  'methods:record_stream': 'CUDA streams (tested in cuda_streams.test.ts)', 'methods:pin_memory': 'needs a CUDA build',
  'methods:numpy': 'no NumPy in JavaScript: toTypedArray()',
  'methods:register_hook': 'registers a hook: each call returns a new handle (its { hook } form is tested in ops_more.test.ts)', 'methods:cuda': 'needs a CUDA build (device= is tested in cuda tests)',
  'functions:get_rng_state': 'RNG state (tested in misc.test.ts)', 'functions:set_rng_state': 'RNG state (tested in misc.test.ts)',
  'functions:use_deterministic_algorithms': 'global setting (tested in misc.test.ts)',
  'functions:are_deterministic_algorithms_enabled': 'no arguments', 'functions:is_deterministic_algorithms_warn_only_enabled': 'no arguments',
};
/** nodetorch names with no PyTorch counterpart (PyTorch has them only as methods, or not at all). */
const ONLY_METHOD = 'a Tensor method in PyTorch; nodetorch also exports it as a function';
const NODETORCH = 'nodetorch API with no PyTorch counterpart (README)';
const UNMATCHED: Record<Kind, Record<string, string>> = {
  functions: {
    autocast: 'torch.autocast is a class (a context manager) in PyTorch', device: 'torch.device is a class in PyTorch',
    layout: 'torch.layout is a class in PyTorch (the type of torch.strided)',
    nonzeroTuple: 'internal helper exported by lib/ops/indexing.ts (torch.nonzero(x, { asTuple: true }))',
    canCast: 'torch.can_cast(from_, to): a function of dtypes', promoteTypes: 'torch.promote_types: a function of dtypes',
    getDefaultDtype: 'no tensor arguments', clearAutocastCache: 'no arguments', getAutocastDtype: 'torch.get_autocast_gpu_dtype',
    isAutocastEnabled: 'no tensor arguments', isGradEnabled: 'no arguments', isInferenceModeEnabled: 'no arguments',
    setGradEnabled: 'torch.set_grad_enabled is a class in PyTorch', enableGrad: 'a class (context manager) in PyTorch',
    noGrad: 'a class (context manager) in PyTorch', inferenceMode: 'a class (context manager) in PyTorch',
    getNumThreads: 'no arguments', getPrintoptions: 'torch.get_printoptions: PyTorch 2.x API (not in 1.13)', setNumThreads: 'torch.set_num_threads(int)', summary: NODETORCH, config: NODETORCH,
    dispose: NODETORCH, keep: NODETORCH, tidy: NODETORCH, memory: NODETORCH, loadAsync: NODETORCH, saveAsync: NODETORCH,
    expand: ONLY_METHOD, expandAs: ONLY_METHOD, repeat: ONLY_METHOD, view: ONLY_METHOD, slice: 'nodetorch: x[..., a:b] as a function',
    indexAdd_: ONLY_METHOD, indexCopy_: ONLY_METHOD, indexFill_: ONLY_METHOD, maskedFill_: ONLY_METHOD, put_: ONLY_METHOD,
    scatterAdd_: ONLY_METHOD, scatter_: ONLY_METHOD,
    broadcastShapesList: 'internal helper exported by lib/ops/shape.ts (torch.broadcast_shapes takes varargs)',
    contiguousCheck: 'internal helper exported by lib/ops/shape.ts', scatterBackward: 'internal helper exported by lib/ops/reduce.ts',
    finfo: 'torch.finfo is a class (of a dtype) in PyTorch', iinfo: 'torch.iinfo is a class (of a dtype) in PyTorch',
    nonzeroTuple: "internal helper exported by lib/ops/indexing.ts (torch.nonzero(x, { asTuple: true }))",
    isAnomalyEnabled: 'no arguments (torch.is_anomaly_enabled is a C builtin without a signature)',
    isAnomalyCheckNanEnabled: 'PyTorch 2.x API (torch.is_anomaly_check_nan_enabled, not in 1.13)',
  },
  methods: {
    dataSync: NODETORCH, dispose: NODETORCH, toTypedArray: NODETORCH, toJSON: 'JavaScript protocol', toString: 'JavaScript protocol',
    index: "nodetorch's x[...] (PyTorch's __getitem__)", slice: "nodetorch's x[..., a:b]",
    registerPostAccumulateGradHook: 'PyTorch 2.1 API (not in 1.13)',
    newTensor: 'Tensor.new_tensor is hand-written C++ in PyTorch (no aten schema): new_tensor(data, *, dtype, device, requires_grad), tested in ops_more.test.ts',
  },
  linalg: {},
  functional: {
    logsigmoid: 'F.logsigmoid is torch._C._nn.log_sigmoid: no aten schema by that name', scaledDotProductAttention: 'PyTorch 2.0 API (not in 1.13)',
    lpPool3d: 'PyTorch 2.0 API (not in 1.13)',
  },
};

// ---- sample values -------------------------------------------------------------------------------------------------
const X = (): T => torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]], { dtype: 'float32' });
const Y = (): T => torch.tensor([[1.0, 2.0, -0.5], [0.25, 4.0, 1.5]], { dtype: 'float32' });
const X3 = (): T => torch.arange(12, { dtype: 'float32' }).reshape([1, 2, 6]).sub(5).div(3);
const X4 = (): T => torch.arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]).sub(7).div(3);
const NANS = (): T => torch.tensor([[NaN, Infinity, -Infinity], [1.5, NaN, 2]], { dtype: 'float32' });
const XI = (): T => torch.tensor([[5, 3, 6], [2, 7, 12]]);
const YI = (): T => torch.tensor([[3, 1, 4], [6, 5, 10]]);
const IDX = (): T => torch.tensor([[0, 1, 0], [1, 0, 1]]);
const MASK = (): T => torch.tensor([[true, false, true], [false, true, false]]);

type Sample = () => unknown;
interface Override { self?: Sample; p?: Record<string, Sample>; pre?: () => void }
/** per-op inputs: keyed 'torch.name', 'Tensor.name', 'F.name' or 'name' (both torch.name and Tensor.name) */
const t = (v: unknown, dtype?: string) => (): T => torch.tensor(v as number[], dtype ? { dtype: dtype as 'float32' } : undefined);
const VEC_I = t([1, 0]);
const OVERRIDES: Record<string, Override> = {
  // torch.linalg (keys 'linalg.name'): square, well-conditioned (and for cholesky, positive-definite) matrices
  ...Object.fromEntries(['det', 'slogdet', 'inv', 'matrix_exp', 'eigvalsh', 'eigh', 'cholesky', 'svdvals', 'qr', 'svd', 'pinv', 'matrix_rank',
    'matrix_power', 'vector_norm', 'norm'].map((n) => [`linalg.${n}`, { p: {
    A: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }),
    n: () => 3, mode: () => 'complete', UPLO: () => 'U', full_matrices: () => false, hermitian: () => true, atol: () => 0.5, rtol: () => 0.1,
    ord: () => 1, 'ord:str': () => 'nuc', 'ord:Scalar': () => 1, dim: () => [0, 1], keepdim: () => true, dtype: () => 'float64',
  } }])),
  'linalg.matrix_norm': { p: { input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), 'ord:Scalar': () => -1, 'ord:str': () => 'nuc', dim: () => [1, 0], keepdim: () => true, dtype: () => 'float64' } },
  'linalg.solve': { p: { A: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), B: () => torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), left: () => false } },
  'linalg.solve_triangular': { p: { input: () => torch.tensor([[2, 1], [0.5, 3]], { dtype: 'float32' }), B: () => torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }),
    upper: () => true, left: () => false, unitriangular: () => true } },
  'linalg.lstsq': { p: { driver: () => 'gelsd', input: () => torch.tensor([[2, 1], [1, 3], [0, 1]], { dtype: 'float32' }), b: () => torch.tensor([[1], [2], [3]], { dtype: 'float32' }), rcond: () => 0.5 } },
  'linalg.cross': { p: { input: () => torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 10]], { dtype: 'float32' }), other: () => torch.tensor([[3, 1, 2], [0, 1, 0], [1, 1, 1]], { dtype: 'float32' }), dim: () => 0 } },
  'linalg.vecdot': { p: { x: () => torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), y: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), dim: () => 0 } },
  'linalg.multi_dot': { p: { tensors: () => [torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' })] } },
  'linalg.diagonal': { p: { A: () => torch.arange(8, { dtype: 'float32' }).reshape([2, 2, 2]), offset: () => 1, dim1: () => 0, dim2: () => 2 } },
  // torch.det / logdet / inverse / pinverse / matrix_power / cholesky_solve (the linalg rows): square, invertible inputs
  det: { self: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), p: { input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }) } },
  logdet: { self: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), p: { input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }) } },
  inverse: { self: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), p: { input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }) } },
  matrix_power: { self: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), p: { input: () => torch.tensor([[2, 1], [1, 3]], { dtype: 'float32' }), n: () => 3 } },
  cholesky_solve: { self: () => torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), p: { input: () => torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), input2: () => torch.tensor([[2, 0], [1, 3]], { dtype: 'float32' }) } },
  addmm: { self: t([[1, 2], [3, 4]], 'float32'), p: { input: t([[1, 2], [3, 4]], 'float32'), mat1: X, mat2: () => Y().t() } },
  addmv: { self: t([1, 2], 'float32'), p: { input: t([1, 2], 'float32'), mat: X, vec: t([1, 2, 3], 'float32') } },
  baddbmm: { self: () => torch.ones([1, 2, 2]), p: { input: () => torch.ones([1, 2, 2]), batch1: () => X().unsqueeze(0), batch2: () => Y().t().unsqueeze(0) } },
  addmm_: { self: t([[1, 2], [3, 4]], 'float32'), p: { mat1: X, mat2: () => Y().t() } },
  addmv_: { self: t([1, 2], 'float32'), p: { mat: X, vec: t([1, 2, 3], 'float32') } },
  baddbmm_: { self: () => torch.ones([1, 2, 2]), p: { batch1: () => X().unsqueeze(0), batch2: () => Y().t().unsqueeze(0) } },
  bmm: { self: () => X().unsqueeze(0), p: { input: () => X().unsqueeze(0), mat2: () => Y().t().unsqueeze(0) } },
  mm: { p: { mat2: () => Y().t() } },
  matmul: { p: { other: () => Y().t() } },
  mv: { p: { vec: t([1, 2, 3], 'float32') } },
  dot: { self: t([1, 2, 3], 'float32'), p: { input: t([1, 2, 3], 'float32'), tensor: t([3, 2, 1], 'float32') } },
  ger: { self: t([1, 2], 'float32'), p: { input: t([1, 2], 'float32'), vec2: t([1, 2, 3], 'float32') } },
  outer: { self: t([1, 2], 'float32'), p: { input: t([1, 2], 'float32'), vec2: t([1, 2, 3], 'float32') } },
  bitwise_and: { self: XI, p: { input: XI, 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_or: { self: XI, p: { input: XI, 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_xor: { self: XI, p: { input: XI, 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_and_: { self: XI, p: { 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_or_: { self: XI, p: { 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_xor_: { self: XI, p: { 'other:Tensor': YI, 'other:Scalar': () => 3 } },
  bitwise_not: { self: XI, p: { input: XI } },
  bitwise_not_: { self: XI },
  clamp: { p: { 'min:Scalar': () => 0, 'max:Scalar': () => 1, 'min:Tensor': () => torch.zeros([2, 3]), 'max:Tensor': () => torch.ones([2, 3]) } },
  diagonal: { p: { dim1: () => 0, dim2: () => 1 } },
  roll: { p: { shifts: () => [1], dims: () => [0] } },
  unflatten: { p: { dim: () => 0, sizes: () => [2, 1] } },
  index_add: { p: { index: VEC_I } }, index_add_: { p: { index: VEC_I } },
  index_copy: { p: { index: VEC_I } }, index_copy_: { p: { index: VEC_I } },
  index_fill: { p: { index: VEC_I, 'value:Tensor': () => torch.tensor(1.5) } }, index_fill_: { p: { index: VEC_I, 'value:Tensor': () => torch.tensor(1.5) } },
  index_select: { p: { index: VEC_I } },
  index_put: { p: { indices: () => [VEC_I()], values: Y } }, index_put_: { p: { indices: () => [VEC_I()], values: Y } },
  masked_fill: { p: { 'value:Tensor': () => torch.tensor(1.5) } }, masked_fill_: { p: { 'value:Tensor': () => torch.tensor(1.5) } },
  fill_: { p: { 'value:Tensor': () => torch.tensor(1.5) } },
  randint: { p: { low: () => 0, high: () => 5, requires_grad: () => false } },  // (an integer result cannot require grad)
  normal: { p: { 'std:Tensor': () => torch.ones([2, 3]).mul(0.5) } },  // (std >= 0)
  arange: { p: { requires_grad: () => false } }, full: { p: { requires_grad: () => false } }, randperm: { p: { requires_grad: () => false } },
  'Tensor.view': { p: { dtype: () => 'int32' } },
  split: { p: { tensor: X, split_size_or_sections: () => 1, split_size: () => 1, dim: () => 0 } },
  tensor: { p: { data: () => [[1.5, 2], [3, 4]] } },
  as_tensor: { p: { data: () => [[1, 2], [3, 4]] } },
  frombuffer: { p: { buffer: () => new Float32Array([1, 2, 3, 4]).buffer, count: () => -1, offset: () => 0, dtype: () => 'float32' } },
  tensor_split: { p: { tensor_indices_or_sections: () => torch.tensor([1]), indices: () => [1, 2] } },
  as_strided_scatter: { p: { size: () => [2, 2], stride: () => [3, 1], src: () => torch.ones([2, 2]), storage_offset: () => 0 } },
  norm: { p: { input: X, p: () => 2, dim: () => 1, keepdim: () => false, dtype: () => 'float32' } },
  backward: { self: () => torch.tensor([1.5, 2.5], { requiresGrad: true }).mul(2).sum(), p: { gradient: () => null, retain_graph: () => false, create_graph: () => false, inputs: () => undefined } },
  unique: { p: { sorted: () => true, return_inverse: () => false, return_counts: () => false, dim: () => null } },
  where: { self: X, p: { 'input:Scalar': () => 2, 'other:Scalar': () => 3 } },
  nan_to_num: { self: NANS, p: { input: NANS, nan: () => 7, posinf: () => 8, neginf: () => -9 } },
  nan_to_num_: { self: NANS, p: { nan: () => 7, posinf: () => 8, neginf: () => -9 } },
  isclose: { p: { rtol: () => 0.5, atol: () => 1, equal_nan: () => true } }, allclose: { p: { rtol: () => 10, atol: () => 10, equal_nan: () => true } },
  narrow: { p: { 'start:Tensor': () => torch.tensor(0) } },
  // ---- shape, indexing and linear-algebra-lite ops (lib/ops/shape_more.ts)
  cross: { self: () => torch.eye(3).add(1), p: { input: () => torch.eye(3).add(1), other: () => torch.eye(3).flip(0) } },
  vdot: { self: t([1, 2, 3], 'float32'), p: { input: t([1, 2, 3], 'float32'), other: t([3, 2, 1], 'float32') } },
  tensordot: { p: { a: X, b: Y, dims: () => [[1], [1]] } },
  take_along_dim: { p: { indices: IDX } },
  tril_indices: { p: { dtype: () => 'int32', requires_grad: () => false } }, triu_indices: { p: { dtype: () => 'int32', requires_grad: () => false } },
  diagonal_copy: { p: { dim1: () => 0, dim2: () => 1 } },
  diagonal_scatter: { p: { src: t([1, 2], 'float32'), dim1: () => 0, dim2: () => 1 } },
  select_scatter: { p: { src: t([1, 2, 3], 'float32') } },
  dsplit: { self: X3, p: { input: X3 } },
  split_with_sizes: { p: { split_sizes: () => [1, 1] } }, split_with_sizes_copy: { p: { split_sizes: () => [1, 1] } },
  // (one sample serves the three overloads: six ones repeat each of the 6x1 input's rows, or elements, once)
  repeat_interleave: { self: () => X().reshape([6, 1]), p: { input: () => X().reshape([6, 1]), 'repeats:Tensor': () => torch.ones([6], { dtype: 'int64' }), output_size: () => 6 } },
  scatter_reduce: { p: { reduce: () => 'amax' } }, scatter_reduce_: { p: { reduce: () => 'amax' } },
  index_reduce: { p: { index: VEC_I, reduce: () => 'amax' } }, index_reduce_: { p: { index: VEC_I, reduce: () => 'amax' } },
  multinomial: { self: () => X().abs(), p: { input: () => X().abs(), replacement: () => true } },
  vander: { p: { x: t([1, 2, 3], 'float32') } },
  histogram: { p: { 'bins:Tensor': t([-2, 0, 1, 3], 'float32'), bins: () => 3, range: () => [-1, 2], weight: () => X().abs() } },
  isin: { p: { elements: XI, test_elements: YI, test_element: () => 3, element: () => 3 } },
  randint_like: { p: { low: () => 0, high: () => 5 } },
  asarray: { p: { obj: () => [[1.5, 2], [3, 4]], copy: () => true } },
  empty_strided: { p: { size: () => [2, 3], stride: () => [1, 2] } },
  view_copy: { p: { dtype: () => 'int32' } },
  // (opsA's ops: shapes they accept, integer operands for gcd/lcm, one element for is_nonzero, a float64 self for
  // float_power_, a self that requires grad for register_hook)
  addmm_: { self: t([[1, 2], [3, 4]], 'float32'), p: { mat1: X, mat2: () => Y().t() } },
  addmv_: { self: t([1, 2], 'float32'), p: { input: t([1, 2], 'float32'), mat: X, vec: t([1, 2, 3], 'float32') } },
  baddbmm_: { self: () => torch.ones([1, 2, 2]), p: { batch1: () => X().unsqueeze(0), batch2: () => Y().t().unsqueeze(0) } },
  addbmm: { self: () => torch.ones([2, 2]), p: { input: () => torch.ones([2, 2]), batch1: () => torch.ones([3, 2, 4]), batch2: () => torch.ones([3, 4, 2]) } },
  addbmm_: { self: () => torch.ones([2, 2]), p: { batch1: () => torch.ones([3, 2, 4]), batch2: () => torch.ones([3, 4, 2]) } },
  addr: { self: () => torch.ones([2, 3]), p: { input: () => torch.ones([2, 3]), vec1: t([1, 2], 'float32'), vec2: t([1, 2, 3], 'float32') } },
  addr_: { self: () => torch.ones([2, 3]), p: { vec1: t([1, 2], 'float32'), vec2: t([1, 2, 3], 'float32') } },
  // the shape sweep's rows: 1-d sorted boundaries, non-negative integer counts, a 1-d input for combinations
  diag: { p: { diagonal: () => 1 } },
  diag_embed: { p: { offset: () => 1, dim1: () => 0, dim2: () => 2 } },
  diagflat: { p: { offset: () => 1 } },
  combinations: { p: { input: t([1, 2, 3]), r: () => 3 } },
  histc: { p: { bins: () => 4, min: () => -2, max: () => 3 } },
  bincount: { self: t([0, 2, 2, 1]), p: { input: t([0, 2, 2, 1]), weights: t([0.5, 1, 2, 0.25], 'float32'), minlength: () => 5 } },
  searchsorted: { p: { sorted_sequence: t([-1, 0, 1, 2], 'float32'), 'input:Tensor': X, 'input:Scalar': () => 0.7, side: () => 'right', sorter: t([0, 1, 2, 3]) } },
  bucketize: { p: { 'input:Tensor': X, 'input:Scalar': () => 0.7, boundaries: t([-1, 0, 1, 2], 'float32') } },
  'F.pdist': { p: { input: X, p: () => 1 } },
  cdist: { p: { x1: X, x2: Y, p: () => 1, compute_mode: () => 'donot_use_mm_for_euclid_dist' } },
  clamp_: { p: { 'min:Scalar': () => 0, 'max:Scalar': () => 1, 'min:Tensor': () => torch.zeros([2, 3]), 'max:Tensor': () => torch.ones([2, 3]) } },
  cov: { p: { fweights: () => torch.tensor([1, 2, 1]), aweights: t([0.5, 1, 2], 'float32') } },
  gcd: { self: XI, p: { input: XI, other: YI } }, gcd_: { self: XI, p: { input: XI, other: YI } },
  lcm: { self: XI, p: { input: XI, other: YI } }, lcm_: { self: XI, p: { input: XI, other: YI } },
  is_nonzero: { self: t([1.5], 'float32'), p: { input: t([1.5], 'float32') } },
  quantile: { p: { q: () => 0.25, 'q:Tensor': t([0.25, 0.5], 'float32'), 'q:float': () => 0.25, dim: () => 1, interpolation: () => 'lower' } },
  nanquantile: { p: { q: () => 0.25, 'q:Tensor': t([0.25, 0.5], 'float32'), 'q:float': () => 0.25, dim: () => 1, interpolation: () => 'lower' } },
  float_power_: { self: () => X().to('float64') },
  random_: { p: { from: () => 0, to: () => 5 } },
  // ---- torch.nn.functional
  'F.adaptive_avg_pool2d': { p: { input: () => X4(), output_size: () => 2 } },
  'F.adaptive_max_pool1d': { p: { input: () => X3(), output_size: () => 2 } },
  'F.adaptive_max_pool2d': { p: { input: () => X4(), output_size: () => 2 } },
  'F.adaptive_max_pool3d': { p: { input: () => X4().unsqueeze(0), output_size: () => 2 } },
  'F.avg_pool1d': { p: { input: () => X3(), kernel_size: () => [2], stride: () => [2], padding: () => [0] } },
  'F.avg_pool2d': { p: { input: () => X4(), kernel_size: () => [2, 2], stride: () => [2, 2], padding: () => [0, 0], divisor_override: () => 3 } },
  'F.max_pool1d': { p: { input: () => X3(), kernel_size: () => 2, stride: () => 2, padding: () => 0, dilation: () => 1 } },
  'F.max_pool2d': { p: { input: () => X4(), kernel_size: () => 2, stride: () => 2, padding: () => 0, dilation: () => 1 } },
  'F.max_pool3d': { p: { input: () => torch.arange(32, { dtype: 'float32' }).reshape([1, 1, 2, 4, 4]), kernel_size: () => 2, stride: () => 2, padding: () => 0, dilation: () => 1 } },
  'F.batch_norm': { p: { running_mean: () => torch.zeros([3]), running_var: () => torch.ones([3]), weight: () => torch.ones([3]).mul(2), bias: () => torch.ones([3]), momentum: () => 0.1, eps: () => 1e-5 } },
  'F.instance_norm': { p: { input: () => X3(), running_mean: () => null, running_var: () => null, weight: () => null, bias: () => null, use_input_stats: () => true, momentum: () => 0.1, eps: () => 1e-5 } },
  'F.layer_norm': { p: { normalized_shape: () => [3], weight: () => torch.ones([3]).mul(2), bias: () => torch.ones([3]), eps: () => 1e-5 } },
  'F.group_norm': { p: { input: () => X3(), num_groups: () => 1, weight: () => torch.ones([2]).mul(2), bias: () => torch.ones([2]), eps: () => 1e-5 } },
  'F.bilinear': { p: { input1: X, input2: () => torch.ones([2, 4]), weight: () => torch.ones([5, 3, 4]), bias: () => torch.ones([5]) } },
  'F.binary_cross_entropy': { p: { input: () => X().sigmoid(), target: () => Y().sigmoid(), weight: () => null, reduction: () => 'sum' } },
  'F.binary_cross_entropy_with_logits': { p: { target: () => Y().sigmoid(), weight: () => null, pos_weight: () => null, reduction: () => 'sum' } },
  'F.conv1d': { p: { input: () => X3(), weight: () => torch.ones([3, 2, 2]), bias: () => torch.ones([3]), stride: () => 1, 'padding': () => 0, 'padding:str': () => 'same', dilation: () => 1, groups: () => 1 } },
  'F.conv2d': { p: { input: () => X4().expand([1, 2, 4, 4]).contiguous(), weight: () => torch.ones([3, 2, 2, 2]), bias: () => torch.ones([3]), stride: () => 1, padding: () => 0, 'padding:str': () => 'same', dilation: () => 1, groups: () => 1 } },
  'F.conv_transpose1d': { p: { input: () => X4().reshape([1, 2, 8]), weight: () => torch.ones([2, 3, 2]), bias: () => torch.ones([3]), stride: () => 2, padding: () => 1, output_padding: () => 1, groups: () => 1, dilation: () => 2 } },
  'F.pixel_shuffle': { p: { input: () => X4().reshape([1, 4, 2, 2]), upscale_factor: () => 2 } },
  'F.pixel_unshuffle': { p: { input: () => X4(), downscale_factor: () => 2 } },
  'F.lp_pool1d': { p: { input: () => X4().reshape([1, 2, 8]).abs(), norm_type: () => 3, kernel_size: () => 2, stride: () => 1, ceil_mode: () => true } },
  'F.lp_pool2d': { p: { input: () => X4().abs(), norm_type: () => 3, kernel_size: () => 2, stride: () => 1, ceil_mode: () => true } },
  'F.local_response_norm': { p: { input: () => X4().reshape([1, 4, 2, 2]), size: () => 3, alpha: () => 0.5, beta: () => 0.5, k: () => 2 } },
  'F.interpolate': { p: { input: () => X4(), size: () => [6, 5], scale_factor: () => null, mode: () => 'bilinear', align_corners: () => true, recompute_scale_factor: () => false, antialias: () => false } },
  'F.gumbel_softmax': { p: { logits: X, tau: () => 0.5, hard: () => true, eps: () => 1e-10, dim: () => 0 } },
  'F.soft_margin_loss': { p: { target: () => torch.tensor([[1, -1, 1], [-1, 1, 1]], { dtype: 'float32' }), reduction: () => 'sum' } },
  'F.hinge_embedding_loss': { p: { target: () => torch.tensor([[1, -1, 1], [-1, 1, 1]], { dtype: 'float32' }), margin: () => 0.5, reduction: () => 'sum' } },
  'F.cosine_embedding_loss': { p: { input1: X, input2: Y, target: () => torch.tensor([1, -1], { dtype: 'float32' }), margin: () => 0.1, reduction: () => 'sum' } },
  'F.triplet_margin_loss': { p: { anchor: X, positive: Y, negative: () => X().flip(0), margin: () => 2, p: () => 1, eps: () => 1e-3, swap: () => true, reduction: () => 'sum' } },
  'F.multilabel_soft_margin_loss': { p: { target: () => torch.tensor([[1, 0, 1], [0, 1, 1]], { dtype: 'float32' }), weight: () => torch.tensor([1, 2, 0.5]), reduction: () => 'sum' } },
  'F.multi_margin_loss': { p: { target: () => torch.tensor([0, 2]), p: () => 2, margin: () => 0.5, weight: () => torch.tensor([1, 2, 0.5]), reduction: () => 'sum' } },
  'F.gaussian_nll_loss': { p: { target: Y, var: () => X().abs().add(0.1), full: () => true, eps: () => 1e-3, reduction: () => 'sum' } },
  'F.adaptive_avg_pool1d': { p: { input: () => X4().reshape([1, 2, 8]), output_size: () => 3 } },
  'F.conv_transpose2d': { p: { input: () => X4().expand([1, 2, 4, 4]).contiguous(), weight: () => torch.ones([2, 3, 2, 2]), bias: () => torch.ones([3]), stride: () => 1, padding: () => 0, output_padding: () => 0, groups: () => 1, dilation: () => 1 } },
  'F.conv3d': { p: { input: () => torch.arange(54, { dtype: 'float32' }).reshape([1, 2, 3, 3, 3]).sub(20).div(7), weight: () => torch.ones([3, 2, 2, 2, 2]), bias: () => torch.ones([3]), stride: () => 1, padding: () => 0, 'padding:str': () => 'same', dilation: () => 1, groups: () => 1 } },
  'F.conv_transpose3d': { p: { input: () => torch.arange(54, { dtype: 'float32' }).reshape([1, 2, 3, 3, 3]).sub(20).div(7), weight: () => torch.ones([2, 3, 2, 2, 2]), bias: () => torch.ones([3]), stride: () => 2, padding: () => 1, output_padding: () => 1, groups: () => 1, dilation: () => 1 } },
  'F.avg_pool3d': { p: { input: () => torch.arange(64, { dtype: 'float32' }).reshape([1, 1, 4, 4, 4]).sub(30).div(7), kernel_size: () => [2, 2, 2], stride: () => [1, 2, 1], padding: () => [1, 1, 1], divisor_override: () => 3 } },
  'F.adaptive_avg_pool3d': { p: { input: () => torch.arange(64, { dtype: 'float32' }).reshape([1, 1, 4, 4, 4]).sub(30).div(7), output_size: () => [2, 3, 1] } },
  'F.ctc_loss': { p: { log_probs: () => torch.arange(30, { dtype: 'float32' }).reshape([5, 2, 3]).div(7).sin().logSoftmax(2), targets: () => torch.tensor([[1, 2], [2, 2]]),
    input_lengths: () => torch.tensor([5, 4]), target_lengths: () => torch.tensor([2, 1]), blank: () => 0, reduction: () => 'sum', zero_infinity: () => true } },
  'F.multilabel_margin_loss': { p: { target: () => torch.tensor([[2, -1, 0], [1, 0, -1]]), reduction: () => 'sum' } },
  'F.triplet_margin_with_distance_loss': { p: { anchor: X, positive: Y, negative: () => X().flip(0), distance_function: () => (a: T, b: T) => a.sub(b).abs().sum(-1), margin: () => 2, swap: () => true, reduction: () => 'sum' } },
  'F.cosine_similarity': { p: { x1: X, x2: Y, dim: () => 1, eps: () => 1e-8 } },
  'F.pairwise_distance': { p: { x1: X, x2: Y, p: () => 2, eps: () => 1e-6, keepdim: () => false } },
  'F.cross_entropy': { p: { target: () => torch.tensor([0, 2]), weight: () => null, ignore_index: () => -100, reduction: () => 'sum', label_smoothing: () => 0.1 } },
  'F.nll_loss': { p: { input: () => X().logSoftmax(1), target: () => torch.tensor([0, 2]), weight: () => null, ignore_index: () => -100, reduction: () => 'sum' } },
  'F.embedding': { p: { input: () => torch.tensor([[0, 1], [2, 1]]), weight: () => Y().t().contiguous(), padding_idx: () => null, max_norm: () => null, norm_type: () => 2, scale_grad_by_freq: () => false, sparse: () => false } },
  'F.fold': { p: { input: () => torch.arange(16, { dtype: 'float32' }).reshape([1, 4, 4]), output_size: () => [3, 3], kernel_size: () => 2, dilation: () => 1, padding: () => 0, stride: () => 1 } },
  'F.unfold': { p: { input: () => X4(), kernel_size: () => 2, dilation: () => 1, padding: () => 0, stride: () => 1 } },
  'F.glu': { p: { dim: () => 0 } },
  'F.huber_loss': { p: { target: Y, reduction: () => 'sum', delta: () => 0.5 } },
  'F.l1_loss': { p: { target: Y, reduction: () => 'sum' } },
  'F.mse_loss': { p: { target: Y, reduction: () => 'sum' } },
  'F.smooth_l1_loss': { p: { target: Y, reduction: () => 'sum', beta: () => 0.5 } },
  'F.kl_div': { p: { input: () => X().logSoftmax(1), target: () => Y().softmax(1), reduction: () => 'sum', log_target: () => false } },
  'F.poisson_nll_loss': { p: { target: () => Y().abs(), log_input: () => true, full: () => false, eps: () => 1e-8, reduction: () => 'sum' } },
  'F.margin_ranking_loss': { p: { input1: t([1, 2, 3], 'float32'), input2: t([2, 2, 1], 'float32'), target: t([1, -1, 1], 'float32'), margin: () => 0.5, reduction: () => 'sum' } },
  'F.linear': { p: { weight: () => torch.ones([4, 3]), bias: () => torch.ones([4]) } },
  'F.normalize': { p: { p: () => 2, dim: () => 1, eps: () => 1e-12 } },
  'F.one_hot': { p: { input: () => torch.tensor([0, 2, 1]), num_classes: () => 3 } },
  'F.pad': { p: { pad: () => [1, 1], mode: () => 'constant', value: () => 0.5 } },
  'F.prelu': { p: { weight: () => torch.tensor([0.25]) } },
  'F.rrelu': { p: { lower: () => 0.125, upper: () => 0.25 } },
  'F.threshold': { p: { threshold: () => 0.1, value: () => 0 } },
  'F.hardshrink': { p: { lambd: () => 0.5 } }, 'F.softshrink': { p: { lambd: () => 0.5 } },
  'F.dropout': { p: { p: () => 0.5, training: () => true } }, 'F.dropout1d': { p: { input: () => X3(), p: () => 0.5, training: () => true } },
  'F.dropout2d': { p: { input: X4, p: () => 0.5, training: () => true } }, 'F.alpha_dropout': { p: { p: () => 0.5, training: () => true } },
  'F.dropout3d': { p: { input: () => X4().unsqueeze(0), p: () => 0.5, training: () => true, inplace: () => false } },
  'F.feature_alpha_dropout': { p: { input: X4, p: () => 0.5, training: () => true, inplace: () => false } },
  'F.embedding_bag': { p: { input: () => torch.tensor([[0, 1], [2, 1]]), weight: () => Y().t().contiguous(), offsets: () => null, max_norm: () => null, norm_type: () => 2,
    scale_grad_by_freq: () => false, mode: () => 'sum', sparse: () => false, per_sample_weights: () => null, include_last_offset: () => false, padding_idx: () => null } },
  'F.max_unpool1d': { p: { input: () => torch.tensor([[[2.0, 4.0]]], { dtype: 'float32' }), indices: () => torch.tensor([[[1, 2]]]), kernel_size: () => 2, stride: () => 2, padding: () => 0, output_size: () => null } },
  'F.max_unpool2d': { p: { input: () => torch.tensor([[[[2.0]]]], { dtype: 'float32' }), indices: () => torch.tensor([[[[3]]]]), kernel_size: () => 2, stride: () => 2, padding: () => 0, output_size: () => null } },
  'F.max_unpool3d': { p: { input: () => torch.tensor([[[[[2.0]]]]], { dtype: 'float32' }), indices: () => torch.tensor([[[[[5]]]]]), kernel_size: () => 2, stride: () => 2, padding: () => 0, output_size: () => null } },
  'F.softmax': { p: { dim: () => 1 } }, 'F.softmin': { p: { dim: () => 1 } }, 'F.log_softmax': { p: { dim: () => 1 } },
  'F.softplus': { p: { beta: () => 1, threshold: () => 20 } },
  'F.celu': { p: { alpha: () => 1 } }, 'F.elu': { p: { alpha: () => 1 } },
  'F.hardtanh': { p: { min_val: () => -1, max_val: () => 1 } }, 'F.leaky_relu': { p: { negative_slope: () => 0.01 } },
  // (query [L=2, N=1, E=4], 2 heads; static_k/v of the key's length, so that key_padding_mask fits both; bias_k/v None,
  // as they cannot go with static_k; use_separate_proj_weight False: the packed in_proj_weight is the one given)
  'F.multi_head_attention_forward': { p: {
    query: () => torch.arange(8, { dtype: 'float32' }).reshape([2, 1, 4]).sub(3).div(4), key: () => X().reshape([3, 1, 2]).repeat([1, 1, 2]),
    value: () => Y().reshape([3, 1, 2]).repeat([1, 1, 2]), embed_dim_to_check: () => 4, num_heads: () => 2,
    in_proj_weight: () => torch.arange(48, { dtype: 'float32' }).reshape([12, 4]).sin(), in_proj_bias: () => torch.arange(12, { dtype: 'float32' }).cos(),
    bias_k: () => null, bias_v: () => null, add_zero_attn: () => true, dropout_p: () => 0.25,
    out_proj_weight: () => torch.arange(16, { dtype: 'float32' }).reshape([4, 4]).cos(), out_proj_bias: () => torch.ones([4]).mul(0.5),
    key_padding_mask: () => torch.tensor([[false, true, false]]), attn_mask: () => torch.tensor([[0.5, 0, -1], [0, 1, 0]], { dtype: 'float32' }),
    need_weights: () => true, average_attn_weights: () => false,  // (weights per head: with need_weights False, average_attn_weights would change nothing)
    use_separate_proj_weight: () => false, q_proj_weight: () => torch.eye(4), k_proj_weight: () => torch.eye(4), v_proj_weight: () => torch.eye(4),
    static_k: () => torch.arange(12, { dtype: 'float32' }).reshape([2, 3, 2]).div(5), static_v: () => torch.arange(12, { dtype: 'float32' }).reshape([2, 3, 2]).div(-7),
  } },
};

function byName(kind: Kind, op: string, p: Param): Sample | undefined {
  const o = OVERRIDES[`${PREFIX[kind]}.${op}`] ?? OVERRIDES[kind === 'functional' || kind === 'linalg' ? '' : op];
  const typed = p.type.includes('Scalar') ? o?.p?.[`${p.name}:Scalar`] : p.type.startsWith('Tensor') ? o?.p?.[`${p.name}:Tensor`] : p.type === 'str' ? o?.p?.[`${p.name}:str`] : undefined;
  return typed ?? o?.p?.[p.name];
}

function sampleOf(kind: Kind, op: string, p: Param): Sample {
  const o = byName(kind, op, p);
  if (o) return o;
  const t = p.type.replace(/\?$/, '');
  const n = p.name;
  const isList = /\[\d*\]/.test(t);
  if (n === 'input' || n === 'self') return t === 'Scalar' ? () => 2 : X;
  // samples differ from the defaults where they can, so that a value the op ignored would show
  if (n === 'dtype') return () => 'float64';
  if (n === 'device') return () => 'cpu';
  if (n === 'generator') return () => new torch.Generator().manualSeed(1);
  if (n === 'memory_format') return () => 'contiguousFormat';
  if (n === 'layout') return () => torch.strided;
  // (pin_memory=True and sparse_grad=True are refused on a CPU-only build / always: their value tests are
  // test/keyword_audit.test.ts's last section; the audit checks that the keyword is taken)
  if (['sparse', 'scale_grad_by_freq', 'copy', 'pin_memory', 'sparse_grad'].includes(n)) return () => false;
  if (n === 'out') return () => torch.empty([0]);
  // the losses' deprecated size_average/reduce (PyTorch 1.13 still takes them, positionally too): size_average=False
  // with reduce=True is reduction 'sum', not the default 'mean'
  if (kind === 'functional' && n === 'size_average') return () => false;
  if (kind === 'functional' && n === 'reduce') return () => true;
  if (t === 'bool' || t === 'bool?' || ['keepdim', 'requires_grad', 'descending', 'stable', 'largest', 'sorted', 'unbiased', 'accumulate', 'equal_nan',
    'inplace', 'training', 'log_target', 'full', 'return_indices', 'return_inverse', 'return_counts', 'ceil_mode', 'count_include_pad', 'align_corners'].includes(n)) {
    return () => p.default !== 'True';
  }
  if (n === 'dim' || n === 'dim0' || n === 'start_dim' || n === 'axis0' || n === 'dim1' && t === 'int' && op === 'transpose') return isList ? () => [0] : () => 0;
  if (n === 'dim1' || n === 'axis1') return () => 1;
  if (n === 'end_dim') return () => -1;
  if (n === 'dim2') return () => 1;
  if (n === 'index') return t === 'Tensor' ? IDX : () => 0;
  if (n === 'mask' || n === 'condition') return MASK;
  if (t === 'Tensor') return Y;
  if (t === 'Tensor[]') return () => [X(), Y()];
  if (t === 'Scalar') return n === 'alpha' || n === 'beta' ? () => 2 : () => 2;
  if (t === 'float') return () => 0.5;
  if (t === 'bool') return () => false;
  if (t === 'str') return () => ({ rounding_mode: 'floor', reduce: 'add', approximate: 'none', reduction: 'mean' } as Record<string, string>)[n] ?? 'none';
  if (t === 'ScalarType') return () => 'float32';
  if (/^int\[\d*\]$/.test(t)) return n === 'size' || n === 'shape' ? () => [2, 3] : () => [1, 0];
  if (t === 'int') return () => ({ k: 1, chunks: 2, sections: 1, diagonal: 0, offset: 0, start: 0, length: 1, end: 2, step: 1, n: 2, decimals: 0, correction: 1 } as Record<string, number>)[n] ?? 1;
  return () => { throw new Error(`keyword audit: no sample for ${kind}.${op}(${n}: ${p.type}); add one to OVERRIDES`); };
}

/** a PyTorch default as a JavaScript value (undefined: not expressible) */
function pyDefault(d: string | undefined): unknown {
  if (d === undefined) return undefined;
  if (d === 'True') return true;
  if (d === 'False') return false;
  if (d === 'None') return null;
  if (/^-?\d+(\.\d*)?(e-?\d+)?$/.test(d)) return Number(d);
  if (/^(["']).*\1$/.test(d)) return d.slice(1, -1);
  if (/^\[[-\d, ]*\]$/.test(d)) return JSON.parse(d);
  return undefined;
}

// ---- calls and results ------------------------------------------------------------------------------------------------
function invoke(kind: Kind, js: string, self: unknown, args: unknown[]): unknown {
  if (kind === 'methods') {
    const s = self as Record<string, (...a: unknown[]) => unknown>;
    return s[js](...args);
  }
  const f = kind === 'functions' ? TORCH[js] : kind === 'linalg' ? LINALG[js] : F[js];
  return f(...args);
}

function snapshot(r: unknown, depth = 0): unknown {
  if (r instanceof torch.Tensor && SHAPE_ONLY.has(current)) return { shape: r.shape, dtype: r.dtype };
  if (r instanceof torch.Tensor) return { shape: r.shape, dtype: r.dtype, values: r.dtype === 'bool' || r.dtype === 'int64' ? r.tolist() : Array.from(r.contiguous().toTypedArray() as Float32Array) };
  if (Array.isArray(r)) return r.map((x) => snapshot(x, depth + 1));
  if (r && typeof r === 'object' && depth < 3) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(r)) o[k] = snapshot((r as Record<string, unknown>)[k], depth + 1);
    return o;
  }
  return r;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string; type: string };
function attempt(f: () => unknown): Outcome {
  try { return { ok: true, value: snapshot(f()) }; } catch (e) {
    const err = e as Error;
    return { ok: false, error: String(err && err.message), type: err && err.constructor ? err.constructor.name : 'unknown' };
  }
}

/** One call's arguments from the samples: positional values for params [0, npos), the named ones in the options object. */
function build(kind: Kind, op: string, ps: Param[], npos: number, named: Param[]): { self: unknown; args: unknown[] } {
  const o = OVERRIDES[`${PREFIX[kind]}.${op}`] ?? (kind === 'functional' || kind === 'linalg' ? undefined : OVERRIDES[op]);
  const self = kind === 'methods' ? (o?.self ?? X)() : undefined;
  const args: unknown[] = ps.slice(0, npos).map((p) => sampleOf(kind, op, p)());
  if (named.length) {
    const opts: Record<string, unknown> = {};
    for (const p of named) opts[camel(p.name)] = sampleOf(kind, op, p)();
    args.push(opts);
  }
  return { self, args };
}

const BAD = /unexpected option|unknown option|\[object Object\]|options object must be the last|positionally, then an options object/;

/** The audit of one op: a list of failures ('' when all its keywords are accepted and agree). */
function auditOp(kind: Kind, js: string, e: Entry, call = invoke): string[] {
  const fails: string[] = [];
  const pre = (OVERRIDES[`${PREFIX[kind]}.${e.py}`] ?? (kind === 'linalg' ? undefined : OVERRIDES[e.py]))?.pre;
  const run = (b: () => { self: unknown; args: unknown[] }): Outcome => attempt(() => { torch.manualSeed(0); if (pre) pre(); const { self, args } = b(); return call(kind, js, self, args); });
  current = e.py;
  for (const ov of e.overloads) {
    const ovKey = `${kind}:${e.py}.${ov.overload}`;
    if (NOT_IMPLEMENTED[ovKey] || NOT_IMPLEMENTED[`${kind}:${e.py}`]) continue;
    // a parameter after an internal one cannot be reached positionally without it (the losses' deprecated
    // size_average/reduce, F.softmax's _stacklevel): it is audited as keyword-only
    const skip = (p: Param): boolean => !!INTERNAL[p.name] || p.type === 'varargs' || !!NOT_IMPLEMENTED[`${kind}:${e.py}:${p.name}`];
    const firstSkipped = ov.params.findIndex((p) => !p.kw && skip(p));
    const ps = ov.params.map((p, i) => (firstSkipped >= 0 && i > firstSkipped && !p.kw ? { ...p, kw: true } : p)).filter((p) => !skip(p));
    const pos = ps.filter((p) => !p.kw);
    const lastReq = Math.max(-1, ...pos.map((p, i) => (p.default === undefined ? i : -1)));
    const reqKw = ps.filter((p) => p.kw && p.default === undefined && p.type !== 'bool?');  // (sort's stable: bool? without a default)
    const reqAfter = (i: number): Param[] => pos.filter((p, j) => j > i && j <= lastReq);
    for (const p of ps) {
      const where = `${PREFIX[kind]}.${js}${ov.overload ? ` [${ov.overload}]` : ''} ${camel(p.name)}`;
      let ref: Outcome, got: Outcome;
      if (!p.kw) {
        const i = pos.indexOf(p);
        const n = Math.max(i, lastReq) + 1;
        ref = run(() => build(kind, e.py, pos, n, reqKw));
        got = run(() => build(kind, e.py, pos, i, [p, ...reqAfter(i), ...reqKw]));
      } else {
        ref = run(() => build(kind, e.py, pos, lastReq + 1, reqKw));
        got = run(() => build(kind, e.py, pos, lastReq + 1, reqKw.includes(p) ? reqKw : [p, ...reqKw]));
        if (got.ok && ref.ok && !(p.default !== undefined && ['requires_grad', 'stable'].includes(p.name))) ref = got;  // no positional form
      }
      if (!got.ok && BAD.test(got.error)) { fails.push(`${where}: refused: ${got.error}`); continue; }
      if (!ref.ok && got.ok && POSITIONAL_GAPS[`${kind}:${e.py}:${p.name}`]) continue;
      if (!ref.ok) {
        if (!got.ok && got.error === ref.error && ERROR_PARITY[`${kind}:${e.py}`]) continue;
        if (!got.ok && got.error === ref.error) {
          fails.push(`${where}: the sample call fails (${ref.error}): list the form in NOT_IMPLEMENTED or give it inputs in OVERRIDES`);
        } else fails.push(`${where}: positional call fails (${ref.error}), keyword call ${got.ok ? 'succeeds' : `fails differently (${got.error})`}`);
        continue;
      }
      if (!got.ok) { fails.push(`${where}: refused: ${got.type}: ${got.error}`); continue; }
      try { expect(got.value).toEqual(ref.value); } catch { fails.push(`${where}: the keyword call's result differs from the positional call's`); }
      // the parameter alone by name, the optional ones before it left out: as the positional call with their defaults
      const i0 = pos.indexOf(p);
      if (!p.kw && i0 > lastReq + 1 && i0 > 0) {
        const defs = pos.slice(lastReq + 1, i0).map((q) => pyDefault(q.default));
        if (defs.every((d) => d !== undefined)) {
          const refGap = run(() => { const b = build(kind, e.py, pos, i0 + 1, reqKw); b.args.splice(lastReq + 1, defs.length, ...defs); return b; });
          const gotGap = run(() => build(kind, e.py, pos, lastReq + 1, [p, ...reqKw]));
          if (!gotGap.ok && !(refGap.ok === false && refGap.error === gotGap.error)) fails.push(`${where} (alone, the optional parameters before it left out): refused: ${gotGap.error}`);
          else if (refGap.ok) { try { expect(gotGap.value).toEqual(refGap.value); } catch { fails.push(`${where} (alone): the result differs from the positional call with the defaults`); } }
        }
      }
      if (process.env.KW_AUDIT_INERT && p.default !== undefined) {  // (a diagnostic: a sample that changes nothing may be ignored)
        const i = pos.indexOf(p);
        const without = run(() => build(kind, e.py, pos, i >= 0 ? Math.min(i, lastReq + 1) : lastReq + 1, i >= 0 ? [...reqAfter(i - 1), ...reqKw] : reqKw));
        try { expect(without).toEqual(got); fs.appendFileSync(process.env.KW_AUDIT_INERT, `${where}\n`); } catch { /* it has an effect */ }
      }
    }
  }
  return fails;
}

/** out= (every torch.* overload PyTorch gives an out= form: the reference's `out: true`): the function's call with
 *  the sample's required arguments and { out } (an empty tensor of the result's dtype) must return that very tensor,
 *  holding the call's result without out. */
function auditOut(js: string, e: Entry, call = invoke, gaps: Record<string, string> = OUT_GAPS): string[] {
  const fails: string[] = [];
  const o = OVERRIDES[`torch.${e.py}`] ?? OVERRIDES[e.py];
  current = e.py;
  for (const ov of e.overloads) {
    if (!ov.out || NOT_IMPLEMENTED[`functions:${e.py}.${ov.overload}`] || NOT_IMPLEMENTED[`functions:${e.py}`]) continue;
    const where = `torch.${js}${ov.overload ? ` [${ov.overload}]` : ''} out`;
    if (gaps[`functions:${e.py}.${ov.overload}`] ?? gaps[`functions:${e.py}`]) continue;
    const skip = (p: Param): boolean => !!INTERNAL[p.name] || p.type === 'varargs' || p.name === 'out';
    const ps = ov.params.filter((p) => !skip(p));
    const pos = ps.filter((p) => !p.kw);
    const lastReq = Math.max(-1, ...pos.map((p, i) => (p.default === undefined ? i : -1)));
    const reqKw = ps.filter((p) => p.kw && p.default === undefined && p.type !== 'bool?');
    const make = (): { self: unknown; args: unknown[] } => { torch.manualSeed(0); if (o?.pre) o.pre(); return build('functions', e.py, pos, lastReq + 1, reqKw); };
    let r: unknown;
    try { const b = make(); r = call('functions', js, b.self, b.args); } catch { continue; }  // (a failing sample call: the keyword audit reports it)
    if (!(r instanceof torch.Tensor)) {
      // a tuple result: out= is not audited for it, but a refusal is reported as one (the OUT_GAPS check reads it)
      const tried = attempt(() => {
        const b = make();
        const last = b.args[b.args.length - 1];
        if (b.args.length && last && typeof last === 'object' && !(last instanceof torch.Tensor) && !Array.isArray(last) && !ArrayBuffer.isView(last)) (last as Record<string, unknown>).out = torch.empty([0]);
        else b.args.push({ out: torch.empty([0]) });
        return call('functions', js, b.self, b.args);
      });
      fails.push(tried.ok ? `${where}: the result is not one tensor (${Array.isArray(r) ? 'a list' : typeof r}): out= is not audited for it` : `${where}: refused: ${tried.error}`);
      continue;
    }
    const want = snapshot(r);
    const out = torch.empty([0], { dtype: r.dtype });
    const got = attempt(() => {
      const b = make();
      const last = b.args[b.args.length - 1];
      if (b.args.length && last && typeof last === 'object' && !(last instanceof torch.Tensor) && !Array.isArray(last) && !ArrayBuffer.isView(last)) (last as Record<string, unknown>).out = out;
      else b.args.push({ out });
      const res = call('functions', js, b.self, b.args);
      if (res !== out) throw new Error('the result is not the out tensor');
      return res;
    });
    if (!got.ok) { fails.push(`${where}: refused: ${got.error}`); continue; }
    try { expect(got.value).toEqual(want); } catch { fails.push(`${where}: the out= result differs from the call without it`); }
  }
  return fails;
}

describe('keyword audit against PyTorch 1.13 signatures (test/ref/torch_signatures.json)', () => {
  for (const kind of ['functions', 'methods', 'functional', 'linalg'] as Kind[]) {
    test(`${kind}: every PyTorch keyword is accepted and agrees with the positional form`, () => {
      const fails: string[] = [];
      for (const [js, e] of Object.entries(REF[kind])) {
        if (NOT_OPS[`${kind}:${e.py}`]) continue;
        fails.push(...auditOp(kind, js, e));
      }
      if (process.env.KW_AUDIT_OUT) fs.writeFileSync(`${process.env.KW_AUDIT_OUT}.${kind}.txt`, fails.join("\n") + "\n");
      expect(fails).toEqual([]);
    });
    if (kind === 'functions') {
      test('functions: out= wherever PyTorch has it, with the result of the call without it', () => {
        const fails: string[] = [];
        for (const [js, e] of Object.entries(REF.functions)) if (!NOT_OPS[`functions:${e.py}`]) fails.push(...auditOut(js, e));
        if (process.env.KW_AUDIT_OUT) fs.writeFileSync(`${process.env.KW_AUDIT_OUT}.out.txt`, fails.join("\n") + "\n");
        expect(fails).toEqual([]);
      });
    }
    test(`${kind}: every nodetorch name is in the reference or listed (UNMATCHED) with a reason`, () => {
      expect(REF.unmatched[kind].slice().sort()).toEqual(Object.keys(UNMATCHED[kind]).sort());
    });
  }
  test('the lists name only what exists: NOT_IMPLEMENTED and NOT_OPS entries are in the reference', () => {
    for (const key of [...Object.keys(NOT_IMPLEMENTED), ...Object.keys(NOT_OPS), ...Object.keys(OUT_GAPS)]) {
      const [kind, rest] = key.split(':') as [Kind, string];
      const py = rest.split('.')[0];
      expect([key, Object.values(REF[kind]).some((e) => e.py === py)]).toEqual([key, true]);
    }
  });
  test('the audit can fail: an op that drops one keyword is reported', () => {
    const e = REF.methods.sum;
    const dropKeepdim = (kind: Kind, js: string, self: unknown, args: unknown[]): unknown => {
      const last = args[args.length - 1];
      if (last && typeof last === 'object' && !(last instanceof torch.Tensor) && !Array.isArray(last) && 'keepdim' in last) {
        throw new TypeError(`sum(): unexpected option 'keepdim'`);
      }
      return invoke(kind, js, self, args);
    };
    // out=: an op that drops out= (returns a fresh tensor) is reported; the OUT_GAPS forms are refused, as PyTorch's
    const dropOut = (kind: Kind, js: string, self: unknown, args: unknown[]): unknown => {
      const last = args[args.length - 1] as Record<string, unknown>;
      if (last && typeof last === 'object' && 'out' in last) { const { out, ...rest } = last; void out; args = [...args.slice(0, -1), rest]; }
      return invoke(kind, js, self, args);
    };
    expect(auditOut('mm', REF.functions.mm)).toEqual([]);
    expect(auditOut('mm', REF.functions.mm, dropOut)).toEqual([expect.stringMatching(/torch\.mm out: refused: the result is not the out tensor/)]);
    const gapped = Object.entries(REF.functions).filter(([, x]) => x.overloads.some((ov) => OUT_GAPS[`functions:${x.py}.${ov.overload}`] ?? OUT_GAPS[`functions:${x.py}`]));
    expect(gapped.length).toBeGreaterThanOrEqual(20);
    let refused = 0, forms = 0;
    for (const [js, x] of gapped) {
      const isGap = (ov: Overload): boolean => !!(OUT_GAPS[`functions:${x.py}.${ov.overload}`] ?? OUT_GAPS[`functions:${x.py}`]);
      const only: Record<string, string> = Object.fromEntries(x.overloads.filter((ov) => !isGap(ov)).map((ov) => [`functions:${x.py}.${ov.overload}`, 'not a gap']));
      forms += x.overloads.filter((ov) => ov.out && isGap(ov)).length;
      for (const f of auditOut(js, x, invoke, only)) {
        expect([js, f]).toEqual([js, expect.stringMatching(/out: refused: .*(unexpected option 'out'|invalid combination of arguments)/)]);
        refused++;
      }
    }
    expect([refused, forms]).toEqual([forms, forms]);  // (each gap form's sample call works, and refuses out=)
    expect(auditOp('methods', 'sum', e)).toEqual([]);
    expect(auditOp('methods', 'sum', e, dropKeepdim)).toEqual([expect.stringMatching(/Tensor\.sum \[dim_IntList\] keepdim: refused: sum\(\): unexpected option 'keepdim'/)]);
  });
});

describe('ops the audit found missing or different', () => {
  test('torch.asStridedScatter is PyTorch\'s as_strided_scatter (values from PyTorch 1.13)', () => {
    const x = torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]], { dtype: 'float32' });
    expect(torch.asStridedScatter(x, torch.ones([2, 2]), [2, 2], [3, 1], 0).tolist()).toEqual([[1, 1, 2], [1, 1, 3]]);
    expect(torch.asStridedScatter({ input: x, src: torch.ones([2, 2]), size: [2, 2], stride: [1, 3], storageOffset: 1 } as never).tolist())
      .toEqual([[0.5, 1, 1], [1.5, 1, 1]]);
    expect(() => torch.asStridedScatter(x, torch.ones([3]), [2, 2], [3, 1])).toThrow(/src to have a size equal to the slice/);
  });
  test('Tensor.unique takes its flags positionally, in PyTorch\'s order', () => {
    const x = torch.tensor([3, 1, 3, 2]);
    const [v, inv, c] = x.unique(true, true, true) as torch.Tensor[];
    expect([v.tolist(), inv.tolist(), c.tolist()]).toEqual([[1, 2, 3], [2, 0, 2, 1], [1, 1, 2]]);
    expect(() => x.unique('yes' as never)).toThrow(TypeError);
  });
});

// ---- the last keyword gaps, by value (test/ref/keyword_rest.json: PyTorch 1.13's results, gen_keyword_rest.py) ------
describe('the last keyword gaps: values from PyTorch 1.13 (test/ref/keyword_rest.json)', () => {
  type Case = { shape: number[]; dtype: string; values: unknown } | { value: unknown } | { error: string; message: string };
  const KR: { cases: Record<string, Case> } = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/keyword_rest.json'), 'utf8'));
  const flat = (v: unknown): (number | boolean)[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const same = (name: string, got: unknown): void => {
    const c = KR.cases[name];
    expect(c).toBeDefined();
    if ('shape' in c) expectTensor(got as T, { shape: c.shape, dtype: c.dtype, data: flat(c.values) });
    else if ('value' in c) expect(String(got)).toBe(c.value);
    else throw new Error(`${name}: PyTorch gives ${c.error}: ${c.message}`);
  };
  const X = (): T => torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]], { dtype: 'float32' });
  const Y = (): T => torch.tensor([[1.0, 2.0, -0.5], [0.25, 4.0, 1.5]], { dtype: 'float32' });
  const XI = (): T => torch.tensor([[5, 3, 6], [2, 7, 12]]);
  const YI = (): T => torch.tensor([[3, 1, 4], [6, 5, 10]]);
  const NANS = (): T => torch.tensor([[NaN, Infinity, -Infinity], [1.5, NaN, 2]], { dtype: 'float32' });
  const MASK = (): T => torch.tensor([[true, false, true], [false, true, false]]);
  const IDX = (): T => torch.tensor([[0, 1, 0], [1, 0, 1]]);
  const E = (dtype: torch.DType = 'float32'): T => torch.empty([0], { dtype });
  const outOf = (f: (o: T) => T, dtype: torch.DType = 'float32'): T => { const o = E(dtype); expect(f(o)).toBe(o); return o; };
  const inplace = (f: (x: T) => T): T => { const x = X(); expect(f(x)).toBe(x); return x; };
  const F = torch.nn.functional;

  const cases: [string, () => unknown][] = [
    ['add_alpha_other', () => torch.add(X(), 2, Y())],
    ['add_alpha_other_kw', () => torch.add(X(), 2, { other: Y() })],
    ['add_alpha_other_out', () => outOf((o) => torch.add(X(), 2, Y(), { out: o }))],
    ['add_alpha_int', () => torch.add(XI(), 3, YI())],
    ['add_alpha_scalar_other', () => torch.add(X(), 2, 3)],
    ['sub_alpha_other', () => torch.sub(X(), 0.5, Y())],
    ['method_add_alpha_other', () => X().add(2, Y())],
    ['method_sub_alpha_other', () => X().sub(2, Y())],
    ['method_sub_alpha_other_kw', () => X().sub(2, { other: Y() })],
    ['inplace_add_alpha_other', () => inplace((x) => x.add_(2, Y()))],
    ['inplace_sub_alpha_other', () => inplace((x) => x.sub_(-1.5, Y()))],
    ['norm_dtype_pos', () => torch.norm(X(), 2, 1, false, null, 'float64')],
    ['norm_out_pos', () => outOf((o) => torch.norm(X(), 2, 1, true, o))],
    ['norm_out_dtype_pos', () => outOf((o) => torch.norm(X(), 3, [0, 1], false, o, 'float64'), 'float64')],
    ['method_norm_dtype_pos', () => X().norm(1, 0, true, 'float64')],
    ['normalize_out_pos', () => outOf((o) => F.normalize(X(), 2, 1, 1e-12, o))],
    ['normalize_out_kw', () => outOf((o) => F.normalize(X(), { p: 1, dim: 0, out: o }))],
    ['softmax_out', () => outOf((o) => torch.softmax(X(), 1, { out: o }))],
    ['log_softmax_out', () => outOf((o) => torch.logSoftmax(X(), 0, { out: o }))],
    ['max_other_out', () => outOf((o) => torch.max(X(), Y(), { out: o }))],
    ['min_other_out', () => outOf((o) => torch.min(X(), { other: Y(), out: o }))],
    ['msort_out', () => outOf((o) => torch.msort(X(), { out: o }))],
    ['nan_to_num_out', () => outOf((o) => torch.nanToNum(NANS(), 0.5, { out: o }))],
    ['std_out', () => outOf((o) => torch.std(X(), [1], false, true, { out: o }))],
    ['var_correction_out', () => outOf((o) => torch.var(X(), [0], { correction: 0, out: o }))],
    ['where_out', () => outOf((o) => torch.where(MASK(), X(), Y(), { out: o }))],
    ['nonzero_out', () => outOf((o) => torch.nonzero(X().gt(0), { out: o }), 'int64')],
    ['to_dtype_flags', () => X().to('float64', true, true)],
    ['to_device_dtype_flags', () => X().to('cpu', 'float64', true, false)],
    ['to_other_flags', () => X().to(XI(), false, true)],
    ['type_non_blocking', () => X().type('float64', true)],
    ['type_name_non_blocking', () => X().type(null, true)],
    ['type_kw_non_blocking', () => X().type({ nonBlocking: true })],
    ['type_tensor_name', () => (X() as unknown as { type(n: string): T }).type('torch.DoubleTensor')],
    ['copy_non_blocking', () => inplace((x) => x.copy_(Y(), true))],
    ['expand_implicit', () => X().slice(0, 0, 1).expand(2, 3, { implicit: true })],
    ['gather_sparse_grad_false', () => torch.gather(X(), 1, IDX(), { sparseGrad: false })],
    ['zeros_strided', () => torch.zeros(2, 3, { layout: torch.strided })],
    ['full_like_strided', () => torch.fullLike(X(), 1.5, { layout: torch.strided, dtype: 'float64' })],
    ['arange_strided', () => torch.arange(1, 4, { layout: 'strided' })],
    ['strided_str', () => torch.strided],
    ['layout_of_tensor', () => X().layout],
    ['zeros_pin_memory_false', () => torch.zeros(2, { pinMemory: false })],
  ];
  test.each(cases)('%s', (name, f) => same(name, f()));

  test('every reference case is run (or is one of the error cases below)', () => {
    const errors = ['add_alpha_float_int_error', 'zeros_pin_memory_cpu_only', 'tensor_pin_memory_cpu_only'];
    expect(Object.keys(KR.cases).sort()).toEqual([...cases.map((c) => c[0]), ...errors].sort());
  });

  test("the deprecated form's errors are PyTorch's: a float alpha with integer tensors, alpha twice", () => {
    const c = KR.cases.add_alpha_float_int_error as { error: string; message: string };
    expect(c.error).toBe('RuntimeError');
    expect(() => torch.add(XI(), 2.5, YI())).toThrow(c.message);
    expect(() => torch.add(X(), 2, Y(), { alpha: 3 } as never)).toThrow(/add\(\) got multiple values for argument 'alpha'/);
    expect(() => (torch.add as (...a: unknown[]) => T)(2, X(), Y())).toThrow(TypeError);  // (PyTorch: add() takes 2 positional arguments)
    expect(() => (torch.add as (...a: unknown[]) => T)(X(), Y(), 2)).toThrow(/add\(\) takes \(input, other\) positionally/);
  });

  test('layout: torch.strided is the one layout; another is a TorchError naming the op and the layout', () => {
    expect(torch.strided).toBeInstanceOf(torch.layout);
    expect(X().layout).toBe(torch.strided);
    expect(`${torch.sparseCoo}`).toBe('torch.sparse_coo');
    expect(require('util').inspect(torch.strided)).toBe('torch.strided');
    expect(torch.zeros([2], { layout: null }).tolist()).toEqual([0, 0]);
    for (const f of [() => torch.zeros(2, { layout: torch.sparseCoo as never }), () => torch.onesLike(X(), { layout: torch.sparseCoo as never }),
      () => torch.randn(2, { layout: 'sparse_coo' as never }), () => torch.arange(3, { layout: torch.sparseCoo as never, out: E() })]) {
      expect(f).toThrow(torch.TorchError);
      expect(f).toThrow(/^(zeros|ones_like|randn|arange)\(\): layout[= '].*sparse_coo.* not supported/);
    }
    expect(() => torch.eye(2, { layout: 3 as never })).toThrow(/eye\(\): argument 'layout' must be torch.layout/);
  });

  test('pinMemory: true gives what pinMemory() gives on the result (a CPU-only build: its error, naming the op)', () => {
    const outcome = (f: () => T): { ok: true; pinned: boolean; values: unknown; requiresGrad: boolean } | { ok: false; message: string } => {
      try { const r = f(); return { ok: true, pinned: r.isPinned(), values: r.tolist(), requiresGrad: r.requiresGrad }; } catch (e) {
        expect(e).toBeInstanceOf(torch.TorchError);
        return { ok: false, message: (e as Error).message.replace(/^\w+\(pinMemory=true\): /, '') };
      }
    };
    const pairs: [() => T, () => T, string][] = [
      [() => torch.zeros(2, 3, { pinMemory: true }), () => torch.zeros(2, 3).pinMemory(), 'zeros'],
      [() => torch.tensor([1.5, 2], { pinMemory: true }), () => torch.tensor([1.5, 2]).pinMemory(), 'tensor'],
      [() => torch.onesLike(X(), { pinMemory: true, requiresGrad: true }), () => torch.onesLike(X()).pinMemory().requiresGrad_(), 'ones_like'],
      [() => torch.arange(4, { pinMemory: true }), () => torch.arange(4).pinMemory(), 'arange'],
    ];
    for (const [withFlag, pinAfter, op] of pairs) {
      const a = outcome(withFlag), b = outcome(pinAfter);
      expect(a).toEqual(b);
      if (!a.ok) {
        expect(() => withFlag()).toThrow(new RegExp(`^${op}\\(pinMemory=true\\): `));  // (then pinMemory()'s own message: the CPU-only build's, or a CUDA build's without a driver)
        // PyTorch's CPU-only build refuses pin_memory=True as well (test/ref/keyword_rest.json)
        expect((KR.cases[`${op}_pin_memory_cpu_only`] as { error?: string } | undefined)?.error ?? 'RuntimeError').toBe('RuntimeError');
      } else expect(a.pinned).toBe(true);
    }
    expect(() => torch.zeros(2, { pinMemory: 'yes' as never })).toThrow(/zeros\(\): argument 'pinMemory' must be bool or None/);
  });

  test('gather: sparseGrad true is a TorchError (no sparse gradients); false is the default', () => {
    expect(() => torch.gather(X(), 1, IDX(), { sparseGrad: true })).toThrow(torch.TorchError);
    expect(() => X().gather(1, IDX(), { sparseGrad: true })).toThrow(/gather\(\): sparse_grad=True is not supported: nodetorch has no sparse tensors/);
    const x = X().requiresGrad_();
    x.gather(1, IDX(), { sparseGrad: false }).sum().backward();
    expect(x.grad!.tolist()).toEqual([[2, 1, 0], [1, 2, 0]]);
  });

  test("to: memoryFormat by name only, as PyTorch 1.13 (to(dtype, nonBlocking, copy, memory_format) is its TypeError)", () => {
    expect(() => (X().to as (...a: unknown[]) => T)('float64', false, true, torch.channelsLast)).toThrow(TypeError);
    const x4 = torch.arange(16, { dtype: 'float32' }).reshape([1, 2, 2, 4]);
    const r = x4.to('float64', false, true, { memoryFormat: torch.channelsLast });
    expect([r.dtype, r.isContiguous({ memoryFormat: torch.channelsLast }), r.tolist()]).toEqual(['float64', true, x4.tolist()]);
  });

  test('type/cuda: nonBlocking by position and by name; a bad flag is a TypeError', () => {
    expect(() => X().type('float64', 'yes' as never)).toThrow(/type\(\): argument 'nonBlocking' must be bool/);
    expect(() => X().type({ nonblocking: true } as never)).toThrow(TypeError);
    expect(() => X().cuda(null, 'x' as never)).toThrow(/cuda\(\): argument 'nonBlocking' must be bool/);
    expect(() => X().cuda({ nonblocking: true } as never)).toThrow(TypeError);
    expect(() => X().cuda('cpu')).toThrow(/cuda\(\): Invalid device, must be cuda device/);
    if (!torch.cuda.isAvailable()) {
      // without CUDA every form reaches the device move and is refused there, not by its arguments
      for (const f of [() => X().cuda(), () => X().cuda(0, true), () => X().cuda({ nonBlocking: true, memoryFormat: torch.preserveFormat })]) expect(f).toThrow(torch.TorchError);
    } else {
      const r = X().cuda(0, true);
      expect([r.device.type, r.cpu().tolist()]).toEqual(['cuda', X().tolist()]);
      expect(X().cuda({ device: 0, nonBlocking: true }).device.type).toBe('cuda');
    }
  });
});
