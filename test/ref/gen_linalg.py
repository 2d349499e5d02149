#!/usr/bin/env python3
# gen_linalg.py - reference values for test/linalg.test.ts from PyTorch 1.13 (torch.linalg and the torch.* linear
# algebra functions). Each case: named inputs, a function giving a list of outputs (for the decompositions, quantities
# that do not depend on the sign/phase convention: |U|, U diag(S) Vh, V*V), and where `grad` is set the gradients of
# sum_i sum(out_i * W_i) with the stored random weights W_i. Errors: the message PyTorch raises.
# Run: /usr/bin/python3 test/ref/gen_linalg.py  (writes test/ref/linalg.json)
import json, os
import torch

torch.manual_seed(0)
L = torch.linalg
cases = []


def T(x):
    def enc(v):
        if isinstance(v, list):
            return [enc(u) for u in v]
        if isinstance(v, float) and v != v:
            return 'nan'
        if isinstance(v, float) and v in (float('inf'), -float('inf')):
            return 'inf' if v > 0 else '-inf'
        return v
    return enc(x.detach().tolist())


def case(name, fn, inputs, dtypes=('float64', 'float32'), grad=True):
    for dt in dtypes:
        d = getattr(torch, dt)
        ins = {k: v.to(d).clone().requires_grad_(grad and v.is_floating_point()) for k, v in inputs.items()}
        outs = fn(**ins)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        rec = {'name': name, 'dtype': dt, 'inputs': {k: T(v) for k, v in ins.items()},
               'shapes': {k: list(v.shape) for k, v in ins.items()},
               'outs': [T(o) for o in outs], 'out_shapes': [list(o.shape) for o in outs]}
        if grad:
            W = [torch.randn(o.shape, dtype=torch.float64).to(d) for o in outs]
            loss = sum((o * w).sum() for o, w in zip(outs, W))
            gs = torch.autograd.grad(loss, [ins[k] for k in ins], allow_unused=True)
            rec['W'] = [T(w) for w in W]
            rec['grads'] = {k: (T(g) if g is not None else None) for k, g in zip(ins, gs)}
        cases.append(rec)


def err(name, fn, inputs):
    try:
        fn(**inputs)
        raise SystemExit(f'{name}: no error')
    except RuntimeError as e:
        cases.append({'name': name, 'dtype': str(next(iter(inputs.values())).dtype).replace('torch.', ''),
                      'inputs': {k: T(v) for k, v in inputs.items()}, 'shapes': {k: list(v.shape) for k, v in inputs.items()},
                      'error': str(e).split('\n')[0]})


r = lambda *s: torch.randn(*s, dtype=torch.float64)
def spd(*s):
    x = r(*s)
    return x @ x.mT + s[-1] * torch.eye(s[-1], dtype=torch.float64)
def sym(*s):
    x = r(*s)
    return x + x.mT

# ---- det / slogdet / logdet / inv / solve
case('det', lambda A: L.det(A), {'A': r(3, 3)})
case('det_batched', lambda A: L.det(A), {'A': r(2, 4, 4)})
case('det_singular', lambda A: L.det(A), {'A': torch.tensor([[1., 2., 3.], [2., 4., 6.], [0., 1., 5.]], dtype=torch.float64)})
case('torch_det', lambda A: torch.det(A), {'A': r(2, 2)})
case('slogdet', lambda A: list(L.slogdet(A)), {'A': r(2, 3, 3)})
case('logdet', lambda A: torch.logdet(A), {'A': spd(2, 3, 3)})
case('logdet_neg', lambda A: torch.logdet(A), {'A': torch.tensor([[0., 1.], [1., 0.]], dtype=torch.float64)}, grad=False)
case('inv', lambda A: L.inv(A), {'A': r(4, 4)})
case('inv_batched', lambda A: L.inv(A), {'A': r(2, 3, 3, 3)})
case('torch_inverse', lambda A: torch.inverse(A), {'A': r(3, 3)})
case('solve', lambda A, B: L.solve(A, B), {'A': r(2, 3, 3), 'B': r(2, 3, 2)})
case('solve_vec', lambda A, B: L.solve(A, B), {'A': r(3, 3), 'B': r(3)})
case('solve_bcast', lambda A, B: L.solve(A, B), {'A': r(3, 3), 'B': r(2, 3, 4)})
case('solve_right', lambda A, B: L.solve(A, B, left=False), {'A': r(3, 3), 'B': r(2, 3)})
err('inv_singular', lambda A: L.inv(A), {'A': torch.tensor([[1., 2.], [2., 4.]], dtype=torch.float64)})
err('inv_singular_batched', lambda A: L.inv(A), {'A': torch.stack([torch.eye(2, dtype=torch.float64), torch.tensor([[1., 2.], [2., 4.]], dtype=torch.float64)])})
err('solve_singular', lambda A, B: L.solve(A, B), {'A': torch.tensor([[1., 2.], [2., 4.]], dtype=torch.float64), 'B': r(2, 1)})
err('inv_nonsquare', lambda A: L.inv(A), {'A': r(2, 3)})
err('det_int', lambda A: L.det(A), {'A': torch.tensor([[1, 2], [3, 4]])})
err('svd_nan', lambda A: L.svdvals(A), {'A': torch.tensor([[float('nan'), 1.], [1., 2.]], dtype=torch.float64)})
err('inv_1d', lambda A: L.inv(A), {'A': r(3)})

