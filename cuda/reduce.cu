// reduce.cu - the reduce kernel on CUDA (sum, prod, max, min, all, any, nansum, mean, sum|x|, sum x^2) with
// cpu/reduce.cc's convention and the shared identity/load/combine steps of kernels/reduce.h (NaN rules included):
//   t0 = reduction of t1 over its trailing a1 dims; t0 has t1's leading dims, any strides and dtype (cast into);
//   a0 = ReduceCode, a2 = compute dtype (an input of another dtype is converted first; all/any/max/min ignore it).
//
// Two layouts, as on the CPU:
//   "rows": one warp per (output, chunk of the reduced range); lanes stride along the reduced dims (coalesced when
//     the innermost reduced dim is contiguous) and combine by shuffles.
//   "columns": when the outputs are contiguous in the input (sum over dim 0 of a row-major matrix) or the
//     reduced range is short, one thread column per output: 32 consecutive outputs per block (coalesced reads),
//     8 threads per output splitting the reduced range, combined through shared memory.
// With too few outputs to fill the GPU the reduced range is split into chunks whose partials land in a temporary
// [outputs, chunks] that a second "rows" pass merges (combine only, no load). The order is fixed by the geometry,
// so results are deterministic; float sums are tree-shaped (error grows with log of the chunking), not serial.
#include "../native/kernels/reduce.h"
#include "../native/kernels/reduce_check.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

using namespace red;

// natural_compute, NatT / CmpT and the attr decoding and shape checks of every kernel here are shared with
// cpu/reduce.cc (native/kernels/reduce.h, native/kernels/reduce_check.h).

// Merging partials: the op's combine with a plain load (SumSqOp's load squares, which partials must not see).
template <typename Op>
struct MergeOf {
  using T = decltype(Op::identity());
  NT_HD static T identity() { return Op::identity(); }
  template <typename S> NT_HD static T load(S x) { return (T)x; }
  NT_HD static T combine(T a, T b) { return Op::combine(a, b); }
};

// Geometry: coalesced outer dims (one per output) and reduced dims, element strides of the input. The outermost
// dim of each needs no division; the others divide by precomputed FastDivs (common.cuh) when O / R fit in 31 bits.
struct RedGeom {
  int ond, rnd;
  bool o32, r32;
  int64_t osh[kMaxDims], ost[kMaxDims];
  int64_t rsh[kMaxDims], rst[kMaxDims];
  FastDiv ofd[kMaxDims], rfd[kMaxDims];
  int64_t O, R;
  __device__ __forceinline__ static int64_t off_of(int64_t i, int nd, bool i32, const int64_t* sh, const int64_t* st,
                                                   const FastDiv* fd) {
    if (nd <= 1) return nd == 1 ? i * st[0] : 0;
    int64_t off = 0;
    if (i32) {
      uint32_t li = (uint32_t)i;
      for (int d = nd - 1; d > 0; d--) { const uint32_t q = fd[d].div(li); off += (int64_t)(li - q * fd[d].d) * st[d]; li = q; }
      return off + (int64_t)li * st[0];
    }
    for (int d = nd - 1; d > 0; d--) { int64_t q = i / sh[d]; off += (i - q * sh[d]) * st[d]; i = q; }
    return off + i * st[0];
  }
  __device__ __forceinline__ int64_t outer_off(int64_t o) const { return off_of(o, ond, o32, osh, ost, ofd); }
  __device__ __forceinline__ int64_t red_off(int64_t r) const { return off_of(r, rnd, r32, rsh, rst, rfd); }
  void prepare() {
    o32 = O <= kFastDivMax;
    r32 = R <= kFastDivMax;
    for (int d = 0; d < kMaxDims; d++) {
      ofd[d] = FastDiv(o32 && d < ond ? (uint32_t)osh[d] : 1u);
      rfd[d] = FastDiv(r32 && d < rnd ? (uint32_t)rsh[d] : 1u);
    }
  }
};

// drops size-1 dims and merges dims the input steps through contiguously
void coalesce(int n, const int64_t* shape, const int64_t* stride, int& nd, int64_t* sh, int64_t* st) {
  nd = 0;
  for (int d = 0; d < n; d++) {
    if (shape[d] == 1) continue;
    if (nd > 0 && st[nd - 1] == stride[d] * shape[d]) {
      sh[nd - 1] *= shape[d];
      st[nd - 1] = stride[d];
      continue;
    }
    sh[nd] = shape[d];
    st[nd] = stride[d];
    nd++;
  }
}

RedGeom make_geom(const TensorArg& in, int nred) {
  RedGeom g;
  for (int d = 0; d < kMaxDims; d++) { g.osh[d] = g.rsh[d] = 1; g.ost[d] = g.rst[d] = 0; }
  int nout = in.ndim - nred;
  coalesce(nout, in.shape, in.stride, g.ond, g.osh, g.ost);
  coalesce(nred, in.shape + nout, in.stride + nout, g.rnd, g.rsh, g.rst);
  g.O = 1;
  g.R = 1;
  for (int d = 0; d < nout; d++) g.O *= in.shape[d];
  for (int d = nout; d < in.ndim; d++) g.R *= in.shape[d];
  g.prepare();
  return g;
}

