// index.cu - the indexing kernels (gather, scatter, index_select, index_add, nonzero, put) on CUDA, with exactly the
// tensor/attr conventions, checks and error messages of cpu/index.cc (see the convention list at its top):
//   gather        t0 out (shape of t2), t1 src, t2 index (same ndim as src);   a0 dim
//   scatter       in place on t0: t1 index, t2 src; a0 dim, a1 mode: 0 assign, 1 add, 2 multiply
//   index_select  t0 out, t1 src, t2 index (0-d or 1-d); a0 dim; a1 mode 0 / 1 (negatives wrap) / 2 (normalise only);
//                 a2 error wording
//   index_add     in place on t0: t0.select(a0, t1[i]) += a1 * t2.select(a0, i);  a2 = 1: negative indices wrap
//   nonzero       one tensor: result = count; two tensors: t0 int64 [n, ndim] <- C-order coordinates of t1's non-zeros
//   put           in place on t0: t0.flatten()[t1] = t2 (a0 = 0) or += t2 (a0 = 1); negatives count from the end
//
// Bounds: every index tensor is validated ON THE DEVICE before the op's kernel: a check kernel records the first bad
// position (C order) with an atomic min in an 8-byte device flag, and the host reads back that flag only (one 8-byte
// read, plus one more for the bad value when there is one): the index array never travels to the host. A bad index
// throws the CPU kernel's TorchError (PyTorch's message) and nothing is read or written out of bounds.
// Parallelism: gather/index_select one thread per output element; scatter, index_add and put one thread per index
// position (dim included), colliding updates through atomic_apply (common.cuh: a CAS loop around the shared NT_HD
// arithmetic). Integer, bool and multiply-free results equal the CPU's exactly; float add/multiply with repeated
// indices may differ from the CPU's serial order in the last bits on a GPU (the emulator runs threads in order and
// gives the serial result); assign with repeated indices leaves one of the values (PyTorch: undefined which).
// nonzero: truthiness flags as int64 on the device, an inclusive device scan (reduce.cu's scan_i64_inplace), one
// 8-byte read of the count, and a compaction kernel that writes the coordinates.
//
// Shared with cpu/index.cc: the argument checks and error messages (native/kernels/index_check.h) and the
// storage-type arithmetic add_scaled / mul_vals (native/kernels/index.h, NT_HD).
#include <algorithm>
#include <string>
#include <vector>
#include "common.cuh"
#include "../native/kernels/index.h"
#include "../native/kernels/index_check.h"

namespace nt {
namespace cu {

namespace {

using namespace idx;

// First position (C order over idx's dims, broadcast dims dropped) whose value is outside [lo, size); ~0 when none.
__global__ void check_idx_k(Indexer<1> ix, int64_t n, const int64_t* idx, int64_t lo, int64_t size, unsigned long long* bad) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[1];
    ix.offsets(i, o);
    const int64_t v = idx[o[0]];
    if (v < lo || v >= size) atomic_min_u64(bad, (unsigned long long)i);
  }
}

// cpu/index.cc's check_indices, on the device: the first bad value (C order) throws PyTorch's message.
void check_indices(const TensorArg& idx, int dev, int64_t size, bool wrap, Wording w, int64_t report_dim) {
  TensorArg r = idx;  // broadcast (stride-0) dims repeat the same values: check each value once
  r.ndim = 0;
  for (int d = 0; d < idx.ndim; d++) {
    if (idx.stride[d] == 0 && idx.shape[d] > 0) continue;
    r.shape[r.ndim] = idx.shape[d];
    r.stride[r.ndim] = idx.stride[d];
    r.ndim++;
  }
  const TensorArg* ts[1] = {&r};
  Indexer<1> ix;
  const int64_t n = make_indexer<1>(ts, ix);
  if (n == 0) return;
  DevTemp flag;
  flag.alloc(sizeof(unsigned long long), dev);
  CUDA_CHECK(cudaMemsetAsync(flag.p, 0xff, sizeof(unsigned long long), stream()));
  launch_1d(check_idx_k, n, ix, n, (const int64_t*)idx.data, wrap ? -size : 0, size, (unsigned long long*)flag.p);
  unsigned long long pos = 0;
  memcpy_d2h(&pos, flag.p, sizeof(pos));
  if (pos == ~0ull) return;
  // the offset of position pos (the indexer's arithmetic, on the host) and the one bad value
  int64_t lin = (int64_t)pos, off = 0;
  for (int d = ix.ndim - 1; d >= 0; d--) {
    const int64_t s = ix.shape[d], q = d > 0 ? lin / s : 0;
    off += (lin - q * s) * ix.stride[0][d];
    lin = q;
  }
  int64_t v = 0;
  memcpy_d2h(&v, (const int64_t*)idx.data + off, sizeof(v));
  throw_bad_index(v, size, w, report_dim);
}

// ---- the gather-style kernel shared by gather and index_select ----------------------------------------------
// out, src' and idx' have the iteration shape; src' has stride 0 along `dim`, the kernel adds idx * src_dim_stride.
template <typename T>
__global__ void gather_k(Indexer<3> ix, int64_t n, T* out, const T* src, const int64_t* idx, int64_t sdim, int64_t wrap_size) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[3];
    ix.offsets(i, o);
    int64_t v = idx[o[2]];
    if (v < 0) v += wrap_size;
    out[o[0]] = src[o[1] + v * sdim];
  }
}