# ---- cholesky / cholesky_solve / solve_triangular
case('cholesky', lambda A: L.cholesky(A), {'A': spd(3, 3)})
case('cholesky_batched_upper', lambda A: L.cholesky(A, upper=True), {'A': spd(2, 4, 4)})
err('cholesky_notpd', lambda A: L.cholesky(A), {'A': torch.tensor([[1., 2.], [2., 1.]], dtype=torch.float64)})
err('cholesky_notpd_batched', lambda A: L.cholesky(A), {'A': torch.stack([torch.eye(2, dtype=torch.float64), torch.tensor([[1., 2.], [2., 1.]], dtype=torch.float64)])})
case('solve_triangular_upper', lambda A, B: L.solve_triangular(A, B, upper=True), {'A': r(3, 3) + 3 * torch.eye(3, dtype=torch.float64), 'B': r(3, 2)})
case('solve_triangular_lower_right', lambda A, B: L.solve_triangular(A, B, upper=False, left=False), {'A': r(2, 3, 3) + 3 * torch.eye(3, dtype=torch.float64), 'B': r(2, 4, 3)})
case('solve_triangular_unit', lambda A, B: L.solve_triangular(A, B, upper=False, unitriangular=True), {'A': r(3, 3), 'B': r(3, 2)})
case('cholesky_solve', lambda B, Lm: torch.cholesky_solve(B, Lm), {'B': r(3, 2), 'Lm': L.cholesky(spd(3, 3))})
case('cholesky_solve_upper', lambda B, Lm: torch.cholesky_solve(B, Lm, upper=True), {'B': r(2, 3, 2), 'Lm': L.cholesky(spd(2, 3, 3), upper=True)})

# ---- qr (Householder: LAPACK's signs, compared directly)
case('qr_tall', lambda A: list(L.qr(A)), {'A': r(5, 3)})
case('qr_square_complete', lambda A: list(L.qr(A, mode='complete')), {'A': r(2, 3, 3)})
case('qr_wide', lambda A: list(L.qr(A)), {'A': r(3, 5)})
case('qr_tall_complete', lambda A: list(L.qr(A, mode='complete')), {'A': r(4, 2)}, grad=False)
case('qr_r', lambda A: L.qr(A, mode='r')[1], {'A': r(4, 3)}, grad=False)

# ---- eigh / eigvalsh (eigenvectors up to sign: V*V and V diag(L) V^T)
def eigh_inv(A, UPLO='L'):
    w, V = L.eigh(A, UPLO=UPLO)
    return [w, V * V, (V * w.unsqueeze(-2)) @ V.mT]
case('eigh', lambda X: eigh_inv(X + X.mT), {'X': r(4, 4)})
case('eigh_batched_U', lambda X: eigh_inv(X + X.mT, 'U'), {'X': r(2, 3, 3)})
case('eigh_lower_only', lambda A: L.eigh(A)[0], {'A': r(3, 3)})
case('eigvalsh', lambda X: L.eigvalsh(X @ X.mT), {'X': r(2, 4, 4)})

# ---- svd / svdvals (U diag(S) Vh, |U|, |Vh|)
def svd_inv(A, full=False):
    U, S, Vh = L.svd(A, full_matrices=full)
    k = S.shape[-1]
    return [S, (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :], U * U, Vh * Vh]
case('svd_tall', lambda A: svd_inv(A), {'A': r(5, 3)})
case('svd_wide_batched', lambda A: svd_inv(A), {'A': r(2, 3, 4)})
case('svd_square', lambda A: svd_inv(A), {'A': r(4, 4)})
case('svd_full', lambda A: [L.svd(A)[1], L.svd(A)[0].abs().sum(-2) * 0 + 1], {'A': r(4, 2)}, grad=False)
case('svdvals', lambda A: L.svdvals(A), {'A': r(2, 3, 5)})
case('svdvals_rankdef', lambda A: L.svdvals(A), {'A': torch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], dtype=torch.float64)}, grad=False)

