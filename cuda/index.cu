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
// Bounds: every index tensor is copied to the host and validated before any launch (a synchronising read), so a bad
// index throws the CPU kernel's TorchError and nothing is read or written out of bounds.
// Determinism: scatter and index_add give one thread to each position off `dim` and walk the index serially in the
// CPU's order (no atomics, so duplicates accumulate in the same order and float results match the CPU bit for bit);
// put runs one thread per index when the (normalised) indices are distinct, else serially on one thread in order.
// nonzero converts the input to bool on the device and builds the coordinates on the host (correctness first).
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

// The values of an int64 device tensor (any strides) in C order, on the host.
std::vector<int64_t> host_i64(const TensorArg& t, int dev) {
  const int64_t n = t.numel();
  std::vector<int64_t> h((size_t)std::max<int64_t>(n, 0));
  if (n <= 0) return h;
  DevTemp tmp;
  make_temp(t, DType::I64, dev, tmp);
  copy_cast(tmp.t, t);
  memcpy_d2h(h.data(), tmp.p, (size_t)n * sizeof(int64_t));
  return h;
}

// cpu/index.cc's check_indices on the host copy: the first bad value (C order) throws PyTorch's message.
void check_indices(const std::vector<int64_t>& idx, int64_t size, bool wrap, Wording w, int64_t report_dim) {
  for (int64_t v : idx) {
    if (!index_ok(v, size, wrap)) throw_bad_index(v, size, w, report_dim);
  }
}
void check_indices(const TensorArg& idx, int dev, int64_t size, bool wrap, Wording w, int64_t report_dim) {
  check_indices(host_i64(idx, dev), size, wrap, w, report_dim);
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
// One thread per index position off `dim` (each owns distinct self elements), serial along `dim` in the CPU's order.
template <typename T>
__global__ void scatter_k(Indexer<3> ix, int64_t n, int64_t L, T* self, const int64_t* idx, const T* src, int64_t dsd,
                          int64_t isd, int64_t ssd, int mode) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[3];
    ix.offsets(i, o);
    T* dst = self + o[0];
    const int64_t* ib = idx + o[1];
    const T* sb = src + o[2];
    for (int64_t j = 0; j < L; j++) {
      int64_t v = ib[j * isd];
      T* d = dst + v * dsd;
      T x = sb[j * ssd];
      if (mode == 0) *d = x;
      else if (mode == 1) *d = add_scaled<T>(*d, x, 1.0);
      else *d = mul_vals<T>(*d, x);
    }
  }
}

