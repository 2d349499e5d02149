# gen_attention.py - references for test/attention.test.ts: torch.nn.functional.multi_head_attention_forward (every
# branch of PyTorch 1.13's: packed / split / separate in-projections, bias_k/v, add_zero_attn, static_k/v, bool, byte
# and float masks, 2-D and 3-D attn_mask, key_padding_mask, unbatched input, need_weights with and without averaging)
# with values and gradients, its error messages for bad shapes; scaled_dot_product_attention (PyTorch 2.x API, not in
# 1.13: computed here by its documented formula); nn.MultiheadAttention and nn.TransformerEncoderLayer with their
# constructor options and forward arguments (state dicts, outputs, input gradients).
# Run: /usr/bin/python3 test/ref/gen_attention.py > test/ref/attention.json
import json
import math
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(11)
D = torch.float64


def enc(t):
    if t is None:
        return None
    t = t.detach()
    if t.dtype == torch.bool:
        return {'shape': list(t.shape), 'dtype': 'bool', 'data': [bool(v) for v in t.flatten().tolist()]}
    if t.dtype == torch.uint8:
        return {'shape': list(t.shape), 'dtype': 'uint8', 'data': t.flatten().tolist()}
    # (10 significant digits: the tests compare float64 results to a relative 1e-8)
    data = [('-inf' if v == float('-inf') else 'inf' if v == float('inf') else 'nan' if v != v else float('%.10g' % v)) for v in t.flatten().tolist()]
    return {'shape': list(t.shape), 'dtype': 'float64', 'data': data}


def rnd(*s):
    # (inputs rounded to 10 significant digits: exactly what the fixture holds)
    t = torch.randn(*s, dtype=D)
    return torch.tensor([float('%.10g' % v) for v in t.flatten().tolist()], dtype=D).reshape(t.shape)


out = {'shared': {}, 'mha': {}, 'mha_errors': {}, 'sdpa': {}, 'modules': {}}

# ---- F.multi_head_attention_forward ------------------------------------------------------------------------------
E, H, L, S, N = 6, 2, 3, 4, 2
hd = E // H
W = rnd(3 * E, E) * 0.5
B = rnd(3 * E) * 0.1
OW = rnd(E, E) * 0.5
OB = rnd(E) * 0.1
SHARED = {'W': W, 'B': B, 'OW': OW, 'OB': OB}
out['shared'] = {k: enc(v) for k, v in SHARED.items()}


def enc_arg(t):
    for k, v in SHARED.items():
        if t is v:
            return {'ref': k}
    return enc(t)


def mha_case(name, q, k, v, *, same_kv=False, self_attn=False, grad=True, **kw):
    """one call: inputs (q, k, v and the tensor keywords) and the results, with the gradients of sum(out * wo) (+
    sum(weights * ww)) with respect to query, key, value and every float tensor argument"""
    args = dict(embed_dim_to_check=kw.pop('embed_dim_to_check', E), num_heads=kw.pop('num_heads', H),
                in_proj_weight=kw.pop('in_proj_weight', W), in_proj_bias=kw.pop('in_proj_bias', B),
                bias_k=kw.pop('bias_k', None), bias_v=kw.pop('bias_v', None), add_zero_attn=kw.pop('add_zero_attn', False),
                dropout_p=kw.pop('dropout_p', 0.0), out_proj_weight=kw.pop('out_proj_weight', OW), out_proj_bias=kw.pop('out_proj_bias', OB))
    args.update(kw)
    leaves = {}
    q = q.clone().requires_grad_(grad)
    leaves['query'] = q
    if self_attn:
        k = v = q
    else:
        k = k.clone().requires_grad_(grad)
        leaves['key'] = k
        if same_kv:
            v = k
        else:
            v = v.clone().requires_grad_(grad)
            leaves['value'] = v
    encoded = {n: (enc_arg(t) if isinstance(t, torch.Tensor) else t) for n, t in args.items()}
    for n, t in list(args.items()):
        if isinstance(t, torch.Tensor) and t.is_floating_point() and n not in ('attn_mask', 'key_padding_mask'):
            args[n] = t.clone().requires_grad_(grad)
            leaves[n] = args[n]
    o, w = F.multi_head_attention_forward(q, k, v, **args)
    wo = rnd(*o.shape)
    loss = (o * wo).sum()
    ww = None
    if w is not None:
        ww = rnd(*w.shape)
        loss = loss + (w * ww).sum()
    grads = {}
    if grad:
        gs = torch.autograd.grad(loss, list(leaves.values()), allow_unused=True)
        grads = {n: enc(g) for n, g in zip(leaves.keys(), gs)}
    rec = {'selfAttn': self_attn, 'sameKv': same_kv, 'query': enc(q), 'key': None if self_attn else enc(k), 'value': None if self_attn or same_kv else enc(v),
           'args': encoded,
           'out': enc(o), 'weights': enc(w), 'wo': enc(wo), 'ww': enc(ww), 'grads': grads}
    out['mha'][name] = rec


