// qr.ts - a small Householder QR (reduced: A [m, n], m >= n -> Q [m, n], R [n, n]) in float64 on the CPU, for
// nn.init.orthogonal_ (an initialiser: no gradient). orthonormalQ applies PyTorch's sign correction (each column of
// Q times the sign of R's diagonal entry), which makes the result unique: the Q of the QR whose R has a positive
// diagonal, the same whatever sign convention the factorisation used (LAPACK's included).

/** Householder QR of the row-major m x n matrix `a` (m >= n): { q (m x n, row-major), r (n x n, row-major) }.
 *  (Worked column-major, so that each reflection runs over contiguous memory.) */
export function householderQr(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
  if (m < n) throw new Error(`householderQr: expected rows >= cols, got ${m} x ${n}`);
  const C = new Float64Array(m * n);  // column-major: C[j * m + i] = a[i][j]
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[j * m + i] = a[i * n + j];
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const len = m - k, ck = k * m + k;
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) { v[i] = C[ck + i]; norm2 += v[i] * v[i]; }
    const norm = Math.sqrt(norm2);
    if (norm === 0) { vs.push(v); continue; }
    const alpha = v[0] >= 0 ? -norm : norm;  // the reflection maps x to alpha e1 (sign chosen against cancellation)
    v[0] -= alpha;
    let vn2 = 0;
    for (let i = 0; i < len; i++) vn2 += v[i] * v[i];
    const vn = Math.sqrt(vn2);
    for (let i = 0; i < len; i++) v[i] /= vn;
    // R[k:, k:] -= 2 v (v^T R[k:, k:]), column by column
    for (let j = k; j < n; j++) {
      const cj = j * m + k;
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i] * C[cj + i];
      s *= 2;
      if (s !== 0) for (let i = 0; i < len; i++) C[cj + i] -= s * v[i];
    }
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} I[:, :n], applied right to left (column-major too)
  const Qc = new Float64Array(m * n);
  for (let j = 0; j < n; j++) Qc[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k], len = m - k;
    for (let j = 0; j < n; j++) {
      const cj = j * m + k;
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i] * Qc[cj + i];
      s *= 2;
      if (s !== 0) for (let i = 0; i < len; i++) Qc[cj + i] -= s * v[i];
    }
  }
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] = Qc[j * m + i];
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = C[j * m + i];
  return { q, r };
}

/** Q * sign(diag(R)) of the QR of the row-major m x n matrix `a` (m >= n), as orthogonal_ computes it. */
export function orthonormalQ(a: Float64Array, m: number, n: number): Float64Array {
  const { q, r } = householderQr(a, m, n);
  for (let j = 0; j < n; j++) {
    const d = r[j * n + j];
    const s = d > 0 ? 1 : d < 0 ? -1 : 0;  // torch.sign
    if (s !== 1) for (let i = 0; i < m; i++) q[i * n + j] *= s;
  }
  return q;
}