template <typename T>
void gather_launch(const TensorArg& out, const TensorArg& srcv, const TensorArg& idxv, int64_t sdim, int64_t wrap_size) {
  const TensorArg* ts[3] = {&out, &srcv, &idxv};
  Indexer<3> ix;
  int64_t n = make_indexer<3>(ts, ix);
  launch_1d(gather_k<T>, n, ix, n, (T*)out.data, (const T*)srcv.data, (const int64_t*)idxv.data, sdim, wrap_size);
}

// ---- gather --------------------------------------------------------------------------------------------------
void gather_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("gather: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  TensorArg out = as_1d(c.t[0]), src = as_1d(c.t[1]), idx = as_1d(c.t[2]);
  int dim = check_gather(c, out, src, idx);
  if (idx.numel() == 0) return;
  check_indices(idx, dev, src.shape[dim], false, kDimWords, dim);
  TensorArg sv = src;
  for (int d = 0; d < src.ndim; d++) sv.shape[d] = idx.shape[d];
  sv.stride[dim] = 0;
  NT_DISPATCH_ALL(src.dtype, T, gather_launch<T>(out, sv, idx, src.stride[dim], 0));
}

// ---- scatter -------------------------------------------------------------------------------------------------
// One thread per index position: self' (stride 0 along dim) + idx * self.stride[dim]; add/multiply through atomics.
template <typename T>
__global__ void scatter_k(Indexer<3> ix, int64_t n, T* self, const int64_t* idx, const T* src, int64_t dsd, int mode) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[3];
    ix.offsets(i, o);
    T* d = self + o[0] + idx[o[1]] * dsd;
    const T x = src[o[2]];
    if (mode == 0) *d = x;
    else if (mode == 1) atomic_apply(d, [x](T a) { return add_scaled<T>(a, x, 1.0); });
    else atomic_apply(d, [x](T a) { return mul_vals<T>(a, x); });
  }
}

template <typename T>
void scatter_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, int mode) {
  TensorArg selfV = self, srcV = src;
  for (int d = 0; d < idx.ndim; d++) selfV.shape[d] = srcV.shape[d] = idx.shape[d];
  selfV.stride[dim] = 0;
  const TensorArg* ts[3] = {&selfV, &idx, &srcV};
  Indexer<3> ix;
  int64_t n = make_indexer<3>(ts, ix);
  launch_1d(scatter_k<T>, n, ix, n, (T*)self.data, (const int64_t*)idx.data, (const T*)src.data, self.stride[dim], mode);
}

void scatter_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("scatter: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  TensorArg self = as_1d(c.t[0]), idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  int dim, mode;
  check_scatter(c, self, idx, src, dim, mode);
  if (idx.numel() == 0) return;
  check_indices(idx, dev, self.shape[dim], false, kDimWords, dim);
  NT_DISPATCH_ALL(self.dtype, T, scatter_typed<T>(self, idx, src, dim, mode));
}

