// sort.cu - OP(sort) on CUDA with cpu/reduce.cc's convention:
//   t0 values (t2's dtype) and t1 int64 indices of t2 sorted along its last dim (any strides); a0 = descending,
//   a1 = stable (the order is always the stable one: ties keep their input order), a2 = k (optional): only the first
//   k of each sorted row are written (topk), t0/t1 then have last dim k. NaN sorts above +inf, -0 equals +0.
// The order is kernels/reduce.h's red::sort_before (compared in CmpT: float for float16/bfloat16), a strict total
// order with ties broken by index, so every correct sort gives exactly the CPU kernel's (stable) result; values are
// copied from the input element chosen (bits preserved, -0 stays -0).
// Two ways:
//   rows of up to kSharedMax elements: one block per row, a bitonic sort of (key, index) pairs in shared memory
//     (the row padded to a power of two with entries that order after everything);
//   longer rows (below 2^31 elements): a merge sort on the device (sort_merge: shared-memory tiles of kSharedMax,
//     then parallel merge passes by binary search), no host round trip;
//   rows of 2^31 elements or more: through the host (std::sort under the same comparator), as a last resort.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "../native/kernels/reduce.h"
#include "../native/kernels/reduce_check.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

using red::CmpT;  // float for float16/bfloat16 (native/kernels/reduce.h, as cpu/reduce.cc)

constexpr int64_t kSharedMax = 2048;

// Indexer over the leading dims (all but the last) of N operands that share them; returns the row count.
template <int N>
int64_t row_indexer(const TensorArg* const* ts, Indexer<N>& ix) {
  TensorArg lead[N];
  const TensorArg* lp[N];
  for (int q = 0; q < N; q++) {
    lead[q] = *ts[q];
    lead[q].ndim = ts[q]->ndim > 0 ? ts[q]->ndim - 1 : 0;
    lp[q] = &lead[q];
  }
  return make_indexer<N>(lp, ix);
}

template <typename C>
__device__ __forceinline__ bool entry_before(const C* key, const int32_t* id, int a, int b, bool desc) {
  const int32_t ia = id[a], ib = id[b];
  if (ia < 0) return false;  // padding orders after everything
  if (ib < 0) return true;
  return red::sort_before(key[a], (int64_t)ia, key[b], (int64_t)ib, desc);
}

// The shared memory of sort_rows_k: P keys from offset 0, then P int32 indices from the first 4-byte boundary after
// them (directly after 1- or 2-byte keys of an odd count the indices would be misaligned: cudaErrorMisalignedAddress).
template <typename C>
__host__ __device__ __forceinline__ size_t sort_ids_offset(int P) { return ((size_t)P * sizeof(C) + 3) & ~(size_t)3; }

// The block's bitonic sorting network over P (a power of two) shared-memory entries (key, original index), in place,
// every thread of the block taking part; ends synchronised. Shared by the one-tile sort and the tiles of the merge sort.
template <typename C>
__device__ void bitonic_block(C* key, int32_t* id, int P, bool desc) {
  for (int kk = 2; kk <= P; kk <<= 1) {
    for (int j = kk >> 1; j > 0; j >>= 1) {
      for (int i = threadIdx.x; i < P; i += blockDim.x) {
        const int l = i ^ j;
        if (l > i) {
          const bool up = (i & kk) == 0;
          const bool swap = up ? entry_before(key, id, l, i, desc) : entry_before(key, id, i, l, desc);
          if (swap) {
            C tk = key[i]; key[i] = key[l]; key[l] = tk;
            int32_t ti = id[i]; id[i] = id[l]; id[l] = ti;
          }
        }
      }
      __syncthreads();
    }
  }
}

template <typename S>
__global__ void sort_rows_k(Indexer<3> ix, int64_t rows, int64_t n, int64_t k, int P, S* vals, int64_t sv, int64_t* ids,
                            int64_t si, const S* x, int64_t sx, bool desc) {
  using C = typename CmpT<S>::type;
  extern __shared__ __align__(16) unsigned char sort_smem[];
  C* key = reinterpret_cast<C*>(sort_smem);
  int32_t* id = reinterpret_cast<int32_t*>(sort_smem + sort_ids_offset<C>(P));  // 4-byte aligned (1- and 2-byte keys)
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    int64_t off[3];
    ix.offsets(row, off);
    const S* xr = x + off[2];
    for (int i = threadIdx.x; i < P; i += blockDim.x) {
      if (i < n) { key[i] = cvt<C>(xr[i * sx]); id[i] = i; }
      else { key[i] = C(0); id[i] = -1; }
    }
    __syncthreads();
    bitonic_block(key, id, P, desc);
    for (int64_t j = threadIdx.x; j < k; j += blockDim.x) {
      const int32_t s = id[j];
      vals[off[0] + j * sv] = xr[(int64_t)s * sx];
      ids[off[1] + j * si] = s;
    }
    __syncthreads();
  }
}