template <typename T>
__device__ __forceinline__ T shfl_down(T v, int delta) {
  if constexpr (std::is_same<T, double>::value || std::is_same<T, float>::value) return __shfl_down_sync(0xffffffffu, v, delta);
  else if constexpr (sizeof(T) == 8) return (T)__shfl_down_sync(0xffffffffu, (long long)v, delta);
  else return (T)__shfl_down_sync(0xffffffffu, (int)v, delta);
}

// rows: warp w handles (output w / chunks, chunk w % chunks) and writes out[w]; mean_n >= 0 divides by it (mean)
template <typename Op, typename S>
__global__ void reduce_rows_k(RedGeom g, const S* in, decltype(Op::identity())* out, int64_t chunks, int64_t chunk_len,
                              int64_t mean_n, bool vec) {
  using T = decltype(Op::identity());
  const int lane = threadIdx.x & 31;
  const int64_t warps = (int64_t)gridDim.x * (blockDim.x / 32);
  const int64_t total = g.O * chunks;
  for (int64_t w = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32; w < total; w += warps) {
    int64_t o = w / chunks, ch = w - o * chunks;
    int64_t r0 = ch * chunk_len, r1 = r0 + chunk_len < g.R ? r0 + chunk_len : g.R;
    const S* base = in + g.outer_off(o);
    T acc = Op::identity();
    if constexpr (sizeof(S) == 2) {
      if (vec) {  // contiguous 16-bit range: a scalar head to 16-byte alignment, 8 elements per load, a scalar tail
        const S* p = base + r0;
        const int64_t len = r1 - r0;
        int64_t head = (int64_t)(((16 - (reinterpret_cast<uintptr_t>(p) & 15)) & 15) / sizeof(S));
        if (head > len) head = len;
        for (int64_t r = lane; r < head; r += 32) acc = Op::combine(acc, Op::template load<S>(p[r]));
        const VecT<S, 8>* pv = reinterpret_cast<const VecT<S, 8>*>(p + head);
        const int64_t nv = (len - head) / 8;
        for (int64_t v = lane; v < nv; v += 32) {
          const VecT<S, 8> x = pv[v];
#pragma unroll
          for (int j = 0; j < 8; j++) acc = Op::combine(acc, Op::template load<S>(x.v[j]));
        }
        for (int64_t r = head + nv * 8 + lane; r < len; r += 32) acc = Op::combine(acc, Op::template load<S>(p[r]));
      } else {
        for (int64_t r = r0 + lane; r < r1; r += 32) acc = Op::combine(acc, Op::template load<S>(base[g.red_off(r)]));
      }
    } else {
      for (int64_t r = r0 + lane; r < r1; r += 32) acc = Op::combine(acc, Op::template load<S>(base[g.red_off(r)]));
    }
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) acc = Op::combine(acc, shfl_down(acc, d));
    if (lane == 0) {
      if constexpr (std::is_floating_point<T>::value) {
        if (mean_n >= 0) acc = acc / (T)mean_n;  // mean: divided by the reduced count (0/0 is NaN, as the CPU)
      }
      out[w] = acc;
    }
  }
}

// columns: block (32, 8); blockIdx.x over tiles of 32 outputs, blockIdx.y the chunk; writes out[o * chunks + chunk]
template <typename Op, typename S>
__global__ void reduce_cols_k(RedGeom g, const S* in, decltype(Op::identity())* out, int64_t chunk_len, bool mean) {
  using T = decltype(Op::identity());
  __shared__ T part[8][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t chunks = gridDim.y, ch = blockIdx.y;
  const int64_t r0 = ch * chunk_len, r1 = r0 + chunk_len < g.R ? r0 + chunk_len : g.R;
  const int64_t tiles = (g.O + 31) / 32;
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    int64_t o = tile * 32 + tx;
    T acc = Op::identity();
    if (o < g.O) {
      const S* base = in + g.outer_off(o);
      for (int64_t r = r0 + ty; r < r1; r += 8) acc = Op::combine(acc, Op::template load<S>(base[g.red_off(r)]));
    }
    part[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && o < g.O) {
      T a = part[0][tx];
#pragma unroll
      for (int k = 1; k < 8; k++) a = Op::combine(a, part[k][tx]);
      if constexpr (std::is_floating_point<T>::value) {
        if (mean && chunks == 1) a = a / (T)g.R;
      }
      out[o * chunks + ch] = a;
    }
    __syncthreads();
  }
}

