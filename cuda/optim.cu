// optim.cu - OP(optim_step) on CUDA: one fused, in-place optimizer update per parameter, one thread per element,
// with cpu/optim.cc's convention and checks. The arithmetic is kernels/optim.h's NT_HD update functions, and the
// hyper-parameter structs are built on the host by the same optim::*_scalars<T>(c.a). sqrt and division are IEEE
// (nvcc's defaults) and the build passes --fmad=false, so results are the CPU kernel's bits.
//   t0 = param (updated in place), t1 = grad, t2.. = state buffers (all contiguous, the param's dtype and numel)
//   SGD      t2 momentum_buffer (only when momentum != 0)
//   Adam(W)  t2 exp_avg, t3 exp_avg_sq, t4 max_exp_avg_sq (only with amsgrad)
//   RMSprop  t2 square_avg, then grad_avg (centered), then momentum_buffer (momentum > 0)
//   Adagrad  t2 sum
// a0 = algorithm (kernels/optim.h Algo), a1.. the hyper-parameters listed in kernels/optim.h.
#include <string>
#include <type_traits>
#include <vector>
#include "../native/kernels/optim.h"
#include "../native/kernels/optim_check.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

template <typename T>
__global__ void sgd_k(int64_t n, T* p, const T* g, T* buf, optim::SgdScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::sgd_update<T>(p[i], g[i], buf ? buf + i : nullptr, s);
}
template <typename T>
__global__ void adam_k(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, optim::AdamScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::adam_update<T>(p[i], g[i], m[i], v[i], vmax ? vmax + i : nullptr, s);
}
template <typename T>
__global__ void rmsprop_k(int64_t n, T* p, const T* g, T* sq, T* ga, T* buf, optim::RmspropScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::rmsprop_update<T>(p[i], g[i], sq[i], ga ? ga + i : nullptr, buf ? buf + i : nullptr, s);
}
template <typename T>
__global__ void adagrad_k(int64_t n, T* p, const T* g, T* sum, optim::AdagradScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::adagrad_update<T>(p[i], g[i], sum[i], s);
}

template <typename T>
void step_typed(Call& c, int algo) {
  const optim::StepOperands<T> o = optim::step_operands<T>(c);
  const int64_t n = o.n;
  T* p = o.p;
  const T* g = o.g;
  T *s0 = o.s0, *s1 = o.s1, *s2 = o.s2;
  const double* a = c.a;
  switch (algo) {
    case optim::SGD: {
      const optim::SgdScalars<T> s = optim::sgd_scalars<T>(a);
      launch_1d(sgd_k<T>, n, n, p, g, s.has_momentum ? s0 : nullptr, s);
      break;
    }
    case optim::ADAM:
    case optim::ADAMW: {
      const optim::AdamScalars<T> s = optim::adam_scalars<T>(a, algo == optim::ADAMW);
      launch_1d(adam_k<T>, n, n, p, g, s0, s1, s.amsgrad ? s2 : nullptr, s);
      break;
    }
    case optim::RMSPROP: {
      const optim::RmspropScalars<T> s = optim::rmsprop_scalars<T>(a);
      T* ga = o.rms_grad_avg(s);
      T* buf = o.rms_momentum(s);
      launch_1d(rmsprop_k<T>, n, n, p, g, s0, ga, buf, s);
      break;
    }
    case optim::ADAGRAD: {
      const optim::AdagradScalars<T> s = optim::adagrad_scalars<T>(a);
      launch_1d(adagrad_k<T>, n, n, p, g, s0, s);
      break;
    }
    default: break;
  }
}

void optim_step_kernel(Call& c) {
  set_device(call_device(c));
  int algo;
  const int64_t n = optim::step_args(c, algo);
  if (n == 0) return;
  if (c.t[0].dtype == DType::F32) step_typed<float>(c, algo);
  else step_typed<double>(c, algo);
}

