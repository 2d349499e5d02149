// optim.cc - OP(optim_step): one fused, in-place optimizer update per parameter (one native call, one pass over
// memory) for SGD, Adam/AdamW, RMSprop and Adagrad. The arithmetic is kernels/optim.h, shared with CUDA.
//
// Convention: t0 = param (updated in place), t1 = grad, t2.. = state buffers in the order below; all contiguous,
// of the param's dtype (float32 or float64) and numel. lib/optim/ makes contiguous copies when needed.
//   SGD      t2 momentum_buffer (only when momentum != 0)
//   Adam(W)  t2 exp_avg, t3 exp_avg_sq, t4 max_exp_avg_sq (only with amsgrad)
//   RMSprop  t2 square_avg, then grad_avg (centered), then momentum_buffer (momentum > 0)
//   Adagrad  t2 sum
// a0 = algorithm (kernels/optim.h Algo); the hyper-parameters follow as listed in kernels/optim.h. Bias corrections
// and Adagrad's decayed lr are computed in TypeScript from the step count, as PyTorch computes them in Python.
#include <atomic>
#include <type_traits>
#include <vector>
#include "../kernels/optim.h"
#include "../kernels/optim_check.h"
#include "cpu.h"

namespace nt {

namespace {

constexpr int64_t kOptimGrain = 16384;

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
      parallel_for(n, kOptimGrain, [&](int64_t b, int64_t e) {
        if (s.has_momentum) for (int64_t i = b; i < e; i++) optim::sgd_update(p[i], g[i], s0 + i, s);
        else for (int64_t i = b; i < e; i++) optim::sgd_update<T>(p[i], g[i], nullptr, s);
      });
      break;
    }
    case optim::ADAM:
    case optim::ADAMW: {
      const optim::AdamScalars<T> s = optim::adam_scalars<T>(a, algo == optim::ADAMW);
      parallel_for(n, kOptimGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) optim::adam_update(p[i], g[i], s0[i], s1[i], s.amsgrad ? s2 + i : nullptr, s);
      });
      break;
    }
    case optim::RMSPROP: {
      const optim::RmspropScalars<T> s = optim::rmsprop_scalars<T>(a);
      T* ga = o.rms_grad_avg(s);
      T* buf = o.rms_momentum(s);
      parallel_for(n, kOptimGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) optim::rmsprop_update(p[i], g[i], s0[i], ga ? ga + i : nullptr, buf ? buf + i : nullptr, s);
      });
      break;
    }
    case optim::ADAGRAD: {
      const optim::AdagradScalars<T> s = optim::adagrad_scalars<T>(a);
      parallel_for(n, kOptimGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) optim::adagrad_update(p[i], g[i], s0[i], s);
      });
      break;
    }
    default: break;
  }
}

void optim_step_kernel(Call& c) {
  int algo;
  const int64_t n = optim::step_args(c, algo);
  if (n == 0) return;
  if (c.t[0].dtype == DType::F32) step_typed<float>(c, algo);
  else step_typed<double>(c, algo);
}

// OP(optim_step_multi): the step of every parameter of a group in one call (torch._foreach_* / fused steps). The
// list holds k = 2 + state_count tensors per parameter (param, grad, states, each contiguous, the parameter's dtype:
// float32/float64/float16/bfloat16); a0..a9 as optim_step for the group; xa two per-parameter values (optim.h
// param_attrs: SGD's first step of the momentum buffer, Adam's bias corrections, Adagrad's decayed lr); a11/a12 and
// a last list entry: GradScaler's found_inf and grad_scale (optim.h, "GradScaler in the fused step"). Work is cut into chunks of at most
// kOptimGrain elements across all parameters, and the chunks are shared out over the threads, so many small
// parameters run in parallel as well as one large one. Each element is computed in Acc (optim.h *MultiOp) with the
// single-tensor step's scalars, so results equal the per-parameter path bit for bit.
template <typename T> using MultiAcc = typename std::conditional<std::is_same<T, double>::value, double, float>::type;

template <typename T, int K, typename Op>
void multi_range(const TensorArg* ts, const Op& op, MultiAcc<T> grad_scale, int64_t b, int64_t e) {
  using Acc = MultiAcc<T>;
  T* ptr[K];
  for (int j = 0; j < K; j++) ptr[j] = ts[j].ptr<T>();
  for (int64_t i = b; i < e; i++) {
    Acc r[optim::kMultiMaxOperands];  // the ops index by their own flags (has_momentum, amsgrad): never past K
    for (int j = 0; j < K; j++) r[j] = cvt<Acc>(ptr[j][i]);
    if (grad_scale != Acc(0)) {  // GradScaler's scale: unscaled here, the unscaled gradient stored back
      r[1] = optim::amp_grad<Acc>(r[1], grad_scale);
      ptr[1][i] = cvt<T>(r[1]);
    }
    op(r);
    ptr[0][i] = cvt<T>(r[0]);
    for (int j = 2; j < K; j++) ptr[j][i] = cvt<T>(r[j]);
  }
}

