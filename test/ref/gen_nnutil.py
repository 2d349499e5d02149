# gen_nnutil.py - references for test/nnutil.test.ts, from PyTorch 1.13: torch.nn.utils.rnn (pad_sequence,
# pack_padded_sequence, pad_packed_sequence, pack_sequence; RNN / LSTM / GRU on a PackedSequence: outputs, h_n / c_n
# and the gradients of every input and parameter), nn.TransformerDecoderLayer / TransformerDecoder / Transformer (from a
# recorded state dict: outputs and gradients), nn.init.orthogonal_ / sparse_ properties, nn.utils.weight_norm /
# spectral_norm (state-dict keys, values, gradients), error messages.
# Run: /usr/bin/python3 test/ref/gen_nnutil.py > test/ref/nnutil.json
import json
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import rnn as R

torch.manual_seed(7)
D = torch.float64


def enc(t):
    if t is None:
        return None
    t = t.detach()
    if t.dtype == torch.bool:
        return {'shape': list(t.shape), 'dtype': 'bool', 'data': [bool(v) for v in t.flatten().tolist()]}
    if t.dtype == torch.int64:
        return {'shape': list(t.shape), 'dtype': 'int64', 'data': t.flatten().tolist()}
    data = [('-inf' if v == float('-inf') else 'inf' if v == float('inf') else 'nan' if v != v else float('%.12g' % v)) for v in t.flatten().tolist()]
    return {'shape': list(t.shape), 'dtype': 'float64', 'data': data}


def rnd(*s, scale=1.0):
    t = torch.randn(*s, dtype=D) * scale
    return torch.tensor([float('%.12g' % v) for v in t.flatten().tolist()], dtype=D).reshape(t.shape)


def state(m):
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(rnd(*p.shape, scale=0.5))
    return {k: enc(v) for k, v in m.state_dict().items()}


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa
        return str(e)
    raise SystemExit('no error')


OUT = {'generated_by': 'test/ref/gen_nnutil.py, torch ' + torch.__version__}

