// linalg.cc - CPU kernels of torch.linalg (OP(linalg), a0 = the LinalgCode below): LU with partial pivoting and its
// solve, Cholesky, Householder QR, the symmetric eigen-decomposition (cyclic Jacobi), the SVD (one-sided Jacobi,
// Hestenes) and the triangular solve. lib/ops/linalg.ts hands every kernel contiguous float64 tensors with the batch
// dims flattened to one leading dim B (float32 inputs are computed in double and rounded once on the way back), and
// does the shape/dtype checks, broadcasting and error messages; the kernels only report per-matrix `info` values.
// Matrices of a batch are independent: they run in parallel over the pool when there are several.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include "cpu.h"

namespace nt {
namespace {

enum LinalgCode { LU = 0, LU_SOLVE = 1, CHOL = 2, QR = 3, EIGH = 4, SVD = 5, TRSM = 6 };

inline double* P(const TensorArg& t) { return reinterpret_cast<double*>(t.data); }

void check_f64(const Call& c, int n) {
  if (c.nt != n) throw TorchError("linalg: internal: wrong tensor count");
  for (int i = 0; i < n; i++)
    if (c.t[i].dtype != DType::F64 || !c.t[i].contiguous()) throw TorchError("linalg: internal: kernels take contiguous float64 tensors");
}

template <typename F>
void batches(int64_t B, int64_t work, F&& f) {
  // one matrix per task; small matrices are grouped so a task is worth a thread
  int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, work));
  parallel_for(B, grain, [&](int64_t b, int64_t e) { for (int64_t i = b; i < e; i++) f(i); });
}

// ---- LU (getrf): a [n,n] row-major overwritten by L\U (unit L), piv[i] = the row swapped with i; returns LAPACK's
// info: the first (1-based) zero pivot, 0 if none
int lu_factor(double* a, int64_t n, double* piv) {
  int info = 0;
  for (int64_t j = 0; j < n; j++) {
    int64_t p = j;
    double best = std::fabs(a[j * n + j]);
    for (int64_t i = j + 1; i < n; i++) {
      double v = std::fabs(a[i * n + j]);
      if (v > best || (std::isnan(v) && !std::isnan(best))) { best = v; p = i; }
    }
    piv[j] = (double)p;
    if (p != j) for (int64_t k = 0; k < n; k++) std::swap(a[j * n + k], a[p * n + k]);
    double d = a[j * n + j];
    if (d == 0) { if (!info) info = (int)j + 1; continue; }
    for (int64_t i = j + 1; i < n; i++) {
      double l = a[i * n + j] / d;
      a[i * n + j] = l;
      if (l != 0) for (int64_t k = j + 1; k < n; k++) a[i * n + k] -= l * a[j * n + k];
    }
  }
  return info;
}

void lu_solve(const double* lu, const double* piv, int64_t n, double* x, int64_t k) {
  for (int64_t j = 0; j < n; j++) {
    int64_t p = (int64_t)piv[j];
    if (p != j) for (int64_t c = 0; c < k; c++) std::swap(x[j * k + c], x[p * k + c]);
  }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < i; j++) {
      double l = lu[i * n + j];
      if (l != 0) for (int64_t c = 0; c < k; c++) x[i * k + c] -= l * x[j * k + c];
    }
  for (int64_t i = n - 1; i >= 0; i--) {
    for (int64_t j = i + 1; j < n; j++) {
      double u = lu[i * n + j];
      if (u != 0) for (int64_t c = 0; c < k; c++) x[i * k + c] -= u * x[j * k + c];
    }
    double d = lu[i * n + i];
    for (int64_t c = 0; c < k; c++) x[i * k + c] /= d;
  }
}