// ---- OP(optim_step_multi): every parameter of a group in one call (multi-tensor apply) ---------------------------
// Note [multi-tensor apply]: the parameters' operands (param, grad, states: K pointers each), their sizes and their
// per-parameter values (Adam's bias corrections, SGD's first step) travel in a small table passed by value as the
// kernel's argument (constant parameter space, under the 4 KB limit: no host-to-device copy, no allocation), with a
// block -> (tensor, chunk) map: each block takes one chunk of kMtaChunk elements of one tensor. One launch covers up
// to kMtaMaxBlocks chunks of up to MtaMaxTensors<K> tensors; a call launches as many as it needs (tensors of one dtype
// per launch). Loads and stores are 16-byte vectors (four float32, eight float16/bfloat16 - two half2/bfloat162 per
// thread per operand, ...) where a chunk's operands are all 16-byte aligned and its length a multiple of the vector,
// element by element otherwise. Each element runs the single-tensor step's functor (kernels/optim.h *MultiOp) in Acc
// (float32 for float16/bfloat16), with --fmad=false as everywhere, so the results are the CPU's bits.
constexpr int64_t kMtaChunk = 65536;
constexpr int kMtaThreads = 512;
constexpr int kMtaMaxBlocks = 320;
constexpr int kMtaVecBytes = 16;
template <int K> struct MtaMaxTensors;
template <> struct MtaMaxTensors<2> { static constexpr int value = 56; };
template <> struct MtaMaxTensors<3> { static constexpr int value = 48; };
template <> struct MtaMaxTensors<4> { static constexpr int value = 36; };
template <> struct MtaMaxTensors<5> { static constexpr int value = 30; };

template <int K, typename Acc>
struct MtaTable {
  static constexpr int N = MtaMaxTensors<K>::value;
  void* addr[K][N];
  int64_t numel[N];
  Acc x0[N], x1[N];
  unsigned char block_tensor[kMtaMaxBlocks];
  int block_chunk[kMtaMaxBlocks];
};

template <typename T, int V>
struct alignas(sizeof(T) * V) MtaVec { T v[V]; };

template <typename T, typename Acc, int K, typename Op>
__global__ void mta_k(MtaTable<K, Acc> tab, Op op, const float* found_inf, Acc grad_scale) {
  constexpr int V = kMtaVecBytes / (int)sizeof(T);
  if (optim::amp_skip(found_inf)) return;  // GradScaler: inf/NaN gradients, read here on the device
  const bool unscale = grad_scale != Acc(0);
  const int ti = tab.block_tensor[blockIdx.x];
  const int64_t base = (int64_t)tab.block_chunk[blockIdx.x] * kMtaChunk;
  const int64_t rest = tab.numel[ti] - base;
  const int64_t len = rest < kMtaChunk ? rest : kMtaChunk;
  Op o = op;
  o.set_param(tab.x0[ti], tab.x1[ti]);
  T* ptr[K];
  bool vec = len % V == 0;
#pragma unroll
  for (int k = 0; k < K; k++) {
    ptr[k] = static_cast<T*>(tab.addr[k][ti]) + base;
    vec = vec && (reinterpret_cast<uintptr_t>(ptr[k]) % kMtaVecBytes == 0);
  }
  if (vec) {
    for (int64_t i = threadIdx.x; i < len / V; i += blockDim.x) {
      MtaVec<T, V> r[K];
#pragma unroll
      for (int k = 0; k < K; k++) r[k] = reinterpret_cast<const MtaVec<T, V>*>(ptr[k])[i];
#pragma unroll
      for (int e = 0; e < V; e++) {
        Acc x[optim::kMultiMaxOperands];
#pragma unroll
        for (int k = 0; k < K; k++) x[k] = cvt<Acc>(r[k].v[e]);
        if (unscale) {
          x[1] = optim::amp_grad<Acc>(x[1], grad_scale);
          r[1].v[e] = cvt<T>(x[1]);
        }
        o(x);
        r[0].v[e] = cvt<T>(x[0]);
#pragma unroll
        for (int k = 2; k < K; k++) r[k].v[e] = cvt<T>(x[k]);
      }
      reinterpret_cast<MtaVec<T, V>*>(ptr[0])[i] = r[0];
      if (unscale) reinterpret_cast<MtaVec<T, V>*>(ptr[1])[i] = r[1];
#pragma unroll
      for (int k = 2; k < K; k++) reinterpret_cast<MtaVec<T, V>*>(ptr[k])[i] = r[k];
    }
  } else {
    for (int64_t i = threadIdx.x; i < len; i += blockDim.x) {
      Acc x[optim::kMultiMaxOperands];
#pragma unroll
      for (int k = 0; k < K; k++) x[k] = cvt<Acc>(ptr[k][i]);
      if (unscale) {
        x[1] = optim::amp_grad<Acc>(x[1], grad_scale);
        ptr[1][i] = cvt<T>(x[1]);
      }
      o(x);
      ptr[0][i] = cvt<T>(x[0]);
#pragma unroll
      for (int k = 2; k < K; k++) ptr[k][i] = cvt<T>(x[k]);
    }
  }
}

