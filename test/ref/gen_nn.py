# gen_nn.py - reference values from real PyTorch for test/nn.test.ts: torch.nn.functional calls (values and the
# gradients of sum(out * w) for a fixed random w, float32 and float64), module forward/backward from a recorded state
# dict, module reprs and state-dict keys, init statistics, error messages, and two short deterministic training runs
# (an MLP and a small CNN, full-batch SGD from a recorded initial state) whose loss trajectories nodetorch must follow.
# Ops and options are written in TypeScript terms (camelCase); this file translates them to PyTorch's names.
# Run: /usr/bin/python3 test/ref/gen_nn.py   (writes test/ref/nn.json; seeded, reproducible)
import json, math, os, re
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
OUT = {'generated_by': 'test/ref/gen_nn.py, torch ' + torch.__version__, 'functional': [], 'modules': [], 'reprs': [],
       'init': [], 'errors': [], 'training': []}


def snake(s):
    return re.sub(r'([A-Z])', r'_\1', s).lower()


def fix(v):
    if isinstance(v, float):
        if v != v: return 'nan'
        if v == math.inf: return 'inf'
        if v == -math.inf: return '-inf'
    return v


def enc(t):
    t = t.detach()
    return {'$t': 'tensor', 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [fix(v) for v in t.reshape(-1).tolist()]}


def r(*shape, dtype=torch.float32, rg=True, lo=None, hi=None):
    t = torch.randn(*shape, dtype=dtype)
    if lo is not None: t = torch.rand(*shape, dtype=dtype) * (hi - lo) + lo
    return ('T', t, rg)


def idx(high, *shape):
    return ('T', torch.randint(0, high, shape), False)


def dec(a):
    if isinstance(a, tuple) and a and a[0] == 'T': return a[1]
    if isinstance(a, list): return [dec(x) for x in a]
    return a


def encode_arg(a):
    if isinstance(a, tuple) and a and a[0] == 'T':
        e = enc(a[1])
        if a[2] and a[1].is_floating_point(): e['rg'] = True
        return e
    if isinstance(a, list): return [encode_arg(x) for x in a]
    if isinstance(a, float) and a in (math.inf, -math.inf): return {'$t': 'num', 'v': fix(a)}
    return a


def py_opts(o):
    out = {}
    for k, v in o.items():
        v = dec(v)
        if isinstance(v, list) and k in ('stride', 'padding', 'dilation', 'outputPadding', 'kernelSize'): v = tuple(v)
        out[snake(k)] = v
    return out


def flat_outputs(res):
    if isinstance(res, torch.Tensor): return [res]
    if res is None: return []
    out = []
    for x in res:
        out += flat_outputs(x) if not isinstance(x, torch.Tensor) else [x]
    return out


def enc_result(res):
    if isinstance(res, torch.Tensor): return enc(res)
    if res is None: return None
    return [enc_result(x) for x in res]


# ---------------------------------------------------------------------------------------------------------------
# functional cases: F.<op>(*args, **opts); grads of sum(out_k * w_k) over the floating outputs
# ---------------------------------------------------------------------------------------------------------------
def fcase(name, op, args, opts=None, after=None, no_grad=False):
    opts = opts or {}
    fn = getattr(F, snake(op))
    targs = []
    for a in args:
        if isinstance(a, tuple) and a and a[0] == 'T':
            t = a[1].clone()
            if a[2] and t.is_floating_point() and not no_grad: t.requires_grad_(True)
            targs.append(t)
        else: targs.append(dec(a))
    res = fn(*targs, **py_opts(opts))
    outs = [o for o in flat_outputs(res) if o.is_floating_point()]
    case = {'name': name, 'op': op, 'args': [encode_arg(a) for a in args], 'opts': {k: encode_arg(v) for k, v in opts.items()},
            'expected': enc_result(res)}
    if after: case['after'] = [[i, enc(targs[i])] for i in after]
    leaves = [i for i, t in enumerate(targs) if isinstance(t, torch.Tensor) and t.requires_grad]
    if leaves and not no_grad and any(o.requires_grad for o in outs):
        ws = [torch.randn(o.shape, dtype=o.dtype) for o in outs]
        s = sum((o * w).sum() for o, w in zip(outs, ws) if o.requires_grad)
        s.backward()
        case['grad'] = {'w': [enc(w) for w in ws], 'inputs': leaves,
                        'expected': [enc(targs[i].grad) if targs[i].grad is not None else None for i in leaves]}
    OUT['functional'].append(case)


D = torch.float64
for dt, sfx in ((torch.float32, ''), (D, '_f64')):
    fcase('conv2d_groups_dil_stride' + sfx, 'conv2d', [r(2, 4, 9, 8, dtype=dt), r(6, 2, 3, 2, dtype=dt), r(6, dtype=dt)], {'stride': [2, 1], 'padding': [1, 2], 'dilation': [2, 1], 'groups': 2})
    fcase('conv2d_same_even' + sfx, 'conv2d', [r(1, 2, 5, 6, dtype=dt), r(3, 2, 2, 4, dtype=dt), None], {'padding': 'same'})
    fcase('conv2d_unbatched' + sfx, 'conv2d', [r(3, 5, 5, dtype=dt), r(2, 3, 3, 3, dtype=dt), r(2, dtype=dt)], {'padding': 1})
    fcase('conv1d_groups_dil' + sfx, 'conv1d', [r(2, 4, 11, dtype=dt), r(4, 1, 3, dtype=dt), r(4, dtype=dt)], {'dilation': 2, 'groups': 4, 'stride': 2})
    fcase('conv1d_same' + sfx, 'conv1d', [r(2, 3, 7, dtype=dt), r(2, 3, 4, dtype=dt), None], {'padding': 'same', 'dilation': 1})
    fcase('conv_transpose2d_groups' + sfx, 'convTranspose2d', [r(2, 4, 3, 4, dtype=dt), r(4, 3, 3, 2, dtype=dt), r(6, dtype=dt)], {'stride': [2, 1], 'padding': [1, 0], 'outputPadding': [1, 0], 'groups': 2, 'dilation': 1})
    fcase('conv_transpose2d_dil' + sfx, 'convTranspose2d', [r(1, 2, 4, 4, dtype=dt), r(2, 3, 3, 3, dtype=dt), None], {'dilation': 2, 'stride': 1})
    fcase('linear_3d' + sfx, 'linear', [r(2, 3, 5, dtype=dt), r(4, 5, dtype=dt), r(4, dtype=dt)])
    fcase('bilinear' + sfx, 'bilinear', [r(4, 3, dtype=dt), r(4, 2, dtype=dt), r(5, 3, 2, dtype=dt), r(5, dtype=dt)])