template <typename S>
void sort_device(const TensorArg& vals, const TensorArg& ids, const TensorArg& in, bool desc, int64_t k) {
  using C = typename CmpT<S>::type;
  TensorArg in_k = in;
  if (in.ndim) in_k.shape[in.ndim - 1] = k;
  const TensorArg* ts[3] = {&vals, &ids, &in_k};
  Indexer<3> ix;
  const int64_t rows = row_indexer<3>(ts, ix);
  if (rows == 0 || k == 0) return;
  const int nd = in.ndim;
  const int64_t n = nd ? in.shape[nd - 1] : 1;
  const int64_t sv = nd ? vals.stride[nd - 1] : 0, si = nd ? ids.stride[nd - 1] : 0, sx = nd ? in.stride[nd - 1] : 0;
  int P = 1;
  while (P < n) P <<= 1;
  const int threads = std::max(32, std::min(512, P / 2));
  const unsigned blocks = (unsigned)std::min<int64_t>(rows, 65535);
  const size_t smem = sort_ids_offset<C>(P) + (size_t)P * sizeof(int32_t);
  sort_rows_k<S><<<blocks, threads, smem, stream()>>>(ix, rows, n, k, P, (S*)vals.data, sv, (int64_t*)ids.data, si,
                                                      (const S*)in.data, sx, desc);
  check_launch();
}

// ---- rows longer than kSharedMax: a merge sort on the device ----
// Pass 1 sorts each tile of kSharedMax entries of each row in shared memory (the bitonic network above) into a
// global (key, int32 index) buffer; each merge pass then doubles the sorted run length: every entry finds its place
// in the merged run as (its rank in its own run) + (the number of entries of the partner run that order before it,
// by binary search) -- ranks are unique because the order breaks ties by index. The last pass's indices pick the
// first k values from the input (bits preserved).
template <typename S>
__global__ void sort_tiles_k(Indexer<3> ix, int64_t rows, int64_t n, int64_t ntiles, const S* x, int64_t sx, bool desc,
                             typename CmpT<S>::type* kout, int32_t* iout) {
  using C = typename CmpT<S>::type;
  constexpr int P = (int)kSharedMax;
  extern __shared__ __align__(16) unsigned char tile_smem[];
  C* key = reinterpret_cast<C*>(tile_smem);
  int32_t* id = reinterpret_cast<int32_t*>(tile_smem + sort_ids_offset<C>(P));
  for (int64_t w = blockIdx.x; w < rows * ntiles; w += gridDim.x) {
    const int64_t row = w / ntiles, t = w - row * ntiles, start = t * P;
    const int64_t len = n - start < P ? n - start : P;
    int64_t off[3];
    ix.offsets(row, off);
    const S* xr = x + off[2];
    for (int i = threadIdx.x; i < P; i += blockDim.x) {
      if (i < len) { key[i] = cvt<C>(xr[(start + i) * sx]); id[i] = (int32_t)(start + i); }
      else { key[i] = C(0); id[i] = -1; }
    }
    __syncthreads();
    bitonic_block(key, id, P, desc);
    for (int i = threadIdx.x; i < len; i += blockDim.x) {
      kout[row * n + start + i] = key[i];
      iout[row * n + start + i] = id[i];
    }
    __syncthreads();
  }
}

template <typename C>
__global__ void merge_pass_k(int64_t rows, int64_t n, int64_t w, const C* kin, const int32_t* iin, C* kout, int32_t* iout,
                             bool desc) {
  NT_KERNEL_LOOP(e, rows * n) {
    const int64_t row = e / n, pos = e - row * n;
    const C* kr = kin + row * n;
    const int32_t* ir = iin + row * n;
    const int64_t r = pos / w, p0 = (r ^ 1) * w, base = (r & ~(int64_t)1) * w;
    const C key = kr[pos];
    const int32_t id = ir[pos];
    int64_t dst = pos;
    if (p0 < n) {
      int64_t lo = p0, hi = p0 + w < n ? p0 + w : n;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (red::sort_before(kr[mid], (int64_t)ir[mid], key, (int64_t)id, desc)) lo = mid + 1;
        else hi = mid;
      }
      dst = base + (pos - r * w) + (lo - p0);
    }
    kout[row * n + dst] = key;
    iout[row * n + dst] = id;
  }
}

template <typename S>
__global__ void sort_emit_k(Indexer<3> ix, int64_t rows, int64_t n, int64_t k, const int32_t* order, S* vals, int64_t sv,
                            int64_t* ids, int64_t si, const S* x, int64_t sx) {
  NT_KERNEL_LOOP(e, rows * k) {
    const int64_t row = e / k, j = e - row * k;
    int64_t off[3];
    ix.offsets(row, off);
    const int64_t s = order[row * n + j];
    vals[off[0] + j * sv] = x[off[2] + s * sx];
    ids[off[1] + j * si] = s;
  }
}