// one chunk [b, e) of parameter ts[0..K) whose attribute list is pa
template <typename T, int K>
void multi_chunk(int algo, const double* pa, double grad_scale, const TensorArg* ts, int64_t b, int64_t e) {
  using Acc = MultiAcc<T>;
  const Acc gs = (Acc)grad_scale;
  switch (algo) {
    case optim::SGD: {
      if constexpr (K <= 3) {  // param, grad (, momentum_buffer)
        optim::SgdMultiOp<Acc> op{optim::sgd_scalars<Acc>(pa)};
        multi_range<T, K>(ts, op, gs, b, e);
      }
      break;
    }
    case optim::ADAM:
    case optim::ADAMW: {
      if constexpr (K >= 4) {  // param, grad, exp_avg, exp_avg_sq (, max_exp_avg_sq)
        optim::AdamMultiOp<Acc> op{optim::adam_scalars<Acc>(pa, algo == optim::ADAMW)};
        multi_range<T, K>(ts, op, gs, b, e);
      }
      break;
    }
    case optim::RMSPROP: {
      if constexpr (K >= 3) {  // param, grad, square_avg (, grad_avg) (, momentum_buffer)
        optim::RmspropMultiOp<Acc> op{optim::rmsprop_scalars<Acc>(pa)};
        multi_range<T, K>(ts, op, gs, b, e);
      }
      break;
    }
    default: {
      if constexpr (K == 3) {  // Adagrad: param, grad, sum
        optim::AdagradMultiOp<Acc> op{optim::adagrad_scalars<Acc>(pa)};
        multi_range<T, K>(ts, op, gs, b, e);
      }
      break;
    }
  }
}

template <int K>
void multi_chunk_k(int algo, const double* pa, double gs, const TensorArg* ts, int64_t b, int64_t e) {
  switch (ts[0].dtype) {
    case DType::F32: multi_chunk<float, K>(algo, pa, gs, ts, b, e); break;
    case DType::F64: multi_chunk<double, K>(algo, pa, gs, ts, b, e); break;
    case DType::F16: multi_chunk<f16, K>(algo, pa, gs, ts, b, e); break;
    default: multi_chunk<bf16, K>(algo, pa, gs, ts, b, e); break;
  }
}

void optim_step_multi_kernel(Call& c) {
  int algo, k;
  const int np = optim::multi_args(c, algo, k);
  // GradScaler: a step with inf/NaN gradients is skipped whole (found_inf is in host memory here)
  if (optim::multi_has_found_inf(c.a, c.na) && optim::amp_skip(c.list[c.nlist - 1].ptr<float>())) return;
  const double gs = optim::multi_grad_scale(c.a, c.na);
  struct Chunk { int param; int64_t b, e; };
  std::vector<Chunk> chunks;
  int64_t total = 0;
  for (int i = 0; i < np; i++) {
    const int64_t n = c.list[i * k].numel();
    total += n;
    for (int64_t b = 0; b < n; b += kOptimGrain) chunks.push_back({i, b, std::min(n, b + kOptimGrain)});
  }
  std::vector<double> attrs((size_t)np * 10);
  for (int i = 0; i < np; i++) optim::param_attrs(algo, c.a, c.xa + 2 * i, attrs.data() + (size_t)i * 10);
  auto run = [&](int64_t cb, int64_t ce) {
    for (int64_t j = cb; j < ce; j++) {
      const Chunk& ch = chunks[(size_t)j];
      const TensorArg* ts = c.list + (size_t)ch.param * k;
      const double* pa = attrs.data() + (size_t)ch.param * 10;
      switch (k) {
        case 2: multi_chunk_k<2>(algo, pa, gs, ts, ch.b, ch.e); break;
        case 3: multi_chunk_k<3>(algo, pa, gs, ts, ch.b, ch.e); break;
        case 4: multi_chunk_k<4>(algo, pa, gs, ts, ch.b, ch.e); break;
        default: multi_chunk_k<5>(algo, pa, gs, ts, ch.b, ch.e); break;
      }
    }
  };
  const int64_t nc = (int64_t)chunks.size();
  if (total <= kOptimGrain) run(0, nc);
  else parallel_for(nc, 1, run);
}

// OP(amp_unscale): GradScaler's fused inf/NaN check and unscale over up to seven gradients per call (one pass over
// each); t0 = found_inf float32 [1] (set to 1 when a non-finite element is seen, never cleared here), t1.. = the
// gradients (contiguous), multiplied in place by a0 = inv_scale.
template <typename T>
bool unscale_typed(const TensorArg& t, float inv) {
  T* g = t.ptr<T>();
  std::atomic<bool> bad{false};
  parallel_for(t.numel(), kOptimGrain, [&](int64_t b, int64_t e) {
    bool local = false;
    for (int64_t i = b; i < e; i++) local |= optim::amp_unscale<T>(g[i], inv);
    if (local) bad.store(true, std::memory_order_relaxed);
  });
  return bad.load();
}

void amp_unscale_kernel(Call& c) {
  optim::amp_unscale_args(c);
  const float inv = (float)c.a[0];
  bool bad = false;
  for (int i = 1; i < c.nt; i++) {
    const TensorArg& t = c.t[i];
    if (t.numel() == 0) continue;
    switch (t.dtype) {
      case DType::F32: bad |= unscale_typed<float>(t, inv); break;
      case DType::F64: bad |= unscale_typed<double>(t, inv); break;
      case DType::F16: bad |= unscale_typed<f16>(t, inv); break;
      default: bad |= unscale_typed<bf16>(t, inv); break;
    }
  }
  if (bad) *c.t[0].ptr<float>() = 1.f;
}

}  // namespace

REGISTER_KERNEL(optim_step, CPU, optim_step_kernel);
REGISTER_KERNEL(amp_unscale, CPU, amp_unscale_kernel);
REGISTER_KERNEL(optim_step_multi, CPU, optim_step_multi_kernel);

}  // namespace nt