template <typename T> using MtaAcc = typename std::conditional<std::is_same<T, double>::value, double, float>::type;

// the launches for the parameters `ids` (all of dtype T) of a checked call; make_op(attrs) gives the op of a group
// (c.a) or of one parameter (its param_attrs), from the single-tensor step's *_scalars<Acc>
template <typename T, int K, typename Op, typename MakeOp>
void mta_run(const Call& c, int algo, const std::vector<int>& ids, MakeOp make_op) {
  using Acc = MtaAcc<T>;
  using Table = MtaTable<K, Acc>;
  static_assert(sizeof(Table) + sizeof(Op) + sizeof(float*) + sizeof(Acc) <= 4000, "multi-tensor table over the kernel-argument limit");
  constexpr int N = Table::N;
  Table tab{};
  double pa[10];
  const Op op = make_op(c.a);
  const float* found_inf = optim::multi_has_found_inf(c.a, c.na) ? c.list[c.nlist - 1].ptr<float>() : nullptr;
  const Acc grad_scale = (Acc)optim::multi_grad_scale(c.a, c.na);
  // a10 > 0: fewer chunks per launch (tests: the split of a tensor across launches without 21M-element tensors)
  const int max_blocks = c.na > 10 && c.a[10] >= 1 ? std::min(kMtaMaxBlocks, (int)c.a[10]) : kMtaMaxBlocks;
  int nt = 0, nb = 0;
  auto launch = [&]() {
    mta_k<T, Acc, K, Op><<<nb, kMtaThreads, 0, stream()>>>(tab, op, found_inf, grad_scale);
    check_launch();
    nb = 0;
  };
  for (int id : ids) {
    const TensorArg* ts = c.list + (size_t)id * K;
    const int64_t n = ts[0].numel();
    if (n == 0) continue;
    for (int k = 0; k < K; k++) tab.addr[k][nt] = ts[k].data;
    tab.numel[nt] = n;
    optim::param_attrs(algo, c.a, c.xa + 2 * id, pa);
    op.param_fields(make_op(pa).s, tab.x0[nt], tab.x1[nt]);
    const int64_t nch = (n + kMtaChunk - 1) / kMtaChunk;
    for (int64_t ch = 0; ch < nch; ch++) {
      tab.block_tensor[nb] = (unsigned char)nt;
      tab.block_chunk[nb] = (int)ch;
      nb++;
      const bool done = ch == nch - 1;
      if (nb == max_blocks || (done && nt + 1 == N)) {
        launch();
        if (done) nt = -1;
        else {  // the tensor goes on in the next launch, as its entry 0
          for (int k = 0; k < K; k++) tab.addr[k][0] = tab.addr[k][nt];
          tab.numel[0] = tab.numel[nt];
          tab.x0[0] = tab.x0[nt];
          tab.x1[0] = tab.x1[nt];
          nt = 0;
        }
      }
    }
    nt++;
  }
  if (nb > 0) launch();
}