template <typename Op, typename S>
void reduce_with(const TensorArg& out, const TensorArg& in, int nred, bool mean, int dev) {
  using T = decltype(Op::identity());
  RedGeom g = make_geom(in, nred);
  if (g.O == 0) return;
  // results of type T go straight into t0 when it is contiguous of that dtype, else into a temporary cast after
  DevTemp obuf;
  T* dst;
  if (out.dtype == dtype_of<T>() && out.contiguous()) dst = (T*)out.data;
  else { make_temp(out, dtype_of<T>(), dev, obuf); dst = (T*)obuf.p; }
  const S* src = (const S*)in.data;
  const int64_t target_threads = (int64_t)sm_count(dev) * 1024;
  bool columns = (g.ond > 0 && g.ost[g.ond - 1] == 1 && g.osh[g.ond - 1] >= 8 && !(g.rnd > 0 && g.rst[g.rnd - 1] == 1)) ||
                 g.R < 32;
  int64_t chunks = 1;
  DevTemp pbuf;
  if (columns) {
    int64_t tiles = (g.O + 31) / 32;
    if (tiles * 256 < target_threads && g.R >= 8 * 64)
      chunks = std::min<int64_t>((target_threads / 256 + tiles - 1) / tiles, (g.R + 8 * 64 - 1) / (8 * 64));
    chunks = std::min<int64_t>(chunks, 65535);
    int64_t chunk_len = (g.R + chunks - 1) / chunks;
    T* first = dst;
    if (chunks > 1) { pbuf.alloc((size_t)(g.O * chunks) * sizeof(T), dev); first = (T*)pbuf.p; }
    dim3 grid((unsigned)std::min<int64_t>(tiles, 65535), (unsigned)chunks);
    reduce_cols_k<Op, S><<<grid, dim3(32, 8), 0, stream()>>>(g, src, first, chunk_len, mean);
    check_launch();
  } else {
    if (g.O * 32 < target_threads && g.R >= 32 * 64)
      chunks = std::min<int64_t>((target_threads / 32 + g.O - 1) / g.O, (g.R + 32 * 64 - 1) / (32 * 64));
    int64_t chunk_len = (g.R + chunks - 1) / chunks;
    T* first = dst;
    if (chunks > 1) { pbuf.alloc((size_t)(g.O * chunks) * sizeof(T), dev); first = (T*)pbuf.p; }
    int64_t warps = g.O * chunks;
    unsigned blocks = (unsigned)std::max<int64_t>(1, std::min<int64_t>((warps + 7) / 8, 65536));
    const bool vec = sizeof(S) == 2 && g.rnd == 1 && g.rst[0] == 1;  // 16-bit contiguous rows: vectorised loads
    reduce_rows_k<Op, S><<<blocks, 256, 0, stream()>>>(g, src, first, chunks, chunk_len, mean && chunks == 1 ? g.R : -1, vec);
    check_launch();
  }
  if (chunks > 1) {  // merge the partials [O, chunks] in order; mean divides by the original reduced count
    RedGeom m;
    for (int d = 0; d < kMaxDims; d++) { m.osh[d] = m.rsh[d] = 1; m.ost[d] = m.rst[d] = 0; }
    m.ond = 1; m.osh[0] = g.O; m.ost[0] = chunks;
    m.rnd = 1; m.rsh[0] = chunks; m.rst[0] = 1;
    m.O = g.O;
    m.R = chunks;
    m.prepare();
    unsigned blocks = (unsigned)std::max<int64_t>(1, std::min<int64_t>((g.O + 7) / 8, 65536));
    reduce_rows_k<MergeOf<Op>, T><<<blocks, 256, 0, stream()>>>(m, (const T*)pbuf.p, dst, 1, chunks, mean ? g.R : -1, false);
    check_launch();
  }
  if (obuf.p) copy_cast(out, obuf.t);
}

template <typename S>
void reduce_typed(const TensorArg& out, const TensorArg& in, int code, int nred, int dev) {
  using T = typename NatT<S>::type;
  switch (code) {
    case R_SUM: reduce_with<SumOp<T>, S>(out, in, nred, false, dev); break;
    case R_MEAN: reduce_with<SumOp<T>, S>(out, in, nred, true, dev); break;
    case R_NANSUM: reduce_with<NansumOp<T>, S>(out, in, nred, false, dev); break;
    case R_SUMABS: reduce_with<SumAbsOp<T>, S>(out, in, nred, false, dev); break;
    case R_SUMSQ: reduce_with<SumSqOp<T>, S>(out, in, nred, false, dev); break;
    case R_PROD: reduce_with<ProdOp<T>, S>(out, in, nred, false, dev); break;
    case R_MAX: reduce_with<MaxOp<typename CmpT<S>::type>, S>(out, in, nred, false, dev); break;
    case R_MIN: reduce_with<MinOp<typename CmpT<S>::type>, S>(out, in, nred, false, dev); break;
    case R_ALL: reduce_with<AllOp<int64_t>, S>(out, in, nred, false, dev); break;
    case R_ANY: reduce_with<AnyOp<int64_t>, S>(out, in, nred, false, dev); break;
    default: throw TorchError("reduce: internal: bad op code");
  }
}

void reduce_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("reduce: internal: expected 2 tensors");
  int dev = call_device(c);
  set_device(dev);
  const ReduceArgs a = reduce_args(c);
  const TensorArg& out = c.t[0];
  const TensorArg* in = &c.t[1];
  DevTemp tmp;
  if (a.convert) { make_compact_copy(*in, a.ct, dev, tmp); in = &tmp.t; }
  NT_DISPATCH_ALL(in->dtype, S, reduce_typed<S>(out, *in, a.code, a.nred, dev));
}