// ---- Cholesky (potrf, lower): a [n,n], the lower triangle read, overwritten by L (upper part zeroed); info = the
// order of the first leading minor that is not positive-definite
int cholesky(double* a, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    double s = a[j * n + j];
    for (int64_t k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (!(s > 0)) return (int)j + 1;
    double d = std::sqrt(s);
    a[j * n + j] = d;
    for (int64_t i = j + 1; i < n; i++) {
      double t = a[i * n + j];
      for (int64_t k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / d;
    }
    for (int64_t k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return 0;
}

// ---- Householder QR (geqrf + orgqr, LAPACK's sign convention: R[j][j] = -sign(x0) |x|, no reflection where the
// column below the diagonal is already zero): a [m,n] in; q [m,qc] (qc = 0: not formed), r [rr,n] (rr = min(m,n) or m)
void qr(const double* a_in, int64_t m, int64_t n, double* q, int64_t qc, double* r, int64_t rr) {
  std::vector<double> a(a_in, a_in + m * n);
  const int64_t k = std::min(m, n);
  std::vector<double> vs((size_t)(m * k), 0.0);
  std::vector<char> used((size_t)k, 0);
  for (int64_t j = 0; j < k; j++) {
    double tail = 0;
    for (int64_t i = j + 1; i < m; i++) tail += a[i * n + j] * a[i * n + j];
    if (tail == 0) continue;
    double x0 = a[j * n + j];
    double norm = std::sqrt(x0 * x0 + tail);
    double beta = x0 >= 0 ? -norm : norm;
    double* v = &vs[(size_t)(j * m)];
    v[j] = x0 - beta;
    for (int64_t i = j + 1; i < m; i++) v[i] = a[i * n + j];
    double vn = std::sqrt(v[j] * v[j] + tail);
    for (int64_t i = j; i < m; i++) v[i] /= vn;
    used[(size_t)j] = 1;
    // A <- (I - 2 v v^T) A on columns j..n-1
    for (int64_t c = j; c < n; c++) {
      double s = 0;
      for (int64_t i = j; i < m; i++) s += v[i] * a[i * n + c];
      s *= 2;
      for (int64_t i = j; i < m; i++) a[i * n + c] -= s * v[i];
    }
    a[j * n + j] = beta;
    for (int64_t i = j + 1; i < m; i++) a[i * n + j] = 0;
  }
  for (int64_t i = 0; i < rr; i++)
    for (int64_t c = 0; c < n; c++) r[i * n + c] = (i < m && c >= i) ? a[i * n + c] : 0;
  if (qc == 0) return;
  // Q = H_0 H_1 .. H_{k-1} I[:, :qc], applied from the last reflection
  for (int64_t i = 0; i < m; i++)
    for (int64_t c = 0; c < qc; c++) q[i * qc + c] = i == c ? 1 : 0;
  for (int64_t j = k - 1; j >= 0; j--) {
    if (!used[(size_t)j]) continue;
    const double* v = &vs[(size_t)(j * m)];
    for (int64_t c = 0; c < qc; c++) {
      double s = 0;
      for (int64_t i = j; i < m; i++) s += v[i] * q[i * qc + c];
      s *= 2;
      for (int64_t i = j; i < m; i++) q[i * qc + c] -= s * v[i];
    }
  }
}

// ---- symmetric eigen-decomposition, cyclic Jacobi: a [n,n] symmetric (copied), w ascending, v [n,n] columns the
// eigenvectors
void eigh(const double* a_in, int64_t n, double* w, double* v) {
  std::vector<double> a(a_in, a_in + n * n);
  std::vector<double> V((size_t)(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) V[(size_t)(i * n + i)] = 1;
  double total = 0;
  for (int64_t i = 0; i < n * n; i++) total += a[(size_t)i] * a[(size_t)i];
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0;
    for (int64_t p = 0; p < n; p++)
      for (int64_t q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-32 * total || off == 0) break;
    for (int64_t p = 0; p < n; p++)
      for (int64_t q = p + 1; q < n; q++) {
        double apq = a[p * n + q];
        if (apq == 0) continue;
        double app = a[p * n + p], aqq = a[q * n + q];
        if (std::fabs(apq) < 1e-300 || std::fabs(apq) <= 1e-18 * std::sqrt(std::fabs(app * aqq))) { a[p * n + q] = a[q * n + p] = 0; continue; }
        double theta = (aqq - app) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; k++) {  // columns p, q
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; k++) {  // rows p, q
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0;
        for (int64_t k = 0; k < n; k++) {
          double vkp = V[(size_t)(k * n + p)], vkq = V[(size_t)(k * n + q)];
          V[(size_t)(k * n + p)] = c * vkp - s * vkq;
          V[(size_t)(k * n + q)] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<int64_t> ord((size_t)n);
  for (int64_t i = 0; i < n; i++) ord[(size_t)i] = i;
  std::stable_sort(ord.begin(), ord.end(), [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  for (int64_t j = 0; j < n; j++) {
    int64_t s = ord[(size_t)j];
    w[j] = a[s * n + s];
    for (int64_t i = 0; i < n; i++) v[i * n + j] = V[(size_t)(i * n + s)];
  }
}

// columns [from, cols) of u [m, cols] (row-major) replaced by unit vectors orthogonal to columns [0, from) and to
// each other (the basis completion of a rank-deficient or full_matrices SVD): the standard basis vector with the
// largest remainder after two Gram-Schmidt passes
void complete_basis(double* u, int64_t m, int64_t cols, int64_t from, const std::vector<char>& keep) {
  std::vector<double> cand((size_t)m);
  for (int64_t j = from; j < cols; j++) {
    if (keep[(size_t)j]) continue;
    double bestn = -1;
    std::vector<double> best((size_t)m);
    for (int64_t e = 0; e < m; e++) {
      std::fill(cand.begin(), cand.end(), 0.0);
      cand[(size_t)e] = 1;
      for (int pass = 0; pass < 2; pass++)
        for (int64_t c = 0; c < cols; c++) {
          if (c == j || (c >= from && !keep[(size_t)c] && c > j)) continue;
          double d = 0;
          for (int64_t i = 0; i < m; i++) d += u[i * cols + c] * cand[(size_t)i];
          for (int64_t i = 0; i < m; i++) cand[(size_t)i] -= d * u[i * cols + c];
        }
      double nr = 0;
      for (int64_t i = 0; i < m; i++) nr += cand[(size_t)i] * cand[(size_t)i];
      if (nr > bestn) { bestn = nr; best = cand; }
      if (nr > 0.5) break;
    }
    double s = 1 / std::sqrt(bestn);
    for (int64_t i = 0; i < m; i++) u[i * cols + j] = best[(size_t)i] * s;
  }
}

// ---- SVD, one-sided Jacobi on the columns of a [m,n] with m >= n: a = U diag(s) V^T, s descending; u [m,uc]
// (uc = n or m), vt [n,n]; u/vt null: singular values only
void svd_tall(const double* a_in, int64_t m, int64_t n, double* u, int64_t uc, double* s, double* vt) {
  std::vector<double> w(a_in, a_in + m * n);  // row-major [m,n]
  std::vector<double> V((size_t)(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) V[(size_t)(i * n + i)] = 1;
  for (int sweep = 0; sweep < 80; sweep++) {
    bool rotated = false;
    for (int64_t p = 0; p < n; p++)
      for (int64_t q = p + 1; q < n; q++) {
        double al = 0, be = 0, ga = 0;
        for (int64_t i = 0; i < m; i++) {
          double x = w[(size_t)(i * n + p)], y = w[(size_t)(i * n + q)];
          al += x * x; be += y * y; ga += x * y;
        }
        if (ga == 0 || std::fabs(ga) <= 1e-15 * std::sqrt(al * be)) continue;
        rotated = true;
        double zeta = (be - al) / (2 * ga);
        double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        double c = 1 / std::sqrt(1 + t * t), sn = c * t;
        for (int64_t i = 0; i < m; i++) {
          double x = w[(size_t)(i * n + p)], y = w[(size_t)(i * n + q)];
          w[(size_t)(i * n + p)] = c * x - sn * y;
          w[(size_t)(i * n + q)] = sn * x + c * y;
        }
        for (int64_t i = 0; i < n; i++) {
          double x = V[(size_t)(i * n + p)], y = V[(size_t)(i * n + q)];
          V[(size_t)(i * n + p)] = c * x - sn * y;
          V[(size_t)(i * n + q)] = sn * x + c * y;
        }
      }
    if (!rotated) break;
  }
  std::vector<double> nrm((size_t)n);
  for (int64_t j = 0; j < n; j++) {
    double t = 0;
    for (int64_t i = 0; i < m; i++) t += w[(size_t)(i * n + j)] * w[(size_t)(i * n + j)];
    nrm[(size_t)j] = std::sqrt(t);
  }
  std::vector<int64_t> ord((size_t)n);
  for (int64_t i = 0; i < n; i++) ord[(size_t)i] = i;
  std::stable_sort(ord.begin(), ord.end(), [&](int64_t x, int64_t y) { return nrm[(size_t)x] > nrm[(size_t)y]; });
  for (int64_t j = 0; j < n; j++) s[j] = nrm[(size_t)ord[(size_t)j]];
  if (!u) return;
  const double smax = n ? s[0] : 0;
  std::vector<char> keep((size_t)uc, 0);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < uc; j++) u[i * uc + j] = 0;
  for (int64_t j = 0; j < n; j++) {
    int64_t src = ord[(size_t)j];
    for (int64_t i = 0; i < n; i++) vt[j * n + i] = V[(size_t)(i * n + src)];
    if (s[j] > 0 && s[j] > smax * 1e-13 * (double)std::max(m, n)) {
      keep[(size_t)j] = 1;
      for (int64_t i = 0; i < m; i++) u[i * uc + j] = w[(size_t)(i * n + src)] / s[j];
    }
  }
  complete_basis(u, m, uc, 0, keep);
}

void svd(const double* a, int64_t m, int64_t n, double* u, int64_t uc, double* s, double* vt, int64_t vr) {
  if (m >= n) {
    if (!u) return svd_tall(a, m, n, nullptr, 0, s, nullptr);
    if (vr == n) return svd_tall(a, m, n, u, uc, s, vt);
    return;  // (vr is n whenever m >= n)
  }
  // m < n: the SVD of a^T [n,m] = U' S V'^T gives a = V' S U'^T: U = V', Vh = U'^T
  std::vector<double> at((size_t)(n * m));
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) at[(size_t)(j * m + i)] = a[i * n + j];
  if (!u) return svd_tall(at.data(), n, m, nullptr, 0, s, nullptr);
  std::vector<double> up((size_t)(n * vr)), vpt((size_t)(m * m));
  svd_tall(at.data(), n, m, up.data(), vr, s, vpt.data());
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < m; j++) u[i * uc + j] = vpt[(size_t)(j * m + i)];
  for (int64_t i = 0; i < vr; i++)
    for (int64_t j = 0; j < n; j++) vt[i * n + j] = up[(size_t)(j * vr + i)];
}

// ---- triangular solve (trsm, left): x [n,k] <- A^-1 x, A [n,n] upper or lower, unit diagonal if unit
void trsm(const double* A, int64_t n, double* x, int64_t k, bool upper, bool unit) {
  if (!upper) {
    for (int64_t i = 0; i < n; i++) {
      for (int64_t j = 0; j < i; j++) {
        double l = A[i * n + j];
        if (l != 0) for (int64_t c = 0; c < k; c++) x[i * k + c] -= l * x[j * k + c];
      }
      if (!unit) for (int64_t c = 0; c < k; c++) x[i * k + c] /= A[i * n + i];
    }
  } else {
    for (int64_t i = n - 1; i >= 0; i--) {
      for (int64_t j = i + 1; j < n; j++) {
        double u = A[i * n + j];
        if (u != 0) for (int64_t c = 0; c < k; c++) x[i * k + c] -= u * x[j * k + c];
      }
      if (!unit) for (int64_t c = 0; c < k; c++) x[i * k + c] /= A[i * n + i];
    }
  }
}

void linalg_kernel(Call& c) {
  const int code = (int)c.iattr(0, -1);
  switch (code) {
    case LU: {  // t0 LU [B,n,n] in/out, t1 piv [B,n], t2 info [B]
      check_f64(c, 3);
      const TensorArg& a = c.t[0];
      int64_t n = a.shape[a.ndim - 1], B = n ? a.numel() / (n * n) : 0;
      batches(B, n * n * n, [&](int64_t b) { P(c.t[2])[b] = lu_factor(P(a) + b * n * n, n, P(c.t[1]) + b * n); });
      break;
    }
    case LU_SOLVE: {  // t0 X [B,n,k] in/out, t1 LU [B,n,n], t2 piv [B,n]
      check_f64(c, 3);
      const TensorArg& x = c.t[0];
      int64_t n = c.t[1].shape[c.t[1].ndim - 1], k = x.shape[x.ndim - 1];
      int64_t B = n ? c.t[1].numel() / (n * n) : 0;
      batches(B, n * n * k, [&](int64_t b) { lu_solve(P(c.t[1]) + b * n * n, P(c.t[2]) + b * n, n, P(x) + b * n * k, k); });
      break;
    }
    case CHOL: {  // t0 L [B,n,n] in/out, t1 info [B]
      check_f64(c, 2);
      const TensorArg& a = c.t[0];
      int64_t n = a.shape[a.ndim - 1], B = n ? a.numel() / (n * n) : 0;
      batches(B, n * n * n, [&](int64_t b) { P(c.t[1])[b] = cholesky(P(a) + b * n * n, n); });
      break;
    }
    case QR: {  // t0 Q [B,m,qc] (qc = a1; 0: not formed), t1 R [B,rr,n], t2 A [B,m,n]
      check_f64(c, 3);
      const TensorArg& a = c.t[2];
      int64_t m = a.shape[a.ndim - 2], n = a.shape[a.ndim - 1], qc = c.iattr(1), rr = c.t[1].shape[c.t[1].ndim - 2];
      int64_t B = c.t[1].numel() / std::max<int64_t>(1, rr * n);
      if (rr * n == 0) B = (m * n != 0) ? a.numel() / (m * n) : 0;
      batches(B, m * n * std::max<int64_t>(1, std::min(m, n)), [&](int64_t b) {
        qr(P(a) + b * m * n, m, n, qc ? P(c.t[0]) + b * m * qc : nullptr, qc, P(c.t[1]) + b * rr * n, rr);
      });
      break;
    }
    case EIGH: {  // t0 w [B,n], t1 V [B,n,n], t2 A [B,n,n] symmetric
      check_f64(c, 3);
      const TensorArg& a = c.t[2];
      int64_t n = a.shape[a.ndim - 1], B = n ? a.numel() / (n * n) : 0;
      batches(B, 8 * n * n * n, [&](int64_t b) { eigh(P(a) + b * n * n, n, P(c.t[0]) + b * n, P(c.t[1]) + b * n * n); });
      break;
    }
    case SVD: {  // t0 U [B,m,uc], t1 S [B,k], t2 Vh [B,vr,n], t3 A [B,m,n]; a1 = 1: U and Vh wanted
      check_f64(c, 4);
      const TensorArg& a = c.t[3];
      int64_t m = a.shape[a.ndim - 2], n = a.shape[a.ndim - 1], k = std::min(m, n);
      int64_t B = (m * n != 0) ? a.numel() / (m * n) : 0;
      const bool uv = c.iattr(1) != 0;
      int64_t uc = c.t[0].shape[c.t[0].ndim - 1], vr = c.t[2].shape[c.t[2].ndim - 2];
      batches(B, 8 * m * n * std::max<int64_t>(1, k), [&](int64_t b) {
        svd(P(a) + b * m * n, m, n, uv ? P(c.t[0]) + b * m * uc : nullptr, uc, P(c.t[1]) + b * k, uv ? P(c.t[2]) + b * vr * n : nullptr, vr);
      });
      break;
    }
    case TRSM: {  // t0 X [B,n,k] in/out, t1 A [B,n,n]; a1 upper, a2 unitriangular
      check_f64(c, 2);
      const TensorArg& x = c.t[0];
      int64_t n = c.t[1].shape[c.t[1].ndim - 1], k = x.shape[x.ndim - 1];
      int64_t B = n ? c.t[1].numel() / (n * n) : 0;
      const bool upper = c.iattr(1) != 0, unit = c.iattr(2) != 0;
      batches(B, n * n * k, [&](int64_t b) { trsm(P(c.t[1]) + b * n * n, n, P(x) + b * n * k, k, upper, unit); });
      break;
    }
    default: throw TorchError("linalg: internal: unknown kernel code");
  }
}

}  // namespace

REGISTER_KERNEL(linalg, CPU, linalg_kernel);

}  // namespace nt