# ---- nn.utils.rnn ------------------------------------------------------------------------------------------------
seqs = [rnd(3, 2), rnd(1, 2), rnd(4, 2)]
u = {'seqs': [enc(s) for s in seqs]}
u['pad'] = enc(R.pad_sequence(seqs))
u['pad_bf'] = enc(R.pad_sequence(seqs, batch_first=True, padding_value=-1.5))
ps = R.pack_sequence(seqs, enforce_sorted=False)
u['pack'] = {k: enc(getattr(ps, k)) for k in ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices']}
padded, lens = R.pad_packed_sequence(ps, batch_first=True, padding_value=9.0, total_length=6)
u['unpack'] = {'padded': enc(padded), 'lengths': enc(lens)}
srt = [seqs[2], seqs[0], seqs[1]]
ps2 = R.pack_sequence(srt)
u['pack_sorted'] = {'data': enc(ps2.data), 'batch_sizes': enc(ps2.batch_sizes)}
X = rnd(3, 4, 2)  # batch-first, lengths 2, 4, 1
pp = R.pack_padded_sequence(X, [2, 4, 1], batch_first=True, enforce_sorted=False)
u['pack_padded'] = {'x': enc(X), 'data': enc(pp.data), 'batch_sizes': enc(pp.batch_sizes), 'sorted_indices': enc(pp.sorted_indices)}
u['errors'] = {
    'unsorted': err(lambda: R.pack_padded_sequence(X.transpose(0, 1), [2, 4, 1])),
    'zero': err(lambda: R.pack_padded_sequence(X.transpose(0, 1), [4, 2, 0])),
    'total': err(lambda: R.pad_packed_sequence(ps, total_length=2)),
    'count': err(lambda: R.pack_padded_sequence(X.transpose(0, 1), [4, 2])),
}
OUT['rnn_utils'] = u

# RNN / LSTM / GRU on packed input: loss = sum(out * wo) + sum(h_n * wh) (+ sum(c_n * wc)); out is padded back
cases = {}
for name, cls, kw, give_h in [
    ('rnn_tanh', nn.RNN, {}, True),
    ('rnn_relu_bi', nn.RNN, {'nonlinearity': 'relu', 'bidirectional': True}, False),
    ('lstm', nn.LSTM, {}, True),
    ('lstm_bi2', nn.LSTM, {'num_layers': 2, 'bidirectional': True}, True),
    ('lstm_proj', nn.LSTM, {'proj_size': 2, 'bidirectional': True}, False),
    ('gru', nn.GRU, {'batch_first': True}, True),
    ('gru_bi2', nn.GRU, {'num_layers': 2, 'bidirectional': True, 'batch_first': True}, True),
]:
    IN, H, B, L = 3, 4, 4, 5
    m = cls(IN, H, dtype=D, **kw)
    sd = state(m)
    bf = kw.get('batch_first', False)
    lengths = [3, 5, 1, 4]
    x = rnd(*(B, L, IN) if bf else (L, B, IN)).requires_grad_()
    Dn = 2 if kw.get('bidirectional') else 1
    nl = kw.get('num_layers', 1)
    hsz = kw.get('proj_size', 0) or H
    h0 = rnd(nl * Dn, B, hsz).requires_grad_() if give_h else None
    c0 = rnd(nl * Dn, B, H).requires_grad_() if give_h and cls is nn.LSTM else None
    packed = R.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False)
    hx = None if h0 is None else ((h0, c0) if cls is nn.LSTM else h0)
    out, hid = m(packed, hx)
    hn, cn = hid if cls is nn.LSTM else (hid, None)
    outp, olens = R.pad_packed_sequence(out, batch_first=bf)
    wo = rnd(*outp.shape)
    wh = rnd(*hn.shape)
    wc = rnd(*cn.shape) if cn is not None else None
    loss = (outp * wo).sum() + (hn * wh).sum() + ((cn * wc).sum() if cn is not None else 0)
    loss.backward()
    cases[name] = {
        'cls': cls.__name__, 'kw': kw, 'state': sd, 'x': enc(x), 'lengths': lengths, 'h0': enc(h0), 'c0': enc(c0),
        'out_data': enc(out.data), 'out': enc(outp), 'hn': enc(hn), 'cn': enc(cn), 'wo': enc(wo), 'wh': enc(wh), 'wc': enc(wc),
        'gx': enc(x.grad), 'gh0': enc(h0.grad if h0 is not None else None), 'gc0': enc(c0.grad if c0 is not None else None),
        'gparams': {k: enc(p.grad) for k, p in m.named_parameters()},
    }
OUT['rnn_packed'] = cases

# ---- TransformerDecoderLayer / TransformerDecoder / Transformer (dropout 0: deterministic) -------------------------
E, NH, FF = 8, 2, 16
tcases = {}


def tcase(name, build, ctor, inputs, call, first_keys):
    m = build()
    sd = state(m)
    leaves = {k: v.clone().requires_grad_() if v.dtype == D else v for k, v in inputs.items()}
    out = call(m, leaves)
    wo = rnd(*out.shape)
    (out * wo).sum().backward()
    tcases[name] = {
        'ctor': ctor, 'keys': list(m.state_dict().keys()), 'state': sd,
        'inputs': {k: enc(v) for k, v in inputs.items()}, 'out': enc(out), 'wo': enc(wo),
        'grads': {k: enc(v.grad) for k, v in leaves.items() if v.dtype == D and k in first_keys},
        'gparams': {k: enc(p.grad) for k, p in m.named_parameters()},
    }