// ---------------------------------------------------------------------------------------------------------------
// row kernels of the family (cpu/reduce.cc's conventions): arg_reduce, var, softmax, softmax_backward, scan.
// One warp per row (per output for var); rows are walked through an Indexer over the operands' leading dims.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
__device__ __forceinline__ T shfl_xor(T v, int mask) {
  if constexpr (std::is_same<T, double>::value || std::is_same<T, float>::value) return __shfl_xor_sync(0xffffffffu, v, mask);
  else if constexpr (sizeof(T) == 8) return (T)__shfl_xor_sync(0xffffffffu, (long long)v, mask);
  else return (T)__shfl_xor_sync(0xffffffffu, (int)v, mask);
}
template <typename T> __device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
  for (int m = 16; m > 0; m >>= 1) v += shfl_xor(v, m);
  return v;
}
template <typename T> __device__ __forceinline__ T warp_max(T v) {
#pragma unroll
  for (int m = 16; m > 0; m >>= 1) v = max_nan(v, shfl_xor(v, m));
  return v;
}

// Indexer over the leading dims (all but the last) of N operands that share them; returns the row count.
template <int N>
int64_t row_indexer(const TensorArg* const* ts, Indexer<N>& ix) {
  TensorArg lead[N];
  const TensorArg* lp[N];
  for (int k = 0; k < N; k++) {
    lead[k] = *ts[k];
    lead[k].ndim = ts[k]->ndim > 0 ? ts[k]->ndim - 1 : 0;
    lp[k] = &lead[k];
  }
  return make_indexer<N>(lp, ix);
}
inline int64_t last_len(const TensorArg& t) { return t.ndim ? t.shape[t.ndim - 1] : 1; }
inline int64_t last_stride(const TensorArg& t) { return t.ndim ? t.stride[t.ndim - 1] : 0; }
inline unsigned warp_blocks(int64_t rows) { return (unsigned)std::max<int64_t>(1, std::min<int64_t>((rows + 7) / 8, 65536)); }

#define NT_WARP_ROWS(row, rows)                                                                              \
  for (int64_t row = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32; row < (rows);                    \
       row += (int64_t)gridDim.x * (blockDim.x / 32))

// ---- arg_reduce
template <typename S>
__global__ void arg_k(Indexer<3> ix, int64_t rows, int64_t n, int64_t* idx, S* val, bool with_val, const S* x, int64_t sx,
                      bool is_min) {
  using C = typename CmpT<S>::type;
  const int lane = threadIdx.x & 31;
  NT_WARP_ROWS(row, rows) {
    int64_t off[3];
    ix.offsets(row, off);
    const S* xr = x + off[2];
    C best = C(0);
    int64_t bi = -1;
    for (int64_t i = lane; i < n; i += 32) {
      C v = cvt<C>(xr[i * sx]);
      if (bi < 0 || (is_min ? arg_better_min(v, best) : arg_better_max(v, best))) { best = v; bi = i; }
    }
    // the best under (NaN first, then the extreme value, then the smaller index): the sequential scan's answer
#pragma unroll
    for (int m = 16; m > 0; m >>= 1) {
      C ob = shfl_xor(best, m);
      int64_t oi = shfl_xor(bi, m);
      if (oi < 0) continue;
      bool other_better = is_min ? arg_better_min(ob, best) : arg_better_max(ob, best);
      bool mine_better = is_min ? arg_better_min(best, ob) : arg_better_max(best, ob);
      if (bi < 0 || other_better || (!mine_better && oi < bi)) { best = ob; bi = oi; }
    }
    if (lane == 0) {
      idx[off[0]] = bi;
      if (with_val) val[off[1]] = xr[bi * sx];
    }
  }
}

template <typename S>
void arg_typed(Call& c, bool is_min) {
  const TensorArg& in = c.t[c.nt - 1];
  const bool with_values = c.nt == 3;
  // the outputs have the input's leading dims only: give them a size-1 last dim, which row_indexer drops again
  TensorArg o[2] = {c.t[0], with_values ? c.t[1] : c.t[0]};
  for (TensorArg& t : o) {
    t.shape[t.ndim] = 1;
    t.stride[t.ndim] = 0;
    t.ndim++;
  }
  const TensorArg* ts[3] = {&o[0], &o[1], &in};
  Indexer<3> ix;
  int64_t rows = row_indexer<3>(ts, ix);
  if (rows == 0) return;
  arg_k<S><<<warp_blocks(rows), 256, 0, stream()>>>(ix, rows, last_len(in), (int64_t*)c.t[0].data,
                                                    with_values ? (S*)c.t[1].data : nullptr, with_values, (const S*)in.data,
                                                    last_stride(in), is_min);
  check_launch();
}