# ---- pinv / matrix_rank / lstsq
case('pinv', lambda A: L.pinv(A), {'A': r(3, 4)})
case('pinv_tall_batched', lambda A: L.pinv(A), {'A': r(2, 4, 3)})
case('pinv_rankdef', lambda A: L.pinv(A), {'A': torch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], dtype=torch.float64)}, grad=False)
case('pinv_hermitian', lambda A: L.pinv(A, hermitian=True), {'A': spd(3, 3)}, grad=False)
case('torch_pinverse', lambda A: torch.pinverse(A), {'A': r(3, 2)})
case('matrix_rank', lambda A: L.matrix_rank(A), {'A': torch.tensor([[[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], [[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]]], dtype=torch.float64)}, grad=False)
case('matrix_rank_atol', lambda A: L.matrix_rank(A, atol=1.0, rtol=0.0), {'A': torch.diag(torch.tensor([3., 2., 0.5], dtype=torch.float64))}, grad=False)
case('matrix_rank_hermitian', lambda A: L.matrix_rank(A, hermitian=True), {'A': torch.tensor([[2., 1., 0.], [1., 2., 0.], [0., 0., 0.]], dtype=torch.float64)}, grad=False)
case('lstsq', lambda A, B: L.lstsq(A, B).solution, {'A': r(5, 3), 'B': r(5, 2)})

# ---- matrix functions and the rest
case('matrix_power3', lambda A: L.matrix_power(A, 3), {'A': r(3, 3)})
case('matrix_power0', lambda A: L.matrix_power(A, 0), {'A': r(2, 3, 3)}, grad=False)
case('matrix_power_neg', lambda A: torch.matrix_power(A, -2), {'A': r(3, 3) + 2 * torch.eye(3, dtype=torch.float64)})
case('matrix_exp', lambda A: L.matrix_exp(A), {'A': r(2, 3, 3)})
case('matrix_exp_big', lambda A: L.matrix_exp(A), {'A': 4 * r(3, 3)})
case('cross', lambda a, b: L.cross(a, b), {'a': r(4, 3), 'b': r(4, 3)})
case('cross_dim0', lambda a, b: L.cross(a, b, dim=0), {'a': r(3, 2), 'b': r(3, 2)})
case('multi_dot', lambda a, b, c: L.multi_dot([a, b, c]), {'a': r(3), 'b': r(3, 4), 'c': r(4, 2)})
case('vecdot', lambda x, y: L.vecdot(x, y), {'x': r(2, 3), 'y': r(2, 3)}) if hasattr(L, 'vecdot') else None
case('trace', lambda A: torch.trace(A), {'A': r(3, 4)})
# (a tall matrix's gradient is not compared: PyTorch 1.13's trace_backward also marks element (n-1, 0) when rows > cols,
# index_fill with step cols+1 over every element; nodetorch's gradient is the identity pattern: test/linalg.test.ts)
case('trace_method', lambda A: A.trace(), {'A': r(2, 4)})
err('trace_3d', lambda A: torch.trace(A), {'A': r(2, 2, 2)})
case('diagonal', lambda A: L.diagonal(A, offset=1), {'A': r(2, 3, 4)})

# ---- norms
x = r(2, 3, 4)
for o in [2, 1, 3, 0.5, float('inf'), -float('inf'), 0]:
    case(f'vector_norm_{o}', lambda A, o=o: L.vector_norm(A, ord=o, dim=(1, 2)), {'A': x}, grad=o != 0)
case('vector_norm_all_keepdim', lambda A: L.vector_norm(A, keepdim=True), {'A': x})
case('vector_norm_dtype', lambda A: L.vector_norm(A, dtype=torch.float64), {'A': x}, dtypes=('float32',))
for o in ['fro', 'nuc', 2, -2, 1, -1, float('inf'), -float('inf')]:
    case(f'matrix_norm_{o}', lambda A, o=o: L.matrix_norm(A, ord=o), {'A': x})
case('matrix_norm_dims_keepdim', lambda A: L.matrix_norm(A, ord=1, dim=(0, 2), keepdim=True), {'A': x})
case('matrix_norm_nuc_dims', lambda A: L.matrix_norm(A, ord='nuc', dim=(2, 0)), {'A': x})
case('norm_default', lambda A: L.norm(A), {'A': x})
case('norm_vec_ord', lambda A: L.norm(A, 3), {'A': r(5)})
case('norm_mat_ord', lambda A: L.norm(A, 'nuc'), {'A': r(3, 4)})
case('norm_dim_int', lambda A: L.norm(A, 1, dim=1), {'A': x})
err('vector_norm_int', lambda A: L.vector_norm(A), {'A': torch.tensor([1, 2])})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linalg.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(out, len(cases), 'cases', os.path.getsize(out), 'bytes')