fcase('max_pool2d_dil_ceil', 'maxPool2d', [r(2, 3, 9, 8), 3], {'stride': 2, 'padding': 1, 'dilation': 2, 'ceilMode': True})
fcase('max_pool2d_indices', 'maxPool2d', [r(1, 2, 6, 5), [2, 3]], {'stride': [2, 1], 'returnIndices': True})
fcase('max_pool2d_unbatched', 'maxPool2d', [r(3, 7, 7), 2], {'ceilMode': True})
fcase('avg_pool2d_ceil_nopad', 'avgPool2d', [r(2, 2, 7, 6), 3], {'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False})
fcase('avg_pool2d_divisor', 'avgPool2d', [r(1, 2, 6, 6), [2, 3]], {'divisorOverride': 4})
fcase('avg_pool2d_ceil_incpad', 'avgPool2d', [r(1, 1, 5, 5), 2], {'padding': 1, 'ceilMode': True})
fcase('adaptive_avg_pool2d_uneven', 'adaptiveAvgPool2d', [r(2, 3, 5, 7), [3, 4]])
fcase('adaptive_avg_pool2d_one', 'adaptiveAvgPool2d', [r(2, 3, 5, 7), 1])
fcase('unfold', 'unfold', [r(2, 3, 6, 5), [2, 3]], {'dilation': 1, 'padding': 1, 'stride': [2, 1]})
fcase('fold', 'fold', [r(2, 12, 12), [4, 5], [2, 2]], {'padding': 0, 'stride': 1})
fcase('pad_reflect_2d', 'pad', [r(1, 2, 4, 5), [2, 1, 1, 3]], {'mode': 'reflect'})
fcase('pad_replicate_2d', 'pad', [r(1, 2, 3, 4), [1, 2, 2, 0]], {'mode': 'replicate'})
fcase('pad_circular_1d', 'pad', [r(2, 2, 5), [2, 3]], {'mode': 'circular'})
fcase('pad_constant_negative', 'pad', [r(2, 3, 5), [-1, 2, 1, -1]], {'value': 0.5})
fcase('layer_norm_affine', 'layerNorm', [r(3, 4, 5), [4, 5], r(4, 5), r(4, 5)], {'eps': 1e-3})
fcase('group_norm_3d', 'groupNorm', [r(2, 6, 5), 3, r(6), r(6)], {'eps': 1e-4})
fcase('batch_norm_train_stats', 'batchNorm', [r(5, 3, 2, 2), ('T', torch.randn(3), False), ('T', torch.rand(3) + 0.5, False), r(3), r(3)], {'training': True, 'momentum': 0.2, 'eps': 1e-3}, after=[1, 2])
fcase('batch_norm_eval_3d', 'batchNorm', [r(4, 3, 5), ('T', torch.randn(3), False), ('T', torch.rand(3) + 0.5, False), r(3), None])
fcase('instance_norm', 'instanceNorm', [r(2, 3, 4, 4)])
fcase('embedding_padding', 'embedding', [('T', torch.tensor([[0, 2, 0, 5], [1, 2, 2, 0]]), False), r(6, 3)], {'paddingIdx': 0})
fcase('embedding_scale_freq', 'embedding', [('T', torch.tensor([1, 1, 3, 1]), False), r(4, 2)], {'scaleGradByFreq': True})
fcase('cross_entropy_nd', 'crossEntropy', [r(2, 4, 3, 2), idx(4, 2, 3, 2)])
fcase('cross_entropy_ignore_weight', 'crossEntropy', [r(5, 4), ('T', torch.tensor([0, 3, -100, 1, 3]), False)], {'weight': r(4, rg=False, lo=0.5, hi=2.0)})
fcase('cross_entropy_ignore_smooth_weight', 'crossEntropy', [r(5, 4), ('T', torch.tensor([0, 3, 2, 1, 2]), False)], {'weight': r(4, rg=False, lo=0.5, hi=2.0), 'ignoreIndex': 2, 'labelSmoothing': 0.15})
fcase('cross_entropy_probs', 'crossEntropy', [r(3, 5), ('T', torch.softmax(torch.randn(3, 5), 1), True)], {'labelSmoothing': 0.1})
fcase('cross_entropy_probs_none', 'crossEntropy', [r(3, 5, 2), ('T', torch.softmax(torch.randn(3, 5, 2), 1), False)], {'reduction': 'none'})
fcase('cross_entropy_unbatched', 'crossEntropy', [r(5), ('T', torch.tensor(3), False)])
fcase('cross_entropy_smooth_none_nd', 'crossEntropy', [r(2, 3, 4), idx(3, 2, 4)], {'labelSmoothing': 0.3, 'reduction': 'none'})
fcase('nll_loss_ignore_sum', 'nllLoss', [r(4, 3), ('T', torch.tensor([2, 1, 1, 0]), False)], {'ignoreIndex': 1, 'reduction': 'sum'})
fcase('bce_weight', 'binaryCrossEntropy', [r(3, 4, lo=0.05, hi=0.95), r(3, 4, lo=0.0, hi=1.0)], {'weight': r(4, rg=False, lo=0.5, hi=1.5)})
fcase('bce_logits_pos_weight_sum', 'binaryCrossEntropyWithLogits', [r(3, 4), r(3, 4, lo=0.0, hi=1.0)], {'posWeight': r(4, rg=False, lo=0.5, hi=3.0), 'reduction': 'sum'})
fcase('bce_logits_zero_logit', 'binaryCrossEntropyWithLogits', [('T', torch.tensor([0.0, 0.0, 30.0, -30.0]), True), ('T', torch.tensor([1.0, 0.0, 0.0, 1.0]), False)], {'reduction': 'none'})
fcase('kl_div_none', 'klDiv', [('T', torch.log_softmax(torch.randn(3, 4), 1), True), ('T', torch.softmax(torch.randn(3, 4), 1), True)], {'reduction': 'none'})
fcase('kl_div_mean_logtarget', 'klDiv', [('T', torch.log_softmax(torch.randn(3, 4), 1), True), ('T', torch.log_softmax(torch.randn(3, 4), 1), True)], {'reduction': 'mean', 'logTarget': True})
fcase('smooth_l1_beta0', 'smoothL1Loss', [r(3, 4), r(3, 4)], {'beta': 0.0})
fcase('huber_none', 'huberLoss', [r(3, 4), r(3, 4)], {'delta': 1.5, 'reduction': 'none'})
fcase('mse_broadcast_none', 'mseLoss', [r(3, 4), r(3, 4)], {'reduction': 'none'})
fcase('gelu_tanh_f64', 'gelu', [r(3, 4, dtype=D)], {'approximate': 'tanh'})
fcase('softplus_threshold', 'softplus', [r(3, 4) if False else ('T', torch.randn(3, 4) * 4, True)], {'beta': 0.5, 'threshold': 1.0})
fcase('leaky_relu_f64', 'leakyRelu', [r(3, 4, dtype=D)], {'negativeSlope': 0.3})
fcase('elu_f64', 'elu', [r(3, 4, dtype=D)], {'alpha': 1.3})
fcase('silu_f64', 'silu', [r(3, 4, dtype=D)])
fcase('log_softmax_dim0', 'logSoftmax', [r(3, 4, 2), 0])
fcase('softmax_neg_dim', 'softmax', [r(2, 3, 4), -1])
fcase('one_hot', 'oneHot', [('T', torch.tensor([[0, 3], [2, 1]]), False), 5])
fcase('normalize', 'normalize', [r(3, 4)], {'p': 2.0, 'dim': 1})
fcase('cosine_similarity', 'cosineSimilarity', [r(3, 5), r(3, 5)], {'dim': 1})
fcase('dropout_eval', 'dropout', [r(3, 4)], {'p': 0.3, 'training': False})
fcase('relu6', 'relu6', [('T', torch.randn(3, 4) * 5, True)])
fcase('hardtanh', 'hardtanh', [('T', torch.randn(3, 4) * 2, True)], {'minVal': -0.5, 'maxVal': 1.5})
fcase('logsigmoid', 'logsigmoid', [r(3, 4)])
fcase('mish', 'mish', [r(3, 4)])
fcase('hardswish', 'hardswish', [('T', torch.randn(3, 4) * 4, True)])
fcase('glu', 'glu', [r(3, 6), -1])
fcase('selu', 'selu', [r(3, 4)])
fcase('softsign', 'softsign', [r(3, 4)])


# ---------------------------------------------------------------------------------------------------------------
# double backward (createGraph): s = sum(grad_x(sum(op(x, w) * v))^2); record ds/dx and ds/dw
# ---------------------------------------------------------------------------------------------------------------
OUT['double'] = []


def dcase(name, op, args, opts=None):
    fn = getattr(F, snake(op))
    ts = [a[1].clone().double().requires_grad_(a[2]) if isinstance(a, tuple) else a for a in args]
    y = fn(*ts, **py_opts(opts or {}))
    v = torch.randn(y.shape, dtype=torch.float64, requires_grad=True)
    leaves = [t for t in ts if isinstance(t, torch.Tensor) and t.requires_grad]
    gs = torch.autograd.grad((y * v).sum(), leaves, create_graph=True)
    s = sum((g * g).sum() for g in gs)
    s.backward()
    z = lambda t: enc(t.grad) if t.grad is not None else enc(torch.zeros_like(t))
    OUT['double'].append({'name': name, 'op': op, 'args': [encode_arg(('T', a[1].double(), a[2])) if isinstance(a, tuple) else a for a in args],
                          'opts': opts or {}, 'v': enc(v), 'expected': [z(t) for t in leaves], 'expected_v': z(v)})


dcase('conv2d', 'conv2d', [r(2, 2, 5, 5), r(3, 2, 3, 3), r(3)], {'stride': 2, 'padding': 1})
dcase('conv2d_groups', 'conv2d', [r(1, 4, 5, 4), r(4, 2, 2, 3), None], {'groups': 2, 'dilation': [2, 1]})
dcase('conv_transpose2d', 'convTranspose2d', [r(1, 2, 3, 3), r(2, 3, 3, 3), r(3)], {'stride': 2})
dcase('linear', 'linear', [r(4, 3), r(5, 3), r(5)])
dcase('max_pool2d', 'maxPool2d', [r(1, 2, 6, 6), 2])
dcase('avg_pool2d', 'avgPool2d', [r(1, 2, 6, 6), 3], {'stride': 2, 'padding': 1})


# ---------------------------------------------------------------------------------------------------------------
# modules: constructed with TS-style (args, options); state dict recorded; forward + grads of sum(out * w)
# ---------------------------------------------------------------------------------------------------------------
def make_module(spec):
    t = spec['type']
    if t == 'Sequential':
        return nn.Sequential(*[make_module(c) for c in spec['children']])
    cls = getattr(nn, t)
    tup = lambda v: tuple(v) if isinstance(v, list) and all(isinstance(x, (int, float)) for x in v) else v
    return cls(*[tup(dec(a)) for a in spec.get('args', [])], **{k: tup(v) for k, v in py_opts(spec.get('options', {})).items()})


def mcase(name, spec, inputs, call_opts=None, mode='train', tol=None):
    torch.manual_seed(len(OUT['modules']) + 100)
    m = make_module(spec)
    with torch.no_grad():
        for p in m.parameters():  # non-trivial values everywhere (biases of MHA start at zero)
            p.add_(torch.randn_like(p) * 0.1)
    if mode == 'eval': m.eval()
    else: m.train()
    state = {k: enc(v) for k, v in m.state_dict().items()}
    ins = []
    for a in inputs:
        if isinstance(a, tuple) and a[0] == 'T':
            t = a[1].clone()
            if a[2] and t.is_floating_point(): t.requires_grad_(True)
            ins.append(t)
        elif isinstance(a, list): ins.append([x[1].clone().requires_grad_(x[2]) for x in a])
        else: ins.append(a)
    copts = py_opts(call_opts or {})
    res = m(*ins, **copts)
    outs = [o for o in flat_outputs(res) if o is not None and o.is_floating_point()]
    ws = [torch.randn(o.shape, dtype=o.dtype) for o in outs]
    s = sum((o * w).sum() for o, w in zip(outs, ws))
    s.backward()
    leaves = []
    for i, a in enumerate(ins):
        if isinstance(a, torch.Tensor) and a.requires_grad: leaves.append([[i], enc(a.grad)])
        if isinstance(a, list):
            for j, x in enumerate(a):
                if x.requires_grad: leaves.append([[i, j], enc(x.grad)])
    case = {'name': name, 'module': enc_spec(spec), 'mode': mode, 'state': state, 'inputs': [encode_arg(a) for a in inputs],
            'call_opts': {k: encode_arg(v) for k, v in (call_opts or {}).items()}, 'expected': enc_result(res),
            'state_after': {k: enc(v) for k, v in m.state_dict().items() if not k.endswith('weight') and not k.endswith('bias')},
            'keys': list(m.state_dict().keys()),
            'grad': {'w': [enc(w) for w in ws], 'inputs': leaves,
                     'params': [[k, enc(p.grad)] for k, p in m.named_parameters() if p.grad is not None]}}
    if tol: case['tol'] = tol
    OUT['modules'].append(case)


def S(t, *args, **options): return {'type': t, 'args': list(args), 'options': options}


def enc_spec(spec):
    if spec['type'] == 'Sequential': return {'type': 'Sequential', 'children': [enc_spec(c) for c in spec['children']]}
    return {'type': spec['type'], 'args': [encode_arg(a) for a in spec['args']], 'options': {k: encode_arg(v) for k, v in spec['options'].items()}}


mcase('lstm_2layer_bi_batchfirst', S('LSTM', 3, 4, numLayers=2, bidirectional=True, batchFirst=True), [r(2, 5, 3)])
mcase('lstm_unbatched_h0', S('LSTM', 3, 2), [r(4, 3), [r(1, 2), r(1, 2)]])
mcase('gru_bi_h0', S('GRU', 2, 3, bidirectional=True), [r(4, 2, 2), r(2, 2, 3)])
mcase('rnn_relu_2layer_nobias', S('RNN', 3, 3, numLayers=2, nonlinearity='relu', bias=False), [r(5, 2, 3)])
mcase('mha_batchfirst_masks', S('MultiheadAttention', 8, 2, batchFirst=True), [r(2, 3, 8), r(2, 4, 8), r(2, 4, 8)],
      {'keyPaddingMask': ('T', torch.tensor([[False, False, True, False], [False, False, False, True]]), False),
       'attnMask': ('T', torch.randn(3, 4), False), 'averageAttnWeights': False})
mcase('mha_self_bool_mask', S('MultiheadAttention', 6, 3), [('T', torch.randn(4, 2, 6), True)] * 3,
      {'attnMask': ('T', torch.tensor([[False, True, True, True], [False, False, True, True], [False, False, False, True], [False, False, False, False]]), False)})
mcase('mha_kdim_vdim', S('MultiheadAttention', 4, 2, kdim=3, vdim=5), [r(3, 2, 4), r(2, 2, 3), r(2, 2, 5)], {'needWeights': False})
mcase('mha_bias_kv_zero_attn', S('MultiheadAttention', 4, 2, addBiasKv=True, addZeroAttn=True), [r(3, 1, 4), r(2, 1, 4), r(2, 1, 4)])
mcase('transformer_norm_first_gelu', S('TransformerEncoderLayer', 8, 2, dimFeedforward=12, dropout=0.0, activation='gelu', normFirst=True, batchFirst=True),
      [r(2, 3, 8)], {'srcKeyPaddingMask': ('T', torch.tensor([[False, False, True], [False, False, False]]), False)})
mcase('transformer_eval', S('TransformerEncoderLayer', 4, 1, dimFeedforward=6), [r(3, 2, 4)], {'srcMask': ('T', torch.triu(torch.full((3, 3), float('-inf')), 1), False)}, mode='eval')
mcase('conv2d_reflect', S('Conv2d', 2, 3, 3, padding=1, paddingMode='reflect'), [r(1, 2, 5, 4)])
mcase('conv2d_circular_stride', S('Conv2d', 2, 2, [2, 3], padding=[1, 2], stride=2, paddingMode='circular'), [r(2, 2, 5, 6)])
mcase('conv2d_replicate_same', S('Conv2d', 1, 2, 4, padding='same', paddingMode='replicate'), [r(1, 1, 5, 5)])
mcase('conv1d_same_dil', S('Conv1d', 2, 3, 3, padding='same', dilation=2), [r(2, 2, 9)])
mcase('conv_transpose2d_groups_nobias', S('ConvTranspose2d', 4, 2, 3, groups=2, stride=2, padding=1, outputPadding=1, bias=False), [r(1, 4, 3, 3)])
mcase('batchnorm1d_3d_train', S('BatchNorm1d', 3, momentum=None), [r(4, 3, 5)])
mcase('batchnorm2d_eval', S('BatchNorm2d', 2), [r(3, 2, 2, 2)], mode='eval')
mcase('batchnorm2d_noaffine_notrack', S('BatchNorm2d', 2, affine=False, trackRunningStats=False), [r(3, 2, 2, 2)], mode='eval')
mcase('groupnorm_noaffine', S('GroupNorm', 3, 6, affine=False, eps=1e-3), [r(2, 6, 2, 2)])
mcase('embedding_maxnorm', S('Embedding', 5, 3, maxNorm=1.0), [('T', torch.tensor([[0, 4, 4], [1, 0, 2]]), False)])
mcase('bilinear_nobias', S('Bilinear', 2, 3, 4, bias=False), [r(5, 2), r(5, 3)])
mcase('maxpool2d_return_indices', S('MaxPool2d', 2, returnIndices=True, ceilMode=True), [r(1, 2, 5, 5)])
mcase('avgpool2d_pad', S('AvgPool2d', 3, stride=2, padding=1, countIncludePad=False), [r(1, 2, 6, 6)])
mcase('sequential_cnn', {'type': 'Sequential', 'children': [S('Conv2d', 1, 4, 3, padding=1), S('BatchNorm2d', 4), S('ReLU'), S('MaxPool2d', 2),
                                                           S('Flatten'), S('Linear', 4 * 3 * 3, 5), S('LogSoftmax', 1)]}, [r(2, 1, 6, 6)])
mcase('cross_entropy_module_nd_smooth', S('CrossEntropyLoss', labelSmoothing=0.1, ignoreIndex=0), [r(2, 3, 4), idx(3, 2, 4)])
mcase('bce_logits_module_weights', S('BCEWithLogitsLoss', weight=r(3, rg=False), posWeight=('T', torch.rand(3) + 0.5, False)), [r(4, 3), r(4, 3, lo=0.0, hi=1.0)])
mcase('lstm_proj_2layer_bi_batchfirst', S('LSTM', 3, 5, numLayers=2, projSize=2, bidirectional=True, batchFirst=True), [r(2, 4, 3), [r(4, 2, 2), r(4, 2, 5)]])
mcase('lstm_proj_unbatched', S('LSTM', 2, 4, projSize=3), [r(5, 2)])
mcase('kldiv_module_logtarget', S('KLDivLoss', reduction='batchmean', logTarget=True), [('T', torch.log_softmax(torch.randn(3, 4), 1), True), ('T', torch.log_softmax(torch.randn(3, 4), 1), True)])

# the layers over functional forms (lib/nn/layers/extra.ts, ConvTranspose1d, MarginRankingLoss)
mcase('zeropad2d', S('ZeroPad2d', [1, 1, 2, 0]), [r(1, 2, 3, 3)])
mcase('constantpad1d', S('ConstantPad1d', 2, 3.5), [r(2, 3, 4)])
mcase('constantpad3d', S('ConstantPad3d', [1, 0, 2, 1, 0, 1], -1.0), [r(1, 1, 2, 2, 2)])
mcase('reflectionpad2d', S('ReflectionPad2d', [1, 2, 2, 0]), [r(1, 2, 4, 4)])
mcase('reflectionpad1d_unbatched', S('ReflectionPad1d', 2), [r(2, 5)])
mcase('replicationpad2d', S('ReplicationPad2d', 1), [r(1, 1, 3, 4)])
mcase('replicationpad1d', S('ReplicationPad1d', [2, 1]), [r(1, 2, 4)])
mcase('replicationpad3d', S('ReplicationPad3d', 1), [r(1, 1, 2, 2, 3)])
mcase('instancenorm1d', S('InstanceNorm1d', 3), [r(2, 3, 5)])
mcase('instancenorm2d_affine_track_train', S('InstanceNorm2d', 2, affine=True, trackRunningStats=True, momentum=0.2), [r(3, 2, 3, 3)])
mcase('instancenorm2d_affine_track_eval', S('InstanceNorm2d', 2, affine=True, trackRunningStats=True), [r(3, 2, 3, 3)], mode='eval')
mcase('instancenorm2d_unbatched', S('InstanceNorm2d', 2), [r(2, 3, 3)])
mcase('instancenorm3d_affine', S('InstanceNorm3d', 2, affine=True, eps=1e-3), [r(1, 2, 2, 3, 2)])
mcase('cosine_similarity_dim0', S('CosineSimilarity', dim=0), [r(4, 3), r(4, 3)])
mcase('pairwise_distance_p1_keepdim', S('PairwiseDistance', p=1, keepdim=True), [r(3, 4), r(3, 4)])
mcase('unfold_pad_stride', S('Unfold', 2, padding=1, stride=2), [r(1, 2, 4, 5)])
mcase('fold', S('Fold', [4, 5], 2), [r(1, 8, 12)])
mcase('softmax2d', S('Softmax2d'), [r(2, 3, 2, 2)])
mcase('adaptive_avg_pool1d', S('AdaptiveAvgPool1d', 3), [r(2, 2, 7)])
mcase('rnncell', S('RNNCell', 3, 4), [r(2, 3)])
mcase('rnncell_relu_nobias_hx', S('RNNCell', 3, 4, bias=False, nonlinearity='relu'), [r(2, 3), r(2, 4)])
mcase('rnncell_unbatched', S('RNNCell', 3, 2), [r(3)])
mcase('lstmcell_hx', S('LSTMCell', 3, 4), [r(2, 3), [r(2, 4), r(2, 4)]])
mcase('lstmcell_unbatched', S('LSTMCell', 3, 2), [r(3)])
mcase('grucell_hx', S('GRUCell', 3, 4), [r(2, 3), r(2, 4)])
mcase('grucell_nobias_unbatched', S('GRUCell', 3, 2, bias=False), [r(3)])
mcase('conv_transpose1d_groups', S('ConvTranspose1d', 4, 2, 3, stride=2, padding=1, outputPadding=1, groups=2), [r(2, 4, 5)])
mcase('margin_ranking_loss', S('MarginRankingLoss', margin=0.3), [r(5), r(5), ('T', torch.tensor([1., -1., 1., 1., -1.]), False)])
_xp = torch.randn(1, 2, 4, 5)
_yp, _ip = F.max_pool2d(_xp, 2, return_indices=True)
_xp1 = torch.randn(2, 3, 7)
_yp1, _ip1 = F.max_pool1d(_xp1, 3, stride=2, padding=1, return_indices=True)
mcase('embedding_bag_sum_offsets', S('EmbeddingBag', 6, 3, mode='sum'), [('T', torch.tensor([0, 2, 4, 5, 4, 3, 2]), False), ('T', torch.tensor([0, 2, 2, 5]), False)])
mcase('embedding_bag_mean_2d_pad', S('EmbeddingBag', 5, 4, paddingIdx=1), [('T', torch.tensor([[0, 1, 2], [1, 1, 1], [4, 3, 1]]), False)])
mcase('embedding_bag_max', S('EmbeddingBag', 5, 2, mode='max'), [('T', torch.tensor([[0, 4], [2, 3]]), False)])
mcase('embedding_bag_psw_last_offset', S('EmbeddingBag', 5, 3, mode='sum', includeLastOffset=True), [('T', torch.tensor([1, 2, 3, 0]), False), ('T', torch.tensor([0, 1, 4]), False), r(4)])
mcase('max_unpool2d', S('MaxUnpool2d', 2), [('T', _yp.clone(), True), ('T', _ip, False)], {'outputSize': [4, 5]})
mcase('max_unpool1d_stride_pad', S('MaxUnpool1d', 3, stride=2, padding=1), [('T', _yp1.clone(), True), ('T', _ip1, False)])

# ---------------------------------------------------------------------------------------------------------------
# reprs and state-dict keys
# ---------------------------------------------------------------------------------------------------------------
def rcase(spec):
    m = make_module(spec)
    OUT['reprs'].append({'module': spec, 'repr': repr(m), 'keys': list(m.state_dict().keys()),
                         'params': [k for k, _ in m.named_parameters()], 'buffers': [k for k, _ in m.named_buffers()],
                         'modules': [k for k, _ in m.named_modules()], 'numel': sum(p.numel() for p in m.parameters())})


for spec in [S('Linear', 4, 3), S('Linear', 4, 2, bias=False), S('Bilinear', 3, 4, 2), S('Conv1d', 3, 5, 3, padding=1), S('Conv1d', 3, 6, 3, padding='same', groups=3),
             S('Conv2d', 3, 4, 3, stride=2, padding=1), S('Conv2d', 2, 4, [3, 5], dilation=[2, 1], groups=2, bias=False, paddingMode='reflect', padding=2),
             S('Conv2d', 1, 2, 3, padding='valid'), S('ConvTranspose2d', 3, 2, 3, stride=2, outputPadding=1), S('ConvTranspose2d', 4, 4, 2, groups=2, dilation=2),
             S('MaxPool2d', 2), S('MaxPool2d', 3, stride=2, padding=1, ceilMode=True), S('MaxPool2d', [2, 3], stride=[1, 2], dilation=2), S('AvgPool2d', 2), S('AvgPool2d', 3, stride=1, padding=1),
             S('AdaptiveAvgPool2d', [2, 3]), S('AdaptiveAvgPool2d', 1), S('BatchNorm1d', 3), S('BatchNorm2d', 2, momentum=0.3, eps=0.001), S('BatchNorm2d', 4, affine=False, trackRunningStats=False),
             S('BatchNorm1d', 5, momentum=None), S('LayerNorm', [4]), S('LayerNorm', 5, elementwiseAffine=False), S('LayerNorm', [2, 3], eps=1e-6), S('GroupNorm', 2, 4), S('GroupNorm', 1, 3, affine=False),
             S('Dropout'), S('Dropout', p=0.25), S('Embedding', 10, 3), S('Embedding', 6, 3, paddingIdx=0, maxNorm=2.0), S('Flatten'), S('Flatten', 0, 2), S('Unflatten', 1, [2, 3]),
             S('Identity'), S('ReLU'), S('ReLU', inplace=True), S('LeakyReLU'), S('LeakyReLU', negativeSlope=0.2), S('ELU'), S('ELU', alpha=0.5), S('GELU'), S('GELU', approximate='tanh'),
             S('SiLU'), S('Sigmoid'), S('Tanh'), S('Softmax', 1), S('LogSoftmax', -1), S('Softplus'), S('Softplus', beta=2, threshold=10),
             S('MSELoss'), S('L1Loss', reduction='sum'), S('SmoothL1Loss'), S('HuberLoss', delta=0.7), S('CrossEntropyLoss'), S('NLLLoss'), S('BCELoss'), S('BCEWithLogitsLoss'), S('KLDivLoss', reduction='batchmean'),
             S('RNN', 3, 2), S('LSTM', 3, 4), S('LSTM', 3, 4, numLayers=2, batchFirst=True, dropout=0.1, bidirectional=True), S('GRU', 3, 4, bias=False), S('RNN', 3, 2, nonlinearity='relu', numLayers=3),
             S('MultiheadAttention', 8, 2), S('MultiheadAttention', 4, 2, kdim=3, vdim=5, bias=False), S('MultiheadAttention', 4, 1, addBiasKv=True),
             S('TransformerEncoderLayer', 8, 2, dimFeedforward=16, dropout=0.0), S('TransformerEncoderLayer', 4, 2, dimFeedforward=8, normFirst=True, batchFirst=True, activation='gelu'),
             {'type': 'Sequential', 'children': [S('Linear', 4, 8), S('ReLU'), S('Linear', 8, 2)]},
             {'type': 'Sequential', 'children': [S('Conv2d', 1, 4, 3), {'type': 'Sequential', 'children': [S('BatchNorm2d', 4), S('ReLU'), {'type': 'Sequential', 'children': [S('Dropout', p=0.1)]}]}, S('Flatten'), S('Linear', 4, 2)]},
             {'type': 'Sequential', 'children': []},
             S('ZeroPad2d', [1, 1, 2, 0]), S('ZeroPad2d', 2), S('ConstantPad1d', 2, 3.5), S('ConstantPad2d', [1, 2, 3, 4], 1), S('ConstantPad3d', 1, 0.5),
             S('ReflectionPad1d', 2), S('ReflectionPad2d', [1, 1, 2, 0]), S('ReflectionPad3d', 1), S('ReplicationPad1d', [1, 2]), S('ReplicationPad2d', 1), S('ReplicationPad3d', 1),
             S('InstanceNorm1d', 3), S('InstanceNorm2d', 3, affine=True, trackRunningStats=True), S('InstanceNorm3d', 2, eps=1e-3, momentum=0.2),
             S('CosineSimilarity'), S('CosineSimilarity', dim=0), S('PairwiseDistance', p=1), S('Unfold', 2), S('Unfold', [2, 3], padding=1, stride=[1, 2]), S('Fold', [4, 5], 2),
             S('Softmax2d'), S('ChannelShuffle', 2), S('AdaptiveAvgPool1d', 3), S('RNNCell', 3, 4), S('RNNCell', 3, 4, bias=False, nonlinearity='relu'), S('LSTMCell', 3, 4),
             S('GRUCell', 3, 4, bias=False), S('ConvTranspose1d', 3, 4, 3, stride=2), S('ConvTranspose1d', 4, 2, 2, groups=2, dilation=2, bias=False), S('MarginRankingLoss', margin=0.5),
             S('MarginRankingLoss'), S('EmbeddingBag', 10, 3), S('EmbeddingBag', 10, 3, mode='max', paddingIdx=-1, maxNorm=1.0, normType=1.0, scaleGradByFreq=True),
             S('MaxUnpool2d', 2), S('MaxUnpool1d', 3, stride=2, padding=1), S('MaxUnpool3d', [2, 1, 2]), S('Dropout3d'), S('Dropout3d', 0.2), S('FeatureAlphaDropout', 0.1)]:
    rcase(spec)


# ---------------------------------------------------------------------------------------------------------------
# init statistics: the bound / std PyTorch's default init gives (checked in TS on a large layer)
# ---------------------------------------------------------------------------------------------------------------
def icase(spec, param, kind):
    m = make_module(spec)
    p = dict(m.named_parameters())[param].detach().double()
    OUT['init'].append({'module': spec, 'param': param, 'kind': kind, 'absmax': p.abs().max().item(), 'mean': p.mean().item(), 'std': p.std().item()})


icase(S('Linear', 400, 300), 'weight', 'uniform')
icase(S('Linear', 400, 300), 'bias', 'uniform')
icase(S('Conv2d', 16, 64, 3), 'weight', 'uniform')
icase(S('Conv2d', 16, 64, 3), 'bias', 'uniform')
icase(S('ConvTranspose2d', 16, 32, 4), 'weight', 'uniform')
icase(S('LSTM', 50, 200), 'weight_hh_l0', 'uniform')
icase(S('Embedding', 2000, 64), 'weight', 'normal')
icase(S('Bilinear', 30, 40, 20), 'weight', 'uniform')
icase(S('MultiheadAttention', 256, 4), 'in_proj_weight', 'uniform')
INIT_FNS = []
for name, args, kw in [('xavierUniform_', [], {'gain': 2.0}), ('xavierNormal_', [], {}), ('kaimingUniform_', [], {'a': 0.0, 'mode': 'fan_out', 'nonlinearity': 'relu'}),
                       ('kaimingNormal_', [], {'mode': 'fan_in', 'nonlinearity': 'leaky_relu', 'a': 0.2}), ('uniform_', [-0.3, 0.7], {}), ('normal_', [0.5, 2.0], {})]:
    t = torch.empty(300, 200, 3)
    getattr(nn.init, snake(name).replace('__', '_'))(t, *args, **kw)
    t = t.double()
    INIT_FNS.append({'fn': name, 'shape': [300, 200, 3], 'args': args, 'opts': kw, 'absmax': t.abs().max().item(), 'mean': t.mean().item(), 'std': t.std().item()})
OUT['init_fns'] = INIT_FNS
OUT['gains'] = [[nl, p, nn.init.calculate_gain(nl, p)] for nl, p in [('linear', None), ('conv2d', None), ('sigmoid', None), ('tanh', None), ('relu', None), ('leaky_relu', None), ('leaky_relu', 0.2), ('selu', None)]]


# ---------------------------------------------------------------------------------------------------------------
# error messages (PyTorch's wording)
# ---------------------------------------------------------------------------------------------------------------
def ecase(name, op, args, opts=None):
    try:
        getattr(F, snake(op))(*[dec(a) for a in args], **py_opts(opts or {}))
        raise SystemExit('expected an error for ' + name)
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        OUT['errors'].append({'name': name, 'op': op, 'args': [encode_arg(a) for a in args], 'opts': {k: encode_arg(v) for k, v in (opts or {}).items()}, 'message': str(e)})


ecase('conv2d_2d_input', 'conv2d', [r(2, 3), r(4, 3, 3, 3)])
ecase('conv2d_channels', 'conv2d', [r(2, 2, 6, 6), r(4, 3, 3, 3)])
ecase('conv2d_groups_weight', 'conv2d', [r(1, 4, 5, 5), r(3, 2, 3, 3)], {'groups': 2})
ecase('conv2d_kernel_too_big', 'conv2d', [r(1, 1, 2, 2), r(1, 1, 3, 3)])
ecase('conv1d_4d_input', 'conv1d', [r(1, 2, 3, 4), r(2, 2, 3)])
ecase('conv2d_same_strided', 'conv2d', [r(1, 1, 5, 5), r(1, 1, 3, 3)], {'padding': 'same', 'stride': 2})
ecase('max_pool2d_pad_too_big', 'maxPool2d', [r(1, 1, 5, 5), 2], {'padding': 2})
ecase('nll_target_oob', 'nllLoss', [r(3, 4), ('T', torch.tensor([0, 4, 1]), False)])
ecase('nll_batch_mismatch', 'nllLoss', [r(3, 4), ('T', torch.tensor([0, 1]), False)])
ecase('layer_norm_shape', 'layerNorm', [r(2, 3, 5), [4]])
ecase('group_norm_divisible', 'groupNorm', [r(2, 4, 3), 3])
ecase('batch_norm_one_value', 'batchNorm', [r(1, 3), ('T', torch.zeros(3), False), ('T', torch.ones(3), False)], {'training': True})
ecase('pad_odd', 'pad', [r(2, 3), [1, 2, 3]])
ecase('embedding_oob', 'embedding', [('T', torch.tensor([0, 7]), False), r(5, 2)])
ecase('dropout_p', 'dropout', [r(2, 2)], {'p': 1.5})
ecase('linear_shapes', 'linear', [r(5, 4), r(3, 5)])
ecase('conv_transpose_output_padding', 'convTranspose2d', [r(1, 2, 3, 3), r(2, 2, 3, 3)], {'outputPadding': 1})


# ---------------------------------------------------------------------------------------------------------------
# training: full-batch SGD from a recorded initial state; the loss after every step
# ---------------------------------------------------------------------------------------------------------------
def train_case(name, spec, x, y, steps, lr, momentum=0.0):
    torch.manual_seed(7)
    m = make_module(spec)
    m.train()
    state = {k: enc(v) for k, v in m.state_dict().items()}
    opt = torch.optim.SGD(m.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    m.eval()
    with torch.no_grad():
        final = F.cross_entropy(m(x), y).item()
        acc = (m(x).argmax(1) == y).float().mean().item()
    OUT['training'].append({'name': name, 'module': spec, 'state': state, 'x': enc(x), 'y': enc(y), 'steps': steps, 'lr': lr, 'momentum': momentum,
                            'losses': losses, 'final_eval_loss': final, 'final_accuracy': acc})


g = torch.Generator().manual_seed(3)
# two interleaved spirals-ish blobs in 2-D, 3 classes
n = 90
cls = torch.arange(n) % 3
ang = torch.rand(n, generator=g) * 2 * math.pi
rad = torch.rand(n, generator=g) * 0.5 + cls.float()
xm = torch.stack([rad * torch.cos(ang + cls.float() * 2), rad * torch.sin(ang + cls.float() * 2)], 1) + 0.05 * torch.randn(n, 2, generator=g)
train_case('mlp', {'type': 'Sequential', 'children': [S('Linear', 2, 32), S('Tanh'), S('Linear', 32, 32), S('ReLU'), S('Linear', 32, 3)]}, xm, cls, 60, 0.2, momentum=0.9)
# 8x8 "images": class = which quadrant holds the bright blob
ni = 48
yc = torch.arange(ni) % 4
xi = 0.3 * torch.randn(ni, 1, 8, 8, generator=g)
for i in range(ni):
    q = int(yc[i]); r0, c0 = (q // 2) * 4, (q % 2) * 4
    xi[i, 0, r0:r0 + 4, c0:c0 + 4] += 1.0
train_case('cnn', {'type': 'Sequential', 'children': [S('Conv2d', 1, 4, 3, padding=1), S('BatchNorm2d', 4), S('ReLU'), S('MaxPool2d', 2),
                                                     S('Conv2d', 4, 8, 3, padding=1), S('ReLU'), S('AdaptiveAvgPool2d', 2), S('Flatten'), S('Linear', 32, 4)]}, xi, yc, 25, 0.1, momentum=0.9)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nn.json')
with open(path, 'w') as f:
    json.dump(OUT, f, separators=(',', ':'))
print('wrote', path, {k: len(v) for k, v in OUT.items() if isinstance(v, list)})