void arg_reduce_kernel(Call& c) {
  if (c.nt != 2 && c.nt != 3) throw TorchError("arg_reduce: internal: expected 2 or 3 tensors");
  set_device(call_device(c));
  const TensorArg& in = c.t[c.nt - 1];
  check_arg_reduce_shapes(c);
  if (c.t[0].dtype != DType::I64) throw TorchError("arg_reduce: internal: indices must be int64");
  if (c.nt == 3 && c.t[1].dtype != in.dtype) throw TorchError("arg_reduce: internal: values dtype mismatch");
  if (arg_reduce_empty(c)) return;
  bool is_min = c.attr(0) != 0;
  NT_DISPATCH_ALL(in.dtype, S, arg_typed<S>(c, is_min));
}

// ---- var: Welford per lane in double, lanes merged with Chan's formula (kernels/reduce.h). With too few outputs to
// fill the GPU (BatchNorm: C outputs) the reduced range is split into chunks, one warp per (output, chunk) writing a
// partial (n, mean, m2), and a second pass merges each output's partials in chunk order (welford_merge).
template <typename S>
__global__ void var_k(RedGeom g, const S* x, int64_t chunks, int64_t chunk_len, VarAcc* part, double* var, double* mean,
                      double correction) {
  const int lane = threadIdx.x & 31;
  NT_WARP_ROWS(w, g.O * chunks) {
    const int64_t o = w / chunks, ch = w - o * chunks;
    const int64_t r0 = ch * chunk_len, r1 = r0 + chunk_len < g.R ? r0 + chunk_len : g.R;
    const S* base = x + g.outer_off(o);
    VarAcc a = var_identity();
    for (int64_t r = r0 + lane; r < r1; r += 32) a = welford_update(a, cvt<double>(base[g.red_off(r)]));
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) {
      VarAcc b;
      b.n = __shfl_down_sync(0xffffffffu, a.n, d);
      b.mean = __shfl_down_sync(0xffffffffu, a.mean, d);
      b.m2 = __shfl_down_sync(0xffffffffu, a.m2, d);
      if (lane + d < 32) a = welford_merge(a, b);
    }
    if (lane == 0) {
      if (part) {
        part[w] = a;
      } else {
        var[o] = var_finish(a, correction);
        if (mean) mean[o] = g.R > 0 ? a.mean : NAN;
      }
    }
  }
}

__global__ void var_merge_k(int64_t O, int64_t chunks, const VarAcc* part, double* var, double* mean, double correction,
                            int64_t R) {
  NT_KERNEL_LOOP(o, O) {
    VarAcc a = var_identity();
    for (int64_t ch = 0; ch < chunks; ch++) a = welford_merge(a, part[o * chunks + ch]);
    var[o] = var_finish(a, correction);
    if (mean) mean[o] = R > 0 ? a.mean : NAN;
  }
}

template <typename S>
void var_typed(const RedGeom& g, const S* x, double* var, double* mean, double correction, int dev) {
  const int64_t target_threads = (int64_t)sm_count(dev) * 1024;
  int64_t chunks = 1;
  if (g.O * 32 < target_threads && g.R >= 32 * 64)
    chunks = std::min<int64_t>((target_threads / 32 + g.O - 1) / g.O, (g.R + 32 * 64 - 1) / (32 * 64));
  const int64_t chunk_len = (g.R + chunks - 1) / chunks;
  DevTemp pbuf;
  VarAcc* part = nullptr;
  if (chunks > 1) part = (VarAcc*)pbuf.alloc((size_t)(g.O * chunks) * sizeof(VarAcc), dev);
  var_k<S><<<warp_blocks(g.O * chunks), 256, 0, stream()>>>(g, x, chunks, chunk_len, part, var, mean, correction);
  check_launch();
  if (part) launch_1d(var_merge_k, g.O, g.O, chunks, (const VarAcc*)part, var, mean, correction, g.R);
}