q3, k3, v3 = rnd(L, N, E), rnd(S, N, E), rnd(S, N, E)
mha_case('self_packed', q3, None, None, self_attn=True)
mha_case('kv_shared', q3, k3, None, same_kv=True)
mha_case('qkv_distinct', q3, k3, v3)
mha_case('no_biases', q3, k3, v3, in_proj_bias=None, out_proj_bias=None)
Ek, Ev = 5, 7
mha_case('separate_proj', q3, rnd(S, N, Ek), rnd(S, N, Ev), in_proj_weight=None, use_separate_proj_weight=True,
         q_proj_weight=rnd(E, E) * 0.5, k_proj_weight=rnd(E, Ek) * 0.5, v_proj_weight=rnd(E, Ev) * 0.5)
mha_case('separate_proj_no_bias', q3, rnd(S, N, Ek), rnd(S, N, Ev), in_proj_weight=None, in_proj_bias=None, use_separate_proj_weight=True,
         q_proj_weight=rnd(E, E) * 0.5, k_proj_weight=rnd(E, Ek) * 0.5, v_proj_weight=rnd(E, Ev) * 0.5)
kpm = torch.tensor([[False, False, True, False], [False, True, False, False]])
fmask = rnd(L, S) * 0.5
mha_case('bias_kv_float_mask_kpm', q3, k3, v3, bias_k=rnd(1, 1, E) * 0.3, bias_v=rnd(1, 1, E) * 0.3, attn_mask=fmask, key_padding_mask=kpm)
bmask3 = torch.rand(N * H, L, S) < 0.3
bmask3[:, :, 0] = False  # (no row all masked)
mha_case('zero_attn_bool3d_kpm', q3, k3, v3, add_zero_attn=True, attn_mask=bmask3, key_padding_mask=kpm)
mha_case('bias_kv_zero_attn_bool2d', q3, k3, v3, bias_k=rnd(1, 1, E) * 0.3, bias_v=rnd(1, 1, E) * 0.3, add_zero_attn=True,
         attn_mask=torch.tensor([[False, True, False, False], [False, False, True, True], [True, False, False, False]]))