causal = nn.Transformer.generate_square_subsequent_mask(4).to(D)
mkpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
tkpm = torch.tensor([[False, False, False, False], [False, False, True, True]])
tcase('dec_post', lambda: nn.TransformerDecoderLayer(E, NH, FF, 0.0, dtype=D),
      {'cls': 'TransformerDecoderLayer', 'dModel': E, 'nhead': NH, 'dimFeedforward': FF, 'dropout': 0.0},
      {'tgt': rnd(4, 2, E), 'memory': rnd(5, 2, E), 'tgt_mask': causal, 'memory_key_padding_mask': mkpm, 'tgt_key_padding_mask': tkpm},
      lambda m, a: m(a['tgt'], a['memory'], tgt_mask=a['tgt_mask'], tgt_key_padding_mask=a['tgt_key_padding_mask'],
                     memory_key_padding_mask=a['memory_key_padding_mask']), ['tgt', 'memory'])
tcase('dec_pre_gelu_bf', lambda: nn.TransformerDecoderLayer(E, NH, FF, 0.0, 'gelu', 1e-6, batch_first=True, norm_first=True, dtype=D),
      {'cls': 'TransformerDecoderLayer', 'dModel': E, 'nhead': NH, 'dimFeedforward': FF, 'dropout': 0.0, 'activation': 'gelu',
       'layerNormEps': 1e-6, 'batchFirst': True, 'normFirst': True},
      {'tgt': rnd(2, 4, E), 'memory': rnd(2, 5, E), 'memory_mask': rnd(4, 5)},
      lambda m, a: m(a['tgt'], a['memory'], memory_mask=a['memory_mask']), ['tgt', 'memory'])
tcase('decoder2_norm', lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(E, NH, FF, 0.0, dtype=D), 2, nn.LayerNorm(E, dtype=D)),
      {'cls': 'TransformerDecoder', 'dModel': E, 'nhead': NH, 'dimFeedforward': FF, 'dropout': 0.0, 'numLayers': 2, 'norm': True},
      {'tgt': rnd(4, 2, E), 'memory': rnd(5, 2, E), 'tgt_mask': causal},
      lambda m, a: m(a['tgt'], a['memory'], tgt_mask=a['tgt_mask']), ['tgt', 'memory'])
tcase('transformer_bf', lambda: nn.Transformer(E, NH, 2, 1, FF, 0.0, batch_first=True, dtype=D),
      {'cls': 'Transformer', 'dModel': E, 'nhead': NH, 'numEncoderLayers': 2, 'numDecoderLayers': 1, 'dimFeedforward': FF, 'dropout': 0.0, 'batchFirst': True},
      {'src': rnd(2, 5, E), 'tgt': rnd(2, 4, E), 'tgt_mask': causal, 'src_key_padding_mask': mkpm, 'memory_key_padding_mask': mkpm, 'tgt_key_padding_mask': tkpm},
      lambda m, a: m(a['src'], a['tgt'], tgt_mask=a['tgt_mask'], src_key_padding_mask=a['src_key_padding_mask'],
                     tgt_key_padding_mask=a['tgt_key_padding_mask'], memory_key_padding_mask=a['memory_key_padding_mask']), ['src', 'tgt'])
tcase('transformer_prenorm', lambda: nn.Transformer(E, NH, 1, 2, FF, 0.0, 'gelu', norm_first=True, dtype=D),
      {'cls': 'Transformer', 'dModel': E, 'nhead': NH, 'numEncoderLayers': 1, 'numDecoderLayers': 2, 'dimFeedforward': FF, 'dropout': 0.0,
       'activation': 'gelu', 'normFirst': True},
      {'src': rnd(5, 2, E), 'tgt': rnd(4, 2, E), 'src_mask': rnd(5, 5), 'memory_mask': rnd(4, 5)},
      lambda m, a: m(a['src'], a['tgt'], src_mask=a['src_mask'], memory_mask=a['memory_mask']), ['src', 'tgt'])