template <typename S>
void sort_merge(const TensorArg& vals, const TensorArg& ids, const TensorArg& in, bool desc, int64_t k, int dev) {
  using C = typename CmpT<S>::type;
  TensorArg in_k = in;
  in_k.shape[in.ndim - 1] = k;
  const TensorArg* ts[3] = {&vals, &ids, &in_k};
  Indexer<3> ix;
  const int64_t rows = row_indexer<3>(ts, ix);
  if (rows == 0 || k == 0) return;
  const int nd = in.ndim;
  const int64_t n = in.shape[nd - 1];
  const int64_t sv = vals.stride[nd - 1], si = ids.stride[nd - 1], sx = in.stride[nd - 1];
  DevTemp k0, k1, i0, i1;
  C* ka = (C*)k0.alloc((size_t)(rows * n) * sizeof(C), dev);
  C* kb = (C*)k1.alloc((size_t)(rows * n) * sizeof(C), dev);
  int32_t* ia = (int32_t*)i0.alloc((size_t)(rows * n) * sizeof(int32_t), dev);
  int32_t* ib = (int32_t*)i1.alloc((size_t)(rows * n) * sizeof(int32_t), dev);
  const int64_t ntiles = (n + kSharedMax - 1) / kSharedMax;
  const size_t smem = sort_ids_offset<C>((int)kSharedMax) + (size_t)kSharedMax * sizeof(int32_t);
  sort_tiles_k<S><<<(unsigned)std::min<int64_t>(rows * ntiles, 65535), 512, smem, stream()>>>(ix, rows, n, ntiles,
                                                                                             (const S*)in.data, sx, desc, ka, ia);
  check_launch();
  for (int64_t w = kSharedMax; w < n; w *= 2) {
    launch_1d(merge_pass_k<C>, rows * n, rows, n, w, (const C*)ka, (const int32_t*)ia, kb, ib, desc);
    std::swap(ka, kb);
    std::swap(ia, ib);
  }
  launch_1d(sort_emit_k<S>, rows * k, ix, rows, n, k, (const int32_t*)ia, (S*)vals.data, sv, (int64_t*)ids.data, si,
            (const S*)in.data, sx);
}

template <typename S>
void sort_host(const TensorArg& vals, const TensorArg& ids, const TensorArg& in, bool desc, int64_t k, int dev) {
  using C = typename CmpT<S>::type;
  const int64_t numel = in.numel();
  const int64_t n = in.ndim ? in.shape[in.ndim - 1] : 1;
  if (numel == 0 || k == 0) return;
  const int64_t rows = numel / n;
  std::unique_ptr<S[]> hx(new S[(size_t)numel]);
  {
    DevTemp tin;
    make_temp(in, in.dtype, dev, tin);
    copy_cast(tin.t, in);
    memcpy_d2h(hx.get(), tin.p, (size_t)numel * sizeof(S));
  }
  std::unique_ptr<S[]> hv(new S[(size_t)(rows * k)]);
  std::vector<int64_t> hi((size_t)(rows * k));
  auto cmp = [desc](const std::pair<C, int64_t>& a, const std::pair<C, int64_t>& b) {
    return red::sort_before(a.first, a.second, b.first, b.second, desc);
  };
  std::vector<std::pair<C, int64_t>> buf((size_t)n);
  for (int64_t r = 0; r < rows; r++) {
    const S* x = hx.get() + r * n;
    for (int64_t i = 0; i < n; i++) buf[(size_t)i] = {cvt<C>(x[i]), i};
    if (k < n) std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), cmp);
    else std::sort(buf.begin(), buf.end(), cmp);
    for (int64_t j = 0; j < k; j++) {
      hv[(size_t)(r * k + j)] = x[buf[(size_t)j].second];
      hi[(size_t)(r * k + j)] = buf[(size_t)j].second;
    }
  }
  DevTemp tv, ti;
  make_temp(vals, vals.dtype, dev, tv);
  make_temp(ids, DType::I64, dev, ti);
  CUDA_CHECK(cudaMemcpyAsync(tv.p, hv.get(), (size_t)(rows * k) * sizeof(S), cudaMemcpyHostToDevice, stream()));
  CUDA_CHECK(cudaMemcpyAsync(ti.p, hi.data(), (size_t)(rows * k) * sizeof(int64_t), cudaMemcpyHostToDevice, stream()));
  copy_cast(vals, tv.t);
  copy_cast(ids, ti.t);
  CUDA_CHECK(cudaStreamSynchronize(stream()));  // the host buffers go away when we return
}

void sort_kernel(Call& c) {
  const red::SortArgs sa = red::sort_args(c);
  const int dev = call_device(c);
  set_device(dev);
  const TensorArg& in = c.t[2];
  const int64_t n = sa.n, k = sa.k;
  const bool descending = sa.descending;
  if (n <= kSharedMax) {
    NT_DISPATCH_ALL(in.dtype, S, sort_device<S>(c.t[0], c.t[1], in, descending, k));
  } else if (n < (int64_t(1) << 31)) {
    NT_DISPATCH_ALL(in.dtype, S, sort_merge<S>(c.t[0], c.t[1], in, descending, k, dev));
  } else {
    NT_DISPATCH_ALL(in.dtype, S, sort_host<S>(c.t[0], c.t[1], in, descending, k, dev));
  }
}

}  // namespace

REGISTER_KERNEL(sort, CUDA, sort_kernel);

}  // namespace cu
}  // namespace nt