mha_case('float3d_mask', q3, k3, v3, attn_mask=rnd(N * H, L, S) * 0.5)
mha_case('float_kpm', q3, k3, v3, key_padding_mask=rnd(N, S) * 0.5)
mha_case('bool_mask_float_kpm', q3, k3, v3, attn_mask=torch.tensor([[False, True, False, False]] * L), key_padding_mask=torch.tensor([[0.0, 0.0, 1.5, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=D))
mha_case('byte_mask', q3, k3, v3, attn_mask=torch.tensor([[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]], dtype=torch.uint8))
mha_case('static_kv', q3, k3, v3, static_k=rnd(N * H, 5, hd), static_v=rnd(N * H, 5, hd))
mha_case('static_kv_zero_attn_kpm', q3, k3, v3, static_k=rnd(N * H, 5, hd), static_v=rnd(N * H, 5, hd), add_zero_attn=True,
         key_padding_mask=torch.tensor([[False, False, True, False, False], [True, False, False, False, False]]))
mha_case('no_weights', q3, k3, v3, need_weights=False)
mha_case('weights_per_head', q3, k3, v3, average_attn_weights=False, attn_mask=fmask)
mha_case('eval_dropout_ignored', q3, k3, v3, dropout_p=0.5, training=False)
qu, ku, vu = rnd(L, E), rnd(S, E), rnd(S, E)
mha_case('unbatched_self', qu, None, None, self_attn=True)
mha_case('unbatched_masks', qu, ku, vu, attn_mask=rnd(H, L, S) * 0.5, key_padding_mask=torch.tensor([False, True, False, False]))
mha_case('unbatched_per_head_2dmask', qu, ku, vu, attn_mask=torch.tensor([[False, True, False, False]] * L), average_attn_weights=False)
mha_case('unbatched_no_weights', qu, ku, vu, need_weights=False, bias_k=rnd(1, 1, E) * 0.3, bias_v=rnd(1, 1, E) * 0.3)


def err(name, f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 (PyTorch raises AssertionError or RuntimeError: the message is what counts)
        out['mha_errors'][name] = str(e)
        return
    raise SystemExit(f'{name}: no error')


base = lambda **kw: dict(dict(embed_dim_to_check=E, num_heads=H, in_proj_weight=W, in_proj_bias=B, bias_k=None, bias_v=None, add_zero_attn=False,
                              dropout_p=0.0, out_proj_weight=OW, out_proj_bias=OB), **kw)
err('query_4d', lambda: F.multi_head_attention_forward(q3.unsqueeze(0), k3, v3, **base()))
err('batched_key_2d', lambda: F.multi_head_attention_forward(q3, ku, v3, **base()))
err('batched_kpm_1d', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(key_padding_mask=torch.zeros(S, dtype=torch.bool))))
err('batched_mask_4d', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(attn_mask=torch.zeros(1, 1, L, S))))
err('unbatched_key_3d', lambda: F.multi_head_attention_forward(qu, k3, vu, **base()))
err('unbatched_kpm_2d', lambda: F.multi_head_attention_forward(qu, ku, vu, **base(key_padding_mask=torch.zeros(1, S, dtype=torch.bool))))
err('unbatched_mask3d_shape', lambda: F.multi_head_attention_forward(qu, ku, vu, **base(attn_mask=torch.zeros(3, L, S, dtype=D))))
err('embed_dim_check', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(embed_dim_to_check=8)))
err('not_divisible', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(num_heads=4)))
err('kv_shape', lambda: F.multi_head_attention_forward(q3, k3, rnd(S + 1, N, E), **base()))
err('kv_seq_batch_separate', lambda: F.multi_head_attention_forward(q3, k3, rnd(S + 1, N, E), **base(use_separate_proj_weight=True, q_proj_weight=W[:E], k_proj_weight=W[:E], v_proj_weight=W[:E])))
err('in_proj_none', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(in_proj_weight=None)))
err('q_proj_none', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(use_separate_proj_weight=True)))
err('k_proj_shape', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(use_separate_proj_weight=True, q_proj_weight=rnd(E, E), k_proj_weight=rnd(E, 5), v_proj_weight=rnd(E, E))))
err('mask2d_shape', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(attn_mask=torch.zeros(L, S + 1, dtype=D))))
err('mask3d_shape', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(attn_mask=torch.zeros(H, L, S, dtype=D))))
err('mask_int', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(attn_mask=torch.zeros(L, S, dtype=torch.int64))))
err('kpm_int', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(key_padding_mask=torch.zeros(N, S, dtype=torch.int64))))
err('kpm_shape', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(key_padding_mask=torch.zeros(N, S + 1, dtype=torch.bool))))
err('static_k_size0', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(static_k=rnd(N, 5, hd))))
err('static_v_size2', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(static_k=rnd(N * H, 5, hd), static_v=rnd(N * H, 5, hd + 1))))
err('bias_static', lambda: F.multi_head_attention_forward(q3, k3, v3, **base(bias_k=rnd(1, 1, E), bias_v=rnd(1, 1, E), static_k=rnd(N * H, 5, hd))))