OUT['transformer'] = tcases
tm = nn.Transformer(E, NH, 1, 1, FF)
OUT['transformer_misc'] = {
    'mask3': enc(nn.Transformer.generate_square_subsequent_mask(3)),
    'err_batch': err(lambda: tm(torch.randn(5, 2, E), torch.randn(4, 3, E))),
    'err_feat': err(lambda: tm(torch.randn(5, 2, E), torch.randn(4, 2, E + 1))),
    'repr_dec_layer': repr(nn.TransformerDecoderLayer(E, NH, FF)),
    'default_keys': list(nn.Transformer().state_dict().keys()),
    'default_params': sum(p.numel() for p in nn.Transformer().parameters()),
}

# ---- nn.init.orthogonal_'s QR step (from a given normal draw), nn.utils.weight_norm / spectral_norm ----------------
def ortho_from(flat):
    rows, cols = flat.shape
    f = flat.clone()
    if rows < cols:
        f = f.t()
    q, r = torch.linalg.qr(f)
    q = q * torch.diag(r, 0).sign()
    if rows < cols:
        q = q.t()
    return q


OUT['qr'] = [{'a': enc(a), 'q': enc(ortho_from(a))} for a in [rnd(6, 4), rnd(4, 4), rnd(3, 7), rnd(1, 5), rnd(5, 1)]]
OUT['init_errors'] = {
    'ortho_1d': err(lambda: nn.init.orthogonal_(torch.empty(3))),
    'sparse_3d': err(lambda: nn.init.sparse_(torch.empty(2, 3, 4), 0.5)),
    'kaiming_mode': err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 4), mode='fan_avg')),
    'kaiming_nl': err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 4), nonlinearity='swish')),
}

wn = {}
for name, build, dim, xs in [
    ('linear_dim0', lambda: nn.Linear(4, 3, dtype=D), 0, (2, 4)),
    ('conv_dim1', lambda: nn.Conv2d(2, 3, 3, dtype=D), 1, (1, 2, 5, 5)),
    ('linear_none', lambda: nn.Linear(4, 3, dtype=D), None, (2, 4)),
]:
    m = build()
    pre = state(m)
    nn.utils.weight_norm(m, dim=dim)
    x = rnd(*xs).requires_grad_()
    y = m(x)
    wo = rnd(*y.shape)
    (y * wo).sum().backward()
    c = {'pre': pre, 'dim': dim, 'keys': list(m.state_dict().keys()), 'state': {k: enc(v) for k, v in m.state_dict().items()},
         'x': enc(x), 'y': enc(y), 'wo': enc(wo), 'gx': enc(x.grad), 'gparams': {k: enc(p.grad) for k, p in m.named_parameters()}}
    nn.utils.remove_weight_norm(m)
    c['removed_keys'] = list(m.state_dict().keys())
    c['removed_weight'] = enc(m.weight)
    wn[name] = c
OUT['weight_norm'] = wn
lin = nn.Linear(4, 3)
OUT['weight_norm_errors'] = {
    'not_found': err(lambda: nn.utils.remove_weight_norm(lin)),
    'twice': err(lambda: nn.utils.weight_norm(nn.utils.weight_norm(nn.Linear(4, 3)))),
    'sn_not_found': err(lambda: nn.utils.remove_spectral_norm(lin)),
    'sn_twice': err(lambda: nn.utils.spectral_norm(nn.utils.spectral_norm(nn.Linear(4, 3)))),
}

