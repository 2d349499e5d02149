// optim.h - the per-element arithmetic of the fused optimizer steps (SGD, Adam/AdamW, RMSprop, Adagrad), as NT_HD
// inline functions shared by the CPU kernel (cpu/optim.cc) and a CUDA kernel. Each follows the single-tensor
// implementation of torch/optim/*.py (PyTorch 1.13 / 2.x) operation by operation, in the parameter's own type T with
// the hyper-parameters rounded to T (as PyTorch's scalar arguments are), so float32 results agree with PyTorch's to
// rounding. `addcdiv(s, v, a, b)` is s + v * a / b and `addcmul` s + v * a * b, in PyTorch's CPU operand order.
// Scalars that PyTorch derives in Python doubles (1 - beta, lr / bias_correction1, ...) are derived in double by the
// caller (OptimScalars below) and only then rounded to T.
#pragma once
#include <cmath>
#include <type_traits>
#include "scalar.h"

#ifdef __CUDACC__
#define NT_OPT_SQRT(x) ::sqrt(x)
#define NT_OPT_ISFINITE(x) ::isfinite(x)
#else
#define NT_OPT_SQRT(x) std::sqrt(x)
#define NT_OPT_ISFINITE(x) std::isfinite(x)
#endif

namespace nt {
namespace optim {

// Algorithm codes (a0 of OP(optim_step)); lib/optim/optimizer.ts has the same table.
enum Algo : int { SGD = 0, ADAM = 1, ADAMW = 2, RMSPROP = 3, ADAGRAD = 4 };

// ---- SGD (torch/optim/sgd.py _single_tensor_sgd) --------------------------------------------------------------
// d_p = maximize ? -g : g;  d_p += wd * p;  buf = first ? d_p : momentum * buf + (1 - dampening) * d_p;
// d_p = nesterov ? d_p + momentum * buf : buf;  p += -lr * d_p.   buf may be null when momentum == 0.
template <typename T>
struct SgdScalars {
  T neg_lr, momentum, one_minus_dampening, wd;
  bool has_momentum, nesterov, maximize, first;
};
template <typename T>
NT_HD void sgd_update(T& p, T g, T* buf, const SgdScalars<T>& s) {
  T d = s.maximize ? -g : g;
  if (s.wd != T(0)) d = d + s.wd * p;
  if (s.has_momentum) {
    T b = s.first ? d : (*buf) * s.momentum + s.one_minus_dampening * d;
    *buf = b;
    d = s.nesterov ? d + s.momentum * b : b;
  }
  p = p + s.neg_lr * d;
}

// ---- Adam / AdamW (torch/optim/adam.py, adamw.py _single_tensor_*) ---------------------------------------------
// AdamW first decays the weight: p *= 1 - lr * wd; Adam adds wd * p to the gradient instead.
// m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g;  vmax = max(vmax, v) (amsgrad);
// denom = sqrt(v or vmax) / sqrt(bias_correction2) + eps;  p += -(lr / bias_correction1) * m / denom.
template <typename T>
struct AdamScalars {
  T beta1, one_minus_beta1, beta2, one_minus_beta2, eps, wd, decoupled_factor, neg_step_size, bc2_sqrt;
  bool decoupled, amsgrad, maximize;
};
template <typename T>
NT_HD void adam_update(T& p, T g, T& m, T& v, T* vmax, const AdamScalars<T>& s) {
  T gr = s.maximize ? -g : g;
  if (s.decoupled) p = p * s.decoupled_factor;
  else if (s.wd != T(0)) gr = gr + s.wd * p;
  m = m * s.beta1 + s.one_minus_beta1 * gr;
  v = v * s.beta2 + s.one_minus_beta2 * gr * gr;
  T sq = v;
  if (s.amsgrad) {
    // torch.maximum propagates NaN
    T mx = (*vmax != *vmax || v != v) ? (v + *vmax) : (*vmax > v ? *vmax : v);
    *vmax = mx;
    sq = mx;
  }
  T denom = NT_OPT_SQRT(sq) / s.bc2_sqrt + s.eps;
  p = p + s.neg_step_size * m / denom;
}

// ---- RMSprop (torch/optim/rmsprop.py _single_tensor_rmsprop) ---------------------------------------------------
// g = maximize ? -g : g; g += wd * p;  sq = alpha * sq + (1 - alpha) * g * g;
// centered: ga = alpha * ga + (1 - alpha) * g, avg = sqrt(sq - ga * ga); else avg = sqrt(sq);  avg += eps;
// momentum > 0: buf = momentum * buf + g / avg, p += -lr * buf;  else p += -lr * g / avg.
template <typename T>
struct RmspropScalars {
  T neg_lr, alpha, one_minus_alpha, eps, wd, momentum;
  bool centered, has_momentum, maximize;
};
template <typename T>
NT_HD void rmsprop_update(T& p, T g, T& sq, T* ga, T* buf, const RmspropScalars<T>& s) {
  T gr = s.maximize ? -g : g;
  if (s.wd != T(0)) gr = gr + s.wd * p;
  sq = sq * s.alpha + s.one_minus_alpha * gr * gr;
  T avg;
  if (s.centered) {
    T a = (*ga) * s.alpha + s.one_minus_alpha * gr;
    *ga = a;
    avg = NT_OPT_SQRT(sq + T(-1) * a * a);
  } else {
    avg = NT_OPT_SQRT(sq);
  }
  avg = avg + s.eps;
  if (s.has_momentum) {
    T b = (*buf) * s.momentum + T(1) * gr / avg;
    *buf = b;
    p = p + s.neg_lr * b;
  } else {
    p = p + s.neg_lr * gr / avg;
  }
}

// ---- Adagrad (torch/optim/adagrad.py _single_tensor_adagrad, dense gradients) ----------------------------------
// g = maximize ? -g : g; g += wd * p;  sum += g * g;  p += -clr * g / (sqrt(sum) + eps),  clr = lr / (1 + (step - 1) * lr_decay).
template <typename T>
struct AdagradScalars {
  T neg_clr, eps, wd;
  bool maximize;
};
template <typename T>
NT_HD void adagrad_update(T& p, T g, T& sum, const AdagradScalars<T>& s) {
  T gr = s.maximize ? -g : g;
  if (s.wd != T(0)) gr = gr + s.wd * p;
  sum = sum + T(1) * gr * gr;
  T std_ = NT_OPT_SQRT(sum) + s.eps;
  p = p + s.neg_clr * gr / std_;
}

// ---- hyper-parameters from the attribute list (shared host code: the CUDA launcher builds the same structs) -----
// SGD      a1 lr, a2 momentum, a3 dampening, a4 weight_decay, a5 nesterov, a6 maximize, a7 first step of the buffer
// Adam(W)  a1 lr, a2 beta1, a3 beta2, a4 eps, a5 weight_decay, a6 amsgrad, a7 maximize, a8 bias_correction1,
//          a9 sqrt(bias_correction2)
// RMSprop  a1 lr, a2 alpha, a3 eps, a4 weight_decay, a5 momentum, a6 centered, a7 maximize
// Adagrad  a1 clr (lr already decayed), a2 eps, a3 weight_decay, a4 maximize
template <typename T>
inline SgdScalars<T> sgd_scalars(const double* a) {
  SgdScalars<T> s;
  s.neg_lr = (T)(-a[1]);
  s.momentum = (T)a[2];
  s.one_minus_dampening = (T)(1.0 - a[3]);
  s.wd = (T)a[4];
  s.has_momentum = a[2] != 0;
  s.nesterov = a[5] != 0;
  s.maximize = a[6] != 0;
  s.first = a[7] != 0;
  return s;
}
template <typename T>
inline AdamScalars<T> adam_scalars(const double* a, bool decoupled) {
  AdamScalars<T> s;
  double lr = a[1], beta1 = a[2], beta2 = a[3], wd = a[5];
  s.beta1 = (T)beta1;
  s.one_minus_beta1 = (T)(1.0 - beta1);
  s.beta2 = (T)beta2;
  s.one_minus_beta2 = (T)(1.0 - beta2);
  s.eps = (T)a[4];
  s.wd = (T)wd;
  s.decoupled = decoupled;
  s.decoupled_factor = (T)(1.0 - lr * wd);
  s.amsgrad = a[6] != 0;
  s.maximize = a[7] != 0;
  s.neg_step_size = (T)(-(lr / a[8]));
  s.bc2_sqrt = (T)a[9];
  return s;
}
template <typename T>
inline RmspropScalars<T> rmsprop_scalars(const double* a) {
  RmspropScalars<T> s;
  s.neg_lr = (T)(-a[1]);
  s.alpha = (T)a[2];
  s.one_minus_alpha = (T)(1.0 - a[2]);
  s.eps = (T)a[3];
  s.wd = (T)a[4];
  s.momentum = (T)a[5];
  s.has_momentum = a[5] > 0;
  s.centered = a[6] != 0;
  s.maximize = a[7] != 0;
  return s;
}
template <typename T>
inline AdagradScalars<T> adagrad_scalars(const double* a) {
  AdagradScalars<T> s;
  s.neg_clr = (T)(-a[1]);
  s.eps = (T)a[2];
  s.wd = (T)a[3];
  s.maximize = a[4] != 0;
  return s;
}

// ---- GradScaler's unscale (ATen's _amp_foreach_non_finite_check_and_unscale_) -------------------------------------
// One gradient element: reports whether it is inf or NaN (checked before scaling), and multiplies it by inv_scale in
// float (float16/bfloat16/float32 gradients) or double, unless inv_scale is exactly 1. inv_scale is the float32
// reciprocal of the scale, as PyTorch computes it (scale.double().reciprocal().float()).
template <typename T>
NT_HD bool amp_unscale(T& v, float inv_scale) {
  using Acc = typename std::conditional<std::is_same<T, double>::value, double, float>::type;
  const Acc x = cvt<Acc>(v);
  const bool bad = !NT_OPT_ISFINITE(x);
  if (inv_scale != 1.f) v = cvt<T>(x * (Acc)inv_scale);
  return bad;
}

// ---- multi-tensor steps (OP(optim_step_multi): every parameter of a group in one call) ------------------------
// The same update functions, applied to one element held in registers r[0] param, r[1] grad, r[2..] states, in
// Acc: the parameter's own type for float32/float64, float32 for float16/bfloat16 (PyTorch's opmath; the per-tensor
// path computes such parameters in float32 working copies too, so both paths give the same bits). Each op carries
// the group's scalars; the two that depend on a parameter's own step count (SGD's first step of its momentum buffer,
// Adam's bias corrections) are per-parameter fields, set with set_param from the values the host computed with the
// same *_scalars<Acc> function as the single-tensor step.
constexpr int kMultiMaxOperands = 5;  // param, grad and at most three states: the register array of one element
template <typename Acc>
struct SgdMultiOp {
  SgdScalars<Acc> s;
  NT_HD void set_param(Acc x0, Acc) { s.first = x0 != Acc(0); }
  void param_fields(const SgdScalars<Acc>& p, Acc& x0, Acc& x1) const { x0 = p.first ? Acc(1) : Acc(0); x1 = Acc(0); }
  NT_HD void operator()(Acc* r) const { sgd_update<Acc>(r[0], r[1], s.has_momentum ? r + 2 : nullptr, s); }
};
template <typename Acc>
struct AdamMultiOp {
  AdamScalars<Acc> s;
  NT_HD void set_param(Acc x0, Acc x1) { s.neg_step_size = x0; s.bc2_sqrt = x1; }
  void param_fields(const AdamScalars<Acc>& p, Acc& x0, Acc& x1) const { x0 = p.neg_step_size; x1 = p.bc2_sqrt; }
  NT_HD void operator()(Acc* r) const { adam_update<Acc>(r[0], r[1], r[2], r[3], s.amsgrad ? r + 4 : nullptr, s); }
};

template <typename Acc>
struct RmspropMultiOp {  // param, grad, square_avg (, grad_avg when centered) (, momentum_buffer when momentum > 0)
  RmspropScalars<Acc> s;
  NT_HD void set_param(Acc, Acc) {}
  void param_fields(const RmspropScalars<Acc>&, Acc& x0, Acc& x1) const { x0 = Acc(0); x1 = Acc(0); }
  NT_HD void operator()(Acc* r) const {
    rmsprop_update<Acc>(r[0], r[1], r[2], s.centered ? r + 3 : nullptr, s.has_momentum ? (s.centered ? r + 4 : r + 3) : nullptr, s);
  }
};
template <typename Acc>
struct AdagradMultiOp {  // param, grad, sum; the decayed lr depends on the parameter's own step count
  AdagradScalars<Acc> s;
  NT_HD void set_param(Acc x0, Acc) { s.neg_clr = x0; }
  void param_fields(const AdagradScalars<Acc>& p, Acc& x0, Acc& x1) const { x0 = p.neg_clr; x1 = Acc(0); }
  NT_HD void operator()(Acc* r) const { adagrad_update<Acc>(r[0], r[1], r[2], s); }
};

// ---- GradScaler in the fused step (PyTorch's grad_scale / found_inf arguments of _fused_adam_, _fused_sgd_) ------
// OP(optim_step_multi) with a11 = 1 takes one more tensor at the end of its list: found_inf (float32 [1], on the
// parameters' device). Where it is non-zero the whole step is skipped (nothing is written), read on the device by
// the kernel itself, so the host never waits for it. a12 = grad_scale > 0: each gradient is divided by it in Acc
// before the update (PyTorch's `grad /= *grad_scale_ptr`) and the unscaled gradient is stored back, as PyTorch's
// fused kernels do; a12 = 0 (the gradients were unscaled already, GradScaler.unscale_()) leaves them as they are.
NT_HD bool amp_skip(const float* found_inf) { return found_inf != nullptr && *found_inf != 0.f; }
template <typename Acc>
NT_HD Acc amp_grad(Acc g, Acc grad_scale) { return g / grad_scale; }
inline bool multi_has_found_inf(const double* a, int na) { return na > 11 && a[11] != 0; }
inline double multi_grad_scale(const double* a, int na) { return na > 12 ? a[12] : 0.0; }

// The attribute list of one parameter: the group's a0..a9 with its per-parameter values x[0], x[1] (OP(optim_step_multi)'s
// extra attributes) in their slots: SGD a7 (first step of the momentum buffer), Adam(W) a8 bias_correction1 and
// a9 sqrt(bias_correction2), Adagrad a1 (the lr decayed by its step count); RMSprop has none.
inline void param_attrs(int algo, const double* a, const double* x, double* out) {
  for (int i = 0; i < 10; i++) out[i] = a[i];
  if (algo == SGD) out[7] = x[0];
  else if (algo == ADAGRAD) out[1] = x[0];
  else if (algo == ADAM || algo == ADAMW) { out[8] = x[0]; out[9] = x[1]; }
}

// number of state tensors each algorithm takes after (param, grad), from the same flags
inline int state_count(int algo, const double* a) {
  switch (algo) {
    case SGD: return a[2] != 0 ? 1 : 0;
    case ADAM: case ADAMW: return a[6] != 0 ? 3 : 2;
    case RMSPROP: return 1 + (a[6] != 0 ? 1 : 0) + (a[5] > 0 ? 1 : 0);
    case ADAGRAD: return 1;
    default: return -1;
  }
}

}  // namespace optim
}  // namespace nt