void var_kernel(Call& c) {
  if (c.nt != 2 && c.nt != 3) throw TorchError("var: internal: expected 2 or 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  const TensorArg& in = c.t[c.nt - 1];
  int nred;
  double correction;
  var_args(c, nred, correction);
  RedGeom g = make_geom(in, nred);
  if (g.O == 0) return;
  DevTemp tv, tm;
  make_temp(c.t[0], DType::F64, dev, tv);
  if (c.nt == 3) make_temp(c.t[1], DType::F64, dev, tm);
  double* mp = c.nt == 3 ? (double*)tm.p : nullptr;
  switch (in.dtype) {
    case DType::F32: var_typed<float>(g, (const float*)in.data, (double*)tv.p, mp, correction, dev); break;
    case DType::F64: var_typed<double>(g, (const double*)in.data, (double*)tv.p, mp, correction, dev); break;
    case DType::F16: var_typed<f16>(g, (const f16*)in.data, (double*)tv.p, mp, correction, dev); break;
    default: var_typed<bf16>(g, (const bf16*)in.data, (double*)tv.p, mp, correction, dev); break;
  }
  copy_cast(c.t[0], tv.t);
  if (c.nt == 3) copy_cast(c.t[1], tm.t);
}

// ---- softmax / log_softmax along the last dim, in float (16/32-bit floats) or double
template <typename S>
__global__ void softmax_k(Indexer<2> ix, int64_t rows, int64_t n, S* y, int64_t so, const S* x, int64_t si, bool log) {
  using C = typename NatT<S>::type;
  const int lane = threadIdx.x & 31;
  NT_WARP_ROWS(row, rows) {
    int64_t off[2];
    ix.offsets(row, off);
    S* yr = y + off[0];
    const S* xr = x + off[1];
    C mx = lowest_<C>();
    for (int64_t i = lane; i < n; i += 32) mx = max_nan(mx, cvt<C>(xr[i * si]));
    mx = warp_max(mx);
    C sum = 0;
    for (int64_t i = lane; i < n; i += 32) sum += RM_(exp)(cvt<C>(xr[i * si]) - mx);
    sum = warp_sum(sum);
    if (log) {
      C ls = RM_(log)(sum);
      for (int64_t i = lane; i < n; i += 32) yr[i * so] = cvt<S>(softmax_out(cvt<C>(xr[i * si]), mx, ls, true));
    } else {
      C inv = C(1) / sum;
      for (int64_t i = lane; i < n; i += 32) yr[i * so] = cvt<S>(RM_(exp)(cvt<C>(xr[i * si]) - mx) * inv);
    }
  }
}

template <typename S>
__global__ void softmax_bw_k(Indexer<3> ix, int64_t rows, int64_t n, S* o, int64_t s0, const S* g, int64_t s1, const S* y,
                             int64_t s2, bool log) {
  using C = typename NatT<S>::type;
  const int lane = threadIdx.x & 31;
  NT_WARP_ROWS(row, rows) {
    int64_t off[3];
    ix.offsets(row, off);
    S* orow = o + off[0];
    const S* gr = g + off[1];
    const S* yr = y + off[2];
    C s = 0;
    if (log) for (int64_t i = lane; i < n; i += 32) s += cvt<C>(gr[i * s1]);
    else for (int64_t i = lane; i < n; i += 32) s += cvt<C>(gr[i * s1]) * cvt<C>(yr[i * s2]);
    s = warp_sum(s);
    for (int64_t i = lane; i < n; i += 32) orow[i * s0] = cvt<S>(softmax_grad(cvt<C>(gr[i * s1]), cvt<C>(yr[i * s2]), s, log));
  }
}

template <typename S>
void softmax_typed(const TensorArg& out, const TensorArg& in, bool log) {
  const TensorArg* ts[2] = {&out, &in};
  Indexer<2> ix;
  int64_t rows = row_indexer<2>(ts, ix), n = last_len(in);
  if (rows == 0 || n == 0) return;
  softmax_k<S><<<warp_blocks(rows), 256, 0, stream()>>>(ix, rows, n, (S*)out.data, last_stride(out), (const S*)in.data,
                                                        last_stride(in), log);
  check_launch();
}

void softmax_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("softmax: internal: expected 2 tensors");
  set_device(call_device(c));
  bool log = softmax_args(c);
  NT_DISPATCH_SOFTMAX(c.t[1].dtype, "softmax", S, softmax_typed<S>(c.t[0], c.t[1], log));
}

template <typename S>
void softmax_backward_typed(const TensorArg& gi, const TensorArg& go, const TensorArg& y, bool log) {
  const TensorArg* ts[3] = {&gi, &go, &y};
  Indexer<3> ix;
  int64_t rows = row_indexer<3>(ts, ix), n = last_len(gi);
  if (rows == 0 || n == 0) return;
  softmax_bw_k<S><<<warp_blocks(rows), 256, 0, stream()>>>(ix, rows, n, (S*)gi.data, last_stride(gi), (const S*)go.data,
                                                           last_stride(go), (const S*)y.data, last_stride(y), log);
  check_launch();
}

void softmax_backward_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("softmax_backward: internal: expected 3 tensors");
  set_device(call_device(c));
  bool log = softmax_backward_args(c);
  DType dt = c.t[0].dtype;
  NT_DISPATCH_SOFTMAX(dt, "softmax_backward", S, softmax_backward_typed<S>(c.t[0], c.t[1], c.t[2], log));
}

// ---- scan: cumsum / cumprod along the last dim in a double (floats) or int64 accumulator, as the CPU.
// A block per (row, segment): the segment is walked in tiles of blockDim.x * kScanItems elements, loaded coalesced
// into shared memory, each thread scans its kScanItems consecutive entries, a block-wide exclusive scan of the
// thread totals (shuffles + one warp over the warp totals) gives each thread its prefix, and the tile's total carries
// into the next tile. Long rows with few rows split into segments: pass 1 reduces each segment, pass 2 scans the
// segment totals per row (this kernel again), pass 3 scans each segment from its carry-in.
// Integer results are the CPU's exactly (wrapping sums/products are associative); float results are the same sums
// and products in another (tree) order: within double rounding of the CPU's serial double accumulator, then rounded
// to the output dtype (float32/16 outputs almost always bit-equal; float64 within a few ulps times log n).
constexpr int kScanItems = 8;