sn = {}
for name, build, kw, xs in [
    ('linear', lambda: nn.Linear(5, 3, dtype=D), {}, (2, 5)),
    ('conv_it2', lambda: nn.Conv2d(2, 3, 3, dtype=D), {'n_power_iterations': 2}, (1, 2, 4, 4)),
    ('convT_dim1', lambda: nn.ConvTranspose2d(2, 3, 3, dtype=D), {}, (1, 2, 3, 3)),
]:
    m = build()
    state(m)
    nn.utils.spectral_norm(m, **kw)
    sd0 = {k: enc(v) for k, v in m.state_dict().items()}
    calls = []
    for step in range(2):
        x = rnd(*xs).requires_grad_()
        y = m(x)
        wo = rnd(*y.shape)
        for p in m.parameters():
            p.grad = None
        (y * wo).sum().backward()
        calls.append({'x': enc(x), 'y': enc(y), 'wo': enc(wo), 'gx': enc(x.grad), 'u': enc(m.weight_u), 'v': enc(m.weight_v),
                      'gparams': {k: enc(p.grad) for k, p in m.named_parameters()}})
    m.eval()
    xe = rnd(*xs)
    ye = m(xe)
    sn[name] = {'kw': {'nPowerIterations': kw.get('n_power_iterations', 1)}, 'keys': list(m.state_dict().keys()), 'state': sd0,
                'calls': calls, 'eval': {'x': enc(xe), 'y': enc(ye), 'u': enc(m.weight_u)}}
    nn.utils.remove_spectral_norm(m)
    sn[name]['removed_keys'] = list(m.state_dict().keys())
    sn[name]['removed_weight'] = enc(m.weight)
OUT['spectral_norm'] = sn

# ---- fusion (eval-mode conv/linear + BatchNorm), lazy modules ----------------------------------------------------
from torch.nn.utils import fusion as FU
fu = {}
for name, conv, bn, transpose, xs in [
    ('conv2d', nn.Conv2d(2, 3, 3, padding=1, dtype=D), nn.BatchNorm2d(3, eps=1e-3, dtype=D), False, (2, 2, 4, 4)),
    ('conv1d_nobias', nn.Conv1d(2, 3, 3, bias=False, dtype=D), nn.BatchNorm1d(3, dtype=D), False, (2, 2, 6)),
    ('convT2d', nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=D), nn.BatchNorm2d(3, dtype=D), True, (1, 2, 3, 3)),
]:
    cs = state(conv)
    bs = state(bn)
    with torch.no_grad():
        bn.running_mean.copy_(rnd(3))
        bn.running_var.copy_(rnd(3).abs() + 0.5)
    bs = {k: enc(v) for k, v in bn.state_dict().items()}
    conv.eval(); bn.eval()
    f = FU.fuse_conv_bn_eval(conv, bn, transpose)
    x = rnd(*xs)
    fu[name] = {'conv': cs, 'bn': bs, 'transpose': transpose, 'w': enc(f.weight), 'b': enc(f.bias), 'x': enc(x), 'y': enc(f(x)),
                'ref': enc(bn(conv(x))), 'repr': repr(f)}
lin, bn1 = nn.Linear(4, 3, dtype=D), nn.BatchNorm1d(3, dtype=D)
ls, _ = state(lin), state(bn1)
with torch.no_grad():
    bn1.running_mean.copy_(rnd(3))
    bn1.running_var.copy_(rnd(3).abs() + 0.5)
lin.eval(); bn1.eval()
fl = FU.fuse_linear_bn_eval(lin, bn1)
fu['linear'] = {'conv': ls, 'bn': {k: enc(v) for k, v in bn1.state_dict().items()}, 'w': enc(fl.weight), 'b': enc(fl.bias)}
fu['err_train'] = err(lambda: FU.fuse_conv_bn_eval(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)))
OUT['fusion'] = fu

lz = {}
m = nn.LazyLinear(3)
lz['linear_before'] = repr(m)
m(torch.randn(2, 5))
lz['linear_after'] = repr(m)
c = nn.LazyConv2d(4, 3, padding=1)
lz['conv_before'] = repr(c)
lz['conv_err'] = err(lambda: c(torch.randn(5)))
c(torch.randn(2, 3, 5, 5))
lz['conv_after'] = repr(c)
lz['conv_keys'] = list(c.state_dict().keys())
lz['conv1d_before'] = repr(nn.LazyConv1d(4, 3))
OUT['lazy'] = lz

if __name__ == '__main__':
    print(json.dumps(OUT))