# ---- scaled_dot_product_attention (PyTorch 2.x; its documented reference implementation) -------------------------
def sdpa_ref(q, k, v, attn_mask=None, is_causal=False, scale=None):
    Lq, Sk = q.size(-2), k.size(-2)
    sf = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(Lq, Sk, dtype=q.dtype)
    if is_causal:
        bias.masked_fill_(torch.ones(Lq, Sk, dtype=torch.bool).tril(diagonal=0).logical_not(), float('-inf'))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(attn_mask.logical_not(), float('-inf'))
        else:
            bias = attn_mask + bias
    a = q @ k.transpose(-2, -1) * sf + bias
    return torch.softmax(a, dim=-1) @ v


def sdpa_case(name, shape_q, shape_k, shape_v, **kw):
    q, k, v = rnd(*shape_q).requires_grad_(), rnd(*shape_k).requires_grad_(), rnd(*shape_v).requires_grad_()
    o = sdpa_ref(q, k, v, **kw)
    wo = rnd(*o.shape)
    gq, gk, gv = torch.autograd.grad((o * wo).sum(), [q, k, v])
    out['sdpa'][name] = {'q': enc(q), 'k': enc(k), 'v': enc(v), 'attnMask': enc(kw.get('attn_mask')), 'isCausal': kw.get('is_causal', False),
                         'scale': kw.get('scale'), 'out': enc(o), 'wo': enc(wo), 'gq': enc(gq), 'gk': enc(gk), 'gv': enc(gv)}


sdpa_case('plain_3d', (2, 3, 4), (2, 5, 4), (2, 5, 6))
sdpa_case('plain_4d', (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3))
sdpa_case('unbatched_2d', (3, 4), (5, 4), (5, 2))
sdpa_case('bool_mask', (2, 3, 4), (2, 5, 4), (2, 5, 4), attn_mask=torch.tensor([[True, False, True, True, False], [False, True, True, False, True], [True, True, False, False, False]]))
sdpa_case('bool_mask_batched', (2, 3, 4), (2, 5, 4), (2, 5, 4), attn_mask=(torch.rand(2, 3, 5) < 0.6) | torch.tensor([True, False, False, False, False]))
sdpa_case('float_mask', (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), attn_mask=rnd(2, 1, 3, 5))
sdpa_case('causal_square', (2, 4, 4), (2, 4, 4), (2, 4, 4), is_causal=True)
sdpa_case('causal_rect', (2, 3, 4), (2, 5, 4), (2, 5, 4), is_causal=True)
sdpa_case('scale', (2, 3, 4), (2, 5, 4), (2, 5, 4), scale=0.3)
sdpa_case('causal_scale', (1, 2, 4, 4), (1, 2, 4, 4), (1, 2, 4, 4), is_causal=True, scale=1.7)

# ---- nn.MultiheadAttention and nn.TransformerEncoderLayer -----------------------------------------------------------
def perturb(m):
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    return m


def module_case(name, ctor, m, inputs, calls):
    """calls: name -> (kwargs of the forward call on inputs); records outputs and input gradients of sum(out * w)"""
    rec = {'ctor': ctor, 'state': {k: enc(v) for k, v in m.state_dict().items()}, 'inputs': {k: enc(v) for k, v in inputs.items()}, 'calls': {}}
    for cname, (pos, kw) in calls.items():
        xs = {k: v.clone().requires_grad_(v.is_floating_point() and k in ('query', 'key', 'value', 'src')) for k, v in inputs.items()}
        r = m(*[xs[p] for p in pos], **{k: (xs[v] if isinstance(v, str) and v in xs else v) for k, v in kw.items()})
        o = r[0] if isinstance(r, tuple) else r
        wt = r[1] if isinstance(r, tuple) else None
        wo = rnd(*o.shape)
        loss = (o * wo).sum()
        leaves = [xs[p] for p in pos if xs[p].requires_grad]
        gs = torch.autograd.grad(loss, leaves)
        rec['calls'][cname] = {'out': enc(o), 'weights': enc(wt), 'wo': enc(wo), 'grads': [enc(g) for g in gs]}
    out['modules'][name] = rec