template <typename T>
void scatter_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, int mode) {
  const int64_t L = idx.shape[dim];
  TensorArg selfR = drop_dim(self, dim), idxR = drop_dim(idx, dim), srcR = drop_dim(src, dim);
  for (int d = 0; d < selfR.ndim; d++) selfR.shape[d] = srcR.shape[d] = idxR.shape[d];
  const TensorArg* ts[3] = {&selfR, &idxR, &srcR};
  Indexer<3> ix;
  int64_t n = make_indexer<3>(ts, ix);
  launch_1d(scatter_k<T>, n, ix, n, L, (T*)self.data, (const int64_t*)idx.data, (const T*)src.data, self.stride[dim],
            idx.stride[dim], src.stride[dim], mode);
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
// One thread per position off `dim`, serial over the index in the CPU's order: duplicates accumulate without races.
template <typename T>
__global__ void index_add_k(Indexer<2> ix, int64_t n, int64_t L, T* self, const T* src, const int64_t* idx, int64_t ist,
                            int64_t dsd, int64_t ssd, double alpha, int64_t size) {
  NT_KERNEL_LOOP(k, n) {
    int64_t o[2];
    ix.offsets(k, o);
    T* d = self + o[0];
    const T* x = src + o[1];
    for (int64_t i = 0; i < L; i++) {
      int64_t v = idx[i * ist];
      if (v < 0) v += size;
      T* dp = d + v * dsd;
      *dp = add_scaled<T>(*dp, x[i * ssd], alpha);
    }
  }
}

template <typename T>
void index_add_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, double alpha, int64_t size) {
  TensorArg selfR = drop_dim(self, dim), srcR = drop_dim(src, dim);
  const TensorArg* ts[2] = {&selfR, &srcR};
  Indexer<2> ix;
  int64_t n = make_indexer<2>(ts, ix);
  launch_1d(index_add_k<T>, n, ix, n, idx.shape[0], (T*)self.data, (const T*)src.data, (const int64_t*)idx.data,
            idx.stride[0], self.stride[dim], src.stride[dim], alpha, size);
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
// The input's truthiness (cvt<bool>, NaN true) as a contiguous bool copy on the device, read back; coordinates on
// the host in C order, then copied into the (any-strided) output through a device temporary.
void nonzero_kernel(Call& c) {
  if (c.nt != 1 && c.nt != 2) throw TorchError("nonzero: internal: expected 1 or 2 tensors");
  int dev = call_device(c);
  set_device(dev);
  const TensorArg& in = c.nt == 1 ? c.t[0] : c.t[1];
  if (c.nt == 2) check_nonzero_out(c.t[0], in);
  const int64_t numel = in.numel();
  std::vector<uint8_t> flags((size_t)std::max<int64_t>(numel, 0));
  if (numel > 0) {
    DevTemp tb;
    make_temp(in, DType::BOOL, dev, tb);
    copy_cast(tb.t, in);
    memcpy_d2h(flags.data(), tb.p, (size_t)numel);
  }
  int64_t total = 0;
  for (int64_t i = 0; i < numel; i++) total += flags[i] ? 1 : 0;
  c.result = (double)total;
  if (c.nt == 1) return;
  const TensorArg& out = c.t[0];
  check_nonzero_rows(out, total);
  const int nd = in.ndim;
  if (total == 0 || nd == 0) return;
  std::vector<int64_t> coords((size_t)(total * nd));
  int64_t coord[kMaxDims] = {0};
  int64_t row = 0;
  for (int64_t i = 0; i < numel; i++) {
    if (flags[i]) {
      for (int d = 0; d < nd; d++) coords[(size_t)(row * nd + d)] = coord[d];
      row++;
    }
    for (int d = nd - 1; d >= 0; d--) {  // carry
      if (++coord[d] < in.shape[d]) break;
      coord[d] = 0;
    }
  }
  DevTemp tc;
  make_temp(out, DType::I64, dev, tc);
  CUDA_CHECK(cudaMemcpyAsync(tc.p, coords.data(), coords.size() * sizeof(int64_t), cudaMemcpyHostToDevice, stream()));
  copy_cast(out, tc.t);
  CUDA_CHECK(cudaStreamSynchronize(stream()));
}

// ---- put -----------------------------------------------------------------------------------------------------
template <typename T>
__device__ __forceinline__ void put_one(const DevTensor& self, bool contig, int64_t numel, int64_t lin, T x, bool accumulate) {
  if (lin < 0) lin += numel;
  T* d = self.ptr<T>() + (contig ? lin : self.offset(lin));
  *d = accumulate ? add_scaled<T>(*d, x, 1.0) : x;
}

template <typename T>
__global__ void put_k(Indexer<2> ix, int64_t n, DevTensor self, bool contig, int64_t numel, const int64_t* idx, const T* src,
                      bool accumulate) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    put_one<T>(self, contig, numel, idx[o[0]], src[o[1]], accumulate);
  }
}
// duplicates: one thread, the CPU's serial order (last write wins, sums in index order)
template <typename T>
__global__ void put_serial_k(Indexer<2> ix, int64_t n, DevTensor self, bool contig, int64_t numel, const int64_t* idx,
                             const T* src, bool accumulate) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  for (int64_t i = 0; i < n; i++) {
    int64_t o[2];
    ix.offsets(i, o);
    put_one<T>(self, contig, numel, idx[o[0]], src[o[1]], accumulate);
  }
}

template <typename T>
void put_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, bool accumulate, bool serial) {
  const TensorArg* ts[2] = {&idx, &src};
  Indexer<2> ix;
  int64_t n = make_indexer<2>(ts, ix);
  if (n == 0) return;
  DevTensor st = dev_tensor(self);
  if (serial) {
    put_serial_k<T><<<1, 1, 0, stream()>>>(ix, n, st, self.contiguous(), self.numel(), (const int64_t*)idx.data,
                                           (const T*)src.data, accumulate);
    check_launch();
  } else {
    launch_1d(put_k<T>, n, ix, n, st, self.contiguous(), self.numel(), (const int64_t*)idx.data, (const T*)src.data, accumulate);
  }
}

void put_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("put: internal: expected 3 tensors");
  int dev = call_device(c);
  set_device(dev);
  const TensorArg& self = c.t[0];
  TensorArg idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  check_put(self, idx, src);
  if (idx.numel() == 0) return;
  const int64_t numel = self.numel();
  std::vector<int64_t> h = host_i64(idx, dev);
  check_indices(h, numel, true, kFlatWords, 0);
  for (int64_t& v : h) if (v < 0) v += numel;
  std::sort(h.begin(), h.end());
  bool dup = std::adjacent_find(h.begin(), h.end()) != h.end();
  bool accumulate = c.iattr(0) == 1;
  NT_DISPATCH_ALL(self.dtype, T, put_typed<T>(self, idx, src, accumulate, dup));
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