template <typename T>
void multi_typed(const Call& c, int algo, int k, const std::vector<int>& ids) {
  using Acc = MtaAcc<T>;
  auto sgd = [](const double* a) { return optim::SgdMultiOp<Acc>{optim::sgd_scalars<Acc>(a)}; };
  const bool decoupled = algo == optim::ADAMW;
  auto adam = [decoupled](const double* a) { return optim::AdamMultiOp<Acc>{optim::adam_scalars<Acc>(a, decoupled)}; };
  auto rms = [](const double* a) { return optim::RmspropMultiOp<Acc>{optim::rmsprop_scalars<Acc>(a)}; };
  auto adagrad = [](const double* a) { return optim::AdagradMultiOp<Acc>{optim::adagrad_scalars<Acc>(a)}; };
  switch (algo) {
    case optim::SGD:
      if (k == 2) mta_run<T, 2, optim::SgdMultiOp<Acc>>(c, algo, ids, sgd);
      else mta_run<T, 3, optim::SgdMultiOp<Acc>>(c, algo, ids, sgd);
      break;
    case optim::ADAM:
    case optim::ADAMW:
      if (k == 4) mta_run<T, 4, optim::AdamMultiOp<Acc>>(c, algo, ids, adam);
      else mta_run<T, 5, optim::AdamMultiOp<Acc>>(c, algo, ids, adam);
      break;
    case optim::RMSPROP:
      if (k == 3) mta_run<T, 3, optim::RmspropMultiOp<Acc>>(c, algo, ids, rms);
      else if (k == 4) mta_run<T, 4, optim::RmspropMultiOp<Acc>>(c, algo, ids, rms);
      else mta_run<T, 5, optim::RmspropMultiOp<Acc>>(c, algo, ids, rms);
      break;
    default: mta_run<T, 3, optim::AdagradMultiOp<Acc>>(c, algo, ids, adagrad); break;
  }
}

void optim_step_multi_kernel(Call& c) {
  set_device(c.nlist > 0 && c.list[0].storage ? c.list[0].storage->device_index : 0);
  int algo, k;
  const int np = optim::multi_args(c, algo, k);
  std::vector<int> by[4];  // float32, float64, float16, bfloat16
  for (int i = 0; i < np; i++) by[(int)c.list[(size_t)i * k].dtype].push_back(i);
  if (!by[0].empty()) multi_typed<float>(c, algo, k, by[0]);
  if (!by[1].empty()) multi_typed<double>(c, algo, k, by[1]);
  if (!by[2].empty()) multi_typed<f16>(c, algo, k, by[2]);
  if (!by[3].empty()) multi_typed<bf16>(c, algo, k, by[3]);
}

// OP(amp_unscale): GradScaler's inf/NaN check and unscale, one thread per element of each gradient; found_inf stays
// on the device (every thread that sees a non-finite element stores the same 1.0f, so the race is benign).
template <typename T>
__global__ void amp_unscale_k(int64_t n, T* g, float inv, float* found) {
  NT_KERNEL_LOOP(i, n) {
    if (optim::amp_unscale<T>(g[i], inv)) *found = 1.f;
  }
}

void amp_unscale_kernel(Call& c) {
  set_device(call_device(c));
  optim::amp_unscale_args(c);
  const float inv = (float)c.a[0];
  float* found = c.t[0].ptr<float>();
  for (int i = 1; i < c.nt; i++) {
    const TensorArg& t = c.t[i];
    const int64_t n = t.numel();
    if (n == 0) continue;
    switch (t.dtype) {
      case DType::F32: launch_1d(amp_unscale_k<float>, n, n, t.ptr<float>(), inv, found); break;
      case DType::F64: launch_1d(amp_unscale_k<double>, n, n, t.ptr<double>(), inv, found); break;
      case DType::F16: launch_1d(amp_unscale_k<f16>, n, n, t.ptr<f16>(), inv, found); break;
      default: launch_1d(amp_unscale_k<bf16>, n, n, t.ptr<bf16>(), inv, found); break;
    }
  }
}

}  // namespace

REGISTER_KERNEL(optim_step, CUDA, optim_step_kernel);
REGISTER_KERNEL(amp_unscale, CUDA, amp_unscale_kernel);
REGISTER_KERNEL(optim_step_multi, CUDA, optim_step_multi_kernel);

}  // namespace cu
}  // namespace nt