// ---- index_select --------------------------------------------------------------------------------------------
__global__ void normalise_k(Indexer<2> ix, int64_t n, int64_t* out, const int64_t* idx, int64_t size) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    int64_t v = idx[o[1]];
    out[o[0]] = v < 0 ? v + size : v;
  }
}

void index_select_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("index_select: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  TensorArg out = as_1d(c.t[0]), src = as_1d(c.t[1]), idx = as_1d(c.t[2]);
  const SelectArgs sa = select_args(c, src, idx);
  const int dim = sa.dim, mode = sa.mode;
  const int64_t words = sa.words;
  const Wording w = sa.w;
  const int64_t size = src.shape[dim], n = idx.shape[0];
  if (mode == 2) {  // normalise only
    check_select_normalise_out(out, n);
    if (n == 0) return;
    check_indices(idx, dev, size, true, w, words);
    const TensorArg* ts[2] = {&out, &idx};
    Indexer<2> ix;
    int64_t m = make_indexer<2>(ts, ix);
    launch_1d(normalise_k, m, ix, m, (int64_t*)out.data, (const int64_t*)idx.data, size);
    return;
  }
  check_select_out(out, src, sa, n);
  if (out.numel() == 0) {
    if (n) check_indices(idx, dev, size, mode == 1, w, words);
    return;
  }
  check_indices(idx, dev, size, mode == 1, w, words);
  TensorArg sv = src, iv = out;
  sv.shape[dim] = n;
  sv.stride[dim] = 0;
  iv.dtype = DType::I64;
  iv.data = idx.data;
  for (int d = 0; d < out.ndim; d++) iv.stride[d] = d == dim ? idx.stride[0] : 0;
  NT_DISPATCH_ALL(src.dtype, T, gather_launch<T>(out, sv, iv, src.stride[dim], size));
}

// ---- index_add -----------------------------------------------------------------------------------------------
// One thread per src element: self' (stride 0 along dim) + idx[i] * self.stride[dim] += alpha * src, atomically.
template <typename T>
__global__ void index_add_k(Indexer<3> ix, int64_t n, T* self, const T* src, const int64_t* idx, int64_t dsd, double alpha,
                            int64_t size) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[3];
    ix.offsets(i, o);
    int64_t v = idx[o[2]];
    if (v < 0) v += size;
    const T x = src[o[1]];
    atomic_apply(self + o[0] + v * dsd, [x, alpha](T a) { return add_scaled<T>(a, x, alpha); });
  }
}

template <typename T>
void index_add_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, double alpha, int64_t size) {
  TensorArg selfV = self, idxV = src;
  for (int d = 0; d < src.ndim; d++) {
    selfV.shape[d] = src.shape[d];
    idxV.stride[d] = d == dim ? idx.stride[0] : 0;
  }
  selfV.stride[dim] = 0;
  idxV.dtype = DType::I64;
  idxV.data = idx.data;
  const TensorArg* ts[3] = {&selfV, &src, &idxV};
  Indexer<3> ix;
  int64_t n = make_indexer<3>(ts, ix);
  launch_1d(index_add_k<T>, n, ix, n, (T*)self.data, (const T*)src.data, (const int64_t*)idx.data, self.stride[dim], alpha,
            size);
}

void index_add_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("index_add: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  TensorArg self = as_1d(c.t[0]), idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  int dim;
  double alpha;
  bool wrap;
  check_index_add(c, self, idx, src, dim, alpha, wrap);
  if (idx.shape[0] == 0) return;
  check_indices(idx, dev, self.shape[dim], wrap, kDimWords, dim);
  if (src.numel() == 0) return;
  NT_DISPATCH_ALL(self.dtype, T, index_add_typed<T>(self, idx, src, dim, alpha, self.shape[dim]));
}