template <typename T>
__device__ __forceinline__ T shfl_up(T v, int delta) {
  if constexpr (std::is_same<T, double>::value || std::is_same<T, float>::value) return __shfl_up_sync(0xffffffffu, v, delta);
  else return (T)__shfl_up_sync(0xffffffffu, (long long)v, delta);
}

// exclusive scan of one value per thread over the block (blockDim.x a multiple of 32); *total gets the block's total
template <typename A>
__device__ __forceinline__ A block_exclusive(A v, bool prod, A ident, A* warp_tot, A& total) {
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
  A inc = v;
#pragma unroll
  for (int d = 1; d < 32; d <<= 1) {
    const A o = shfl_up(inc, d);
    if (lane >= d) inc = scan_combine(o, inc, prod);
  }
  if (lane == 31) warp_tot[wid] = inc;
  __syncthreads();
  if (wid == 0) {
    A w = lane < nw ? warp_tot[lane] : ident;
#pragma unroll
    for (int d = 1; d < 32; d <<= 1) {
      const A o = shfl_up(w, d);
      if (lane >= d) w = scan_combine(o, w, prod);
    }
    if (lane < nw) warp_tot[lane] = w;
  }
  __syncthreads();
  const A wpre = wid ? warp_tot[wid - 1] : ident;
  total = warp_tot[nw - 1];
  A ex = shfl_up(inc, 1);
  if (lane == 0) ex = ident;
  __syncthreads();  // warp_tot is reused by the next call
  return wid ? scan_combine(wpre, ex, prod) : ex;
}

// pass 1: the combine of each (row, segment) into tot[row * nseg + seg]
template <typename S, typename A>
__global__ void scan_tot_k(Indexer<2> ix, int64_t rows, int64_t n, const S* x, int64_t si, bool prod, int64_t nseg,
                           int64_t seglen, A* tot) {
  __shared__ A warp_tot_p[32];
  const A ident = prod ? A(1) : A(0);
  for (int64_t w = blockIdx.x; w < rows * nseg; w += gridDim.x) {
    const int64_t row = w / nseg, seg = w - row * nseg;
    int64_t off[2];
    ix.offsets(row, off);
    const S* xr = x + off[1];
    const int64_t lo = seg * seglen, hi = lo + seglen < n ? lo + seglen : n;
    A acc = ident;
    for (int64_t r = lo + threadIdx.x; r < hi; r += blockDim.x) acc = scan_combine(acc, cvt<A>(xr[r * si]), prod);
    A total;
    block_exclusive(acc, prod, ident, warp_tot_p, total);
    if (threadIdx.x == 0) tot[w] = total;
  }
}

// pass 3 (or the only pass): inclusive scan of each (row, segment) from the carry-in seg_incl[row * nseg + seg - 1]
template <typename S, typename O, typename A>
__global__ void scan_k(Indexer<2> ix, int64_t rows, int64_t n, O* y, int64_t so, const S* x, int64_t si, bool prod,
                       int64_t nseg, int64_t seglen, const A* seg_incl) {
  extern __shared__ __align__(16) unsigned char scan_smem[];
  A* tile = reinterpret_cast<A*>(scan_smem);
  __shared__ A warp_tot_s[32];
  const A ident = prod ? A(1) : A(0);
  const int T = blockDim.x;
  const int64_t TILE = (int64_t)T * kScanItems;
  for (int64_t w = blockIdx.x; w < rows * nseg; w += gridDim.x) {
    const int64_t row = w / nseg, seg = w - row * nseg;
    int64_t off[2];
    ix.offsets(row, off);
    O* yr = y + off[0];
    const S* xr = x + off[1];
    const int64_t lo = seg * seglen, hi = lo + seglen < n ? lo + seglen : n;
    A carry = seg > 0 && seg_incl ? seg_incl[w - 1] : ident;
    for (int64_t t0 = lo; t0 < hi; t0 += TILE) {
      const int64_t m = hi - t0 < TILE ? hi - t0 : TILE;
      for (int k = threadIdx.x; k < TILE; k += T) tile[k] = k < m ? cvt<A>(xr[(t0 + k) * si]) : ident;
      __syncthreads();
      A* mine = tile + threadIdx.x * kScanItems;
      A acc = mine[0];
#pragma unroll
      for (int j = 1; j < kScanItems; j++) {
        acc = scan_combine(acc, mine[j], prod);
        mine[j] = acc;
      }
      A total;
      const A ex = block_exclusive(acc, prod, ident, warp_tot_s, total);
      const A base = scan_combine(carry, ex, prod);
#pragma unroll
      for (int j = 0; j < kScanItems; j++) mine[j] = scan_combine(base, mine[j], prod);
      __syncthreads();
      for (int k = threadIdx.x; k < m; k += T) yr[(t0 + k) * so] = cvt<O>(tile[k]);
      carry = scan_combine(carry, total, prod);
      __syncthreads();
    }
  }
}