Em = 8
x = rnd(3, 2, Em)
y = rnd(4, 2, Em)
kpm_m = torch.tensor([[False, False, True, False], [False, False, False, True]])
mask_m = torch.tensor([[False, True, False, False], [False, False, False, True], [False, False, False, False]])
m = perturb(nn.MultiheadAttention(Em, 2, dtype=D))
module_case('mha_default', {'embedDim': Em, 'numHeads': 2}, m, {'query': x, 'key': y, 'value': y, 'kpm': kpm_m, 'mask': mask_m},
            {'self': (['query', 'query', 'query'], {}), 'cross_masks': (['query', 'key', 'value'], {'key_padding_mask': 'kpm', 'attn_mask': 'mask'}),
             'per_head': (['query', 'key', 'value'], {'average_attn_weights': False, 'attn_mask': 'mask'}),
             'no_weights': (['query', 'key', 'value'], {'need_weights': False, 'key_padding_mask': 'kpm'})})
m = perturb(nn.MultiheadAttention(Em, 4, dropout=0.0, bias=False, add_bias_kv=True, add_zero_attn=True, kdim=5, vdim=3, batch_first=True, dtype=D))
module_case('mha_options', {'embedDim': Em, 'numHeads': 4, 'dropout': 0.0, 'bias': False, 'addBiasKv': True, 'addZeroAttn': True, 'kdim': 5, 'vdim': 3, 'batchFirst': True},
            m, {'query': rnd(2, 3, Em), 'key': rnd(2, 4, 5), 'value': rnd(2, 4, 3), 'kpm': kpm_m},
            {'cross': (['query', 'key', 'value'], {'key_padding_mask': 'kpm'}), 'per_head': (['query', 'key', 'value'], {'average_attn_weights': False})})
m = perturb(nn.MultiheadAttention(Em, 2, batch_first=True, dtype=D))
module_case('mha_batch_first_self', {'embedDim': Em, 'numHeads': 2, 'batchFirst': True}, m, {'query': rnd(2, 3, Em), 'mask': rnd(3, 3) * 0.5},
            {'self': (['query', 'query', 'query'], {'attn_mask': 'mask'})})
m = perturb(nn.MultiheadAttention(Em, 2, dtype=D))
module_case('mha_unbatched', {'embedDim': Em, 'numHeads': 2}, m, {'query': rnd(3, Em), 'key': rnd(4, Em), 'kpm': torch.tensor([False, True, False, False])},
            {'cross': (['query', 'key', 'key'], {'key_padding_mask': 'kpm'})})

src = rnd(2, 5, Em)
src_mask = torch.triu(torch.full((5, 5), float('-inf'), dtype=D), 1)
src_kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
layer = perturb(nn.TransformerEncoderLayer(Em, 2, dim_feedforward=12, dropout=0.0, activation='gelu', layer_norm_eps=1e-3, batch_first=True, norm_first=True, dtype=D))
module_case('tel_options', {'dModel': Em, 'nhead': 2, 'dimFeedforward': 12, 'dropout': 0.0, 'activation': 'gelu', 'layerNormEps': 1e-3, 'batchFirst': True, 'normFirst': True},
            layer, {'src': src, 'mask': src_mask, 'kpm': src_kpm},
            {'masks': (['src'], {'src_mask': 'mask', 'src_key_padding_mask': 'kpm'}), 'plain': (['src'], {})})
layer = perturb(nn.TransformerEncoderLayer(Em, 2, dim_feedforward=12, dropout=0.0, activation=F.gelu, dtype=D))
module_case('tel_fn_activation', {'dModel': Em, 'nhead': 2, 'dimFeedforward': 12, 'dropout': 0.0, 'activation': 'F.gelu'},
            layer, {'src': src.transpose(0, 1).contiguous(), 'mask': src_mask, 'kpm': src_kpm},
            {'masks': (['src'], {'src_mask': 'mask', 'src_key_padding_mask': 'kpm'})})
layer = perturb(nn.TransformerEncoderLayer(Em, 2, dim_feedforward=12, dropout=0.0, dtype=D))
module_case('tel_default_relu', {'dModel': Em, 'nhead': 2, 'dimFeedforward': 12, 'dropout': 0.0},
            layer, {'src': src.transpose(0, 1).contiguous(), 'mask': src_mask},
            {'mask': (['src'], {'src_mask': 'mask'})})

print(json.dumps(out))