// ---- nonzero -------------------------------------------------------------------------------------------------
// cs = inclusive scan of the input's truthiness (cvt<bool>, NaN true) in C order; element i is a non-zero when
// cs[i] differs from cs[i-1], and its row is cs[i] - 1.
__global__ void nonzero_k(int64_t numel, const int64_t* cs, int nd, Indexer<1> coord, int64_t* out, int64_t rs, int64_t cst) {
  NT_KERNEL_LOOP(i, numel) {
    const int64_t c = cs[i];
    if (c == (i ? cs[i - 1] : 0)) continue;
    int64_t* o = out + (c - 1) * rs;
    int64_t lin = i;
    for (int d = nd - 1; d >= 0; d--) {
      const int64_t s = coord.shape[d], q = lin / s;
      o[d * cst] = lin - q * s;
      lin = q;
    }
  }
}

void nonzero_kernel(Call& c) {
  if (c.nt != 1 && c.nt != 2) throw TorchError("nonzero: internal: expected 1 or 2 tensors");
  int dev = call_device(c);
  set_device(dev);
  const TensorArg& in = c.t[c.nt == 1 ? 0 : 1];
  if (c.nt == 2) check_nonzero_out(c.t[0], in);
  const int64_t numel = in.numel();
  int64_t total = 0;
  DevTemp tcs;
  if (numel > 0) {
    DevTemp tb;
    make_temp(in, DType::BOOL, dev, tb);
    copy_cast(tb.t, in);
    make_temp(in, DType::I64, dev, tcs);
    copy_cast(tcs.t, tb.t);
    scan_i64_inplace((int64_t*)tcs.p, numel, dev);
    memcpy_d2h(&total, (const int64_t*)tcs.p + (numel - 1), sizeof(total));
  }
  c.result = (double)total;
  if (c.nt == 1) return;
  const TensorArg& out = c.t[0];
  check_nonzero_rows(out, total);
  const int nd = in.ndim;
  if (total == 0 || nd == 0) return;
  Indexer<1> coord;  // only its shape is used: the input's dims
  for (int d = 0; d < kMaxDims; d++) coord.shape[d] = d < nd ? in.shape[d] : 1;
  coord.ndim = nd;
  launch_1d(nonzero_k, numel, numel, (const int64_t*)tcs.p, nd, coord, (int64_t*)out.data, out.stride[0],
            out.ndim > 1 ? out.stride[1] : 0);
}

// ---- put -----------------------------------------------------------------------------------------------------
// One thread per index; accumulate through atomics (repeated indices sum), assign leaves one of the repeated values.
template <typename T>
__global__ void put_k(Indexer<2> ix, int64_t n, DevTensor self, bool contig, int64_t numel, const int64_t* idx, const T* src,
                      bool accumulate) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    int64_t lin = idx[o[0]];
    if (lin < 0) lin += numel;
    T* d = self.ptr<T>() + (contig ? lin : self.offset(lin));
    const T x = src[o[1]];
    if (accumulate) atomic_apply(d, [x](T a) { return add_scaled<T>(a, x, 1.0); });
    else *d = x;
  }
}

template <typename T>
void put_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, bool accumulate) {
  const TensorArg* ts[2] = {&idx, &src};
  Indexer<2> ix;
  int64_t n = make_indexer<2>(ts, ix);
  if (n == 0) return;
  launch_1d(put_k<T>, n, ix, n, dev_tensor(self), self.contiguous(), self.numel(), (const int64_t*)idx.data,
            (const T*)src.data, accumulate);
}

void put_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("put: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  const TensorArg& self = c.t[0];
  TensorArg idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  check_put(self, idx, src);
  if (idx.numel() == 0) return;
  check_indices(idx, dev, self.numel(), true, kFlatWords, 0);
  const bool accumulate = c.iattr(0) == 1;
  NT_DISPATCH_ALL(self.dtype, T, put_typed<T>(self, idx, src, accumulate));
}

}  // namespace

REGISTER_KERNEL(gather, CUDA, gather_kernel);
REGISTER_KERNEL(scatter, CUDA, scatter_kernel);
REGISTER_KERNEL(index_select, CUDA, index_select_kernel);
REGISTER_KERNEL(index_add, CUDA, index_add_kernel);
REGISTER_KERNEL(nonzero, CUDA, nonzero_kernel);
REGISTER_KERNEL(put, CUDA, put_kernel);

}  // namespace cu
}  // namespace nt