inline int scan_threads(int64_t len) {
  int64_t t = (len + kScanItems - 1) / kScanItems;
  t = (t + 31) / 32 * 32;
  return (int)std::max<int64_t>(32, std::min<int64_t>(256, t));
}

// y = scan of x along the last dim; the rows of the leading dims through ix
template <typename S, typename O, typename A>
void scan_run(const Indexer<2>& ix, int64_t rows, int64_t n, O* y, int64_t so, const S* x, int64_t si, bool prod, int dev) {
  const int64_t sms = sm_count(dev);
  int64_t nseg = 1, seglen = n;
  const int64_t tile_max = 256 * kScanItems;
  if (rows < sms * 2 && n > 2 * tile_max) {
    nseg = std::min<int64_t>((n + tile_max - 1) / tile_max, (sms * 4 + rows - 1) / rows);
    seglen = ((n + nseg - 1) / nseg + tile_max - 1) / tile_max * tile_max;
    nseg = (n + seglen - 1) / seglen;
  }
  const int threads = scan_threads(seglen);
  const size_t smem = (size_t)threads * kScanItems * sizeof(A);
  const unsigned blocks = (unsigned)std::min<int64_t>(rows * nseg, 65535);
  if (nseg == 1) {
    scan_k<S, O, A><<<blocks, threads, smem, stream()>>>(ix, rows, n, y, so, x, si, prod, 1, n, (const A*)nullptr);
    check_launch();
    return;
  }
  DevTemp tb;
  A* tot = (A*)tb.alloc((size_t)(rows * nseg) * sizeof(A), dev);
  scan_tot_k<S, A><<<blocks, 256, 0, stream()>>>(ix, rows, n, x, si, prod, nseg, seglen, tot);
  check_launch();
  {  // the segment totals [rows, nseg], contiguous, scanned in place per row
    TensorArg t;
    t.dtype = dtype_of<A>();
    t.ndim = 2;
    t.shape[0] = rows; t.shape[1] = nseg;
    t.stride[0] = nseg; t.stride[1] = 1;
    const TensorArg* ts[2] = {&t, &t};
    Indexer<2> tix;
    row_indexer<2>(ts, tix);
    const int tthreads = scan_threads(nseg);
    scan_k<A, A, A><<<(unsigned)std::min<int64_t>(rows, 65535), tthreads, (size_t)tthreads * kScanItems * sizeof(A),
                      stream()>>>(tix, rows, nseg, tot, 1, (const A*)tot, 1, prod, 1, nseg, (const A*)nullptr);
    check_launch();
  }
  scan_k<S, O, A><<<blocks, threads, smem, stream()>>>(ix, rows, n, y, so, x, si, prod, nseg, seglen, (const A*)tot);
  check_launch();
}

template <typename S>
void scan_typed(const TensorArg& out, const TensorArg& in, bool prod, int dev) {
  using A = typename std::conditional<std::is_floating_point<typename NatT<S>::type>::value, double, int64_t>::type;
  using O = typename std::conditional<std::is_same<A, double>::value, S, int64_t>::type;
  const TensorArg* ts[2] = {&out, &in};
  Indexer<2> ix;
  int64_t rows = row_indexer<2>(ts, ix), n = last_len(in);
  if (rows == 0 || n == 0) return;
  scan_run<S, O, A>(ix, rows, n, (O*)out.data, last_stride(out), (const S*)in.data, last_stride(in), prod, dev);
}

void scan_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("scan: internal: expected 2 tensors");
  int dev = call_device(c);
  set_device(dev);
  DType natural_out;
  bool prod = scan_args(c, natural_out);
  const TensorArg& in = c.t[1];
  if (c.t[0].dtype == natural_out) {
    NT_DISPATCH_ALL(in.dtype, S, scan_typed<S>(c.t[0], in, prod, dev));
  } else {
    DevTemp t;
    make_temp(c.t[0], natural_out, dev, t);
    NT_DISPATCH_ALL(in.dtype, S, scan_typed<S>(t.t, in, prod, dev));
    copy_cast(c.t[0], t.t);
  }
}

}  // namespace

void scan_i64_inplace(int64_t* data, int64_t n, int dev) {
  if (n <= 0) return;
  TensorArg t;
  t.dtype = DType::I64;
  t.data = (char*)data;
  t.ndim = 1;
  t.shape[0] = n;
  t.stride[0] = 1;
  const TensorArg* ts[2] = {&t, &t};
  Indexer<2> ix;
  const int64_t rows = row_indexer<2>(ts, ix);
  scan_run<int64_t, int64_t, int64_t>(ix, rows, n, data, 1, data, 1, false, dev);
}

REGISTER_KERNEL(reduce, CUDA, reduce_kernel);
REGISTER_KERNEL(arg_reduce, CUDA, arg_reduce_kernel);
REGISTER_KERNEL(var, CUDA, var_kernel);
REGISTER_KERNEL(softmax, CUDA, softmax_kernel);
REGISTER_KERNEL(softmax_backward, CUDA, softmax_backward_kernel);
REGISTER_KERNEL(scan, CUDA, scan_kernel);

}  // namespace cu
}  // namespace nt
