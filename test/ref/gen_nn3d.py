# gen_nn3d.py - reference values and gradients from PyTorch 1.13 for test/nn3d.test.ts (conv3d, conv_transpose3d,
# avg_pool3d, adaptive_avg_pool3d, lp_pool3d, ctc_loss, multilabel_margin_loss, triplet_margin_with_distance_loss).
# Run: /usr/bin/python3 test/ref/gen_nn3d.py  (writes test/ref/nn3d.json). float64 throughout.
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
cases = []

def r(*shape):
    return torch.randn(*shape)

def add(name, fn, inputs, kwargs, grad=True, extra=None):
    """inputs: dict of name -> tensor (float: differentiated); fn(**inputs, **kwargs)"""
    ins = {k: v.clone().requires_grad_(grad and v.is_floating_point()) for k, v in inputs.items()}
    out = fn(**ins, **kwargs)
    g = torch.randn(out.shape)
    case = {'name': name, 'inputs': {k: {'data': v.tolist(), 'dtype': str(v.dtype).replace('torch.', '')} for k, v in inputs.items()},
            'kwargs': kwargs, 'out': out.tolist(), 'outShape': list(out.shape), 'g': g.tolist()}
    if grad:
        finite = torch.isfinite(out).all()
        if finite:
            (out * g).sum().backward()
            case['grads'] = {k: v.grad.tolist() for k, v in ins.items() if v.grad is not None}
    if extra: case.update(extra)
    cases.append(case)

# conv3d
add('conv3d basic', lambda x, w, b: F.conv3d(x, w, b), {'x': r(2, 3, 5, 6, 7), 'w': r(4, 3, 3, 2, 3), 'b': r(4)}, {})
add('conv3d stride/pad/dil', lambda x, w, **k: F.conv3d(x, w, None, **k), {'x': r(2, 2, 6, 7, 5), 'w': r(3, 2, 2, 3, 2)},
    {'stride': [2, 1, 2], 'padding': [1, 2, 0], 'dilation': [1, 2, 1]})
add('conv3d groups', lambda x, w, b, **k: F.conv3d(x, w, b, **k), {'x': r(1, 6, 4, 5, 5), 'w': r(3, 2, 2, 3, 2), 'b': r(3)},
    {'stride': 2, 'padding': 1, 'groups': 3})
add('conv3d same', lambda x, w, **k: F.conv3d(x, w, None, **k), {'x': r(1, 2, 5, 6, 7), 'w': r(2, 2, 2, 3, 4)},
    {'padding': 'same', 'dilation': [2, 1, 1]})
add('conv3d valid', lambda x, w, **k: F.conv3d(x, w, None, **k), {'x': r(1, 2, 4, 4, 4), 'w': r(2, 2, 3, 3, 3)}, {'padding': 'valid'})
add('conv3d unbatched', lambda x, w, b, **k: F.conv3d(x, w, b, **k), {'x': r(3, 4, 4, 4), 'w': r(2, 3, 2, 2, 2), 'b': r(2)}, {'padding': [0, 1, 1]})
# conv_transpose3d
add('conv_transpose3d stride/pad/outpad', lambda x, w, b, **k: F.conv_transpose3d(x, w, b, **k),
    {'x': r(2, 4, 3, 3, 2), 'w': r(4, 3, 3, 2, 3), 'b': r(3)}, {'stride': [2, 1, 2], 'padding': [1, 0, 1], 'output_padding': [1, 0, 0]})
add('conv_transpose3d groups/dil', lambda x, w, **k: F.conv_transpose3d(x, w, None, **k),
    {'x': r(1, 4, 2, 3, 3), 'w': r(4, 2, 2, 2, 2)}, {'stride': [1, 2, 1], 'groups': 2, 'dilation': [2, 1, 1], 'padding': [1, 0, 0]})
add('conv_transpose3d outpad>=stride (dilation)', lambda x, w, b, **k: F.conv_transpose3d(x, w, b, **k),
    {'x': r(2, 2, 3, 2, 3), 'w': r(2, 3, 2, 2, 3), 'b': r(3)}, {'stride': [1, 2, 1], 'dilation': [2, 1, 1], 'output_padding': [1, 1, 0], 'padding': [0, 0, 1]})
add('conv_transpose3d unbatched', lambda x, w, **k: F.conv_transpose3d(x, w, None, **k), {'x': r(2, 2, 2, 3), 'w': r(2, 3, 2, 2, 2)}, {'stride': 3})
# avg_pool3d
add('avg_pool3d k2', lambda x, **k: F.avg_pool3d(x, **k), {'x': r(2, 3, 4, 5, 6)}, {'kernel_size': 2})
add('avg_pool3d ceil nocip', lambda x, **k: F.avg_pool3d(x, **k), {'x': r(1, 2, 5, 6, 7)},
    {'kernel_size': [3, 2, 3], 'stride': [2, 1, 2], 'padding': [1, 1, 1], 'ceil_mode': True, 'count_include_pad': False})
add('avg_pool3d cip ceil', lambda x, **k: F.avg_pool3d(x, **k), {'x': r(1, 2, 5, 6, 7)},
    {'kernel_size': [3, 2, 3], 'stride': [2, 1, 2], 'padding': [1, 1, 1], 'ceil_mode': True, 'count_include_pad': True})
add('avg_pool3d divisor', lambda x, **k: F.avg_pool3d(x, **k), {'x': r(2, 5, 5, 5)},
    {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True, 'divisor_override': 5})
# adaptive_avg_pool3d
add('adaptive_avg_pool3d (2,None,3)', lambda x, **k: F.adaptive_avg_pool3d(x, **k), {'x': r(2, 3, 5, 6, 7)}, {'output_size': [2, None, 3]})
add('adaptive_avg_pool3d 3 unbatched', lambda x, **k: F.adaptive_avg_pool3d(x, **k), {'x': r(2, 4, 7, 5)}, {'output_size': 3})
# lp_pool3d (PyTorch 2.x; 1.13 lacks it): its definition over 1.13's avg_pool3d
def lp3(x, norm_type, kernel_size, stride=None, ceil_mode=False):
    k = [kernel_size] * 3 if isinstance(kernel_size, int) else kernel_size
    out = F.avg_pool3d(x.pow(norm_type), k, stride, 0, ceil_mode)
    return (torch.sign(out) * F.relu(torch.abs(out))).mul(k[0] * k[1] * k[2]).pow(1.0 / norm_type)
add('lp_pool3d p2', lambda x, **k: lp3(x, **k), {'x': r(1, 2, 4, 5, 6)}, {'norm_type': 2, 'kernel_size': [2, 2, 3], 'stride': [2, 1, 2]})
# ctc_loss: log_probs from log_softmax of logits (the usual use) and log_probs directly (PyTorch's own gradient)
T, N, C = 12, 3, 5
logits = r(T, N, C)
tg = torch.tensor([[1, 2, 2, 3], [4, 4, 0, 0], [1, 3, 0, 0]])
tg = torch.where(tg == 0, torch.tensor(2), tg)  # no blank (0) inside the targets; padding with any label
for red in ['none', 'mean', 'sum']:
    add(f'ctc logits {red}', lambda logits, targets, **k: F.ctc_loss(logits.log_softmax(2), targets, **k),
        {'logits': logits, 'targets': tg}, {'input_lengths': [12, 10, 7], 'target_lengths': [4, 2, 2], 'reduction': red})
add('ctc log_probs leaf', lambda lp, targets, **k: F.ctc_loss(lp, targets, **k),
    {'lp': logits.log_softmax(2), 'targets': tg}, {'input_lengths': [12, 10, 7], 'target_lengths': [4, 2, 2], 'reduction': 'mean'})
add('ctc concatenated blank=2', lambda logits, targets, **k: F.ctc_loss(logits.log_softmax(2), targets, **k),
    {'logits': logits, 'targets': torch.tensor([1, 1, 3, 4, 0, 0, 1])}, {'input_lengths': [12, 9, 12], 'target_lengths': [3, 0, 4], 'blank': 2, 'reduction': 'sum'})
add('ctc zero_infinity', lambda logits, targets, **k: F.ctc_loss(logits.log_softmax(2), targets, **k),
    {'logits': logits, 'targets': torch.tensor([[1, 1, 1, 1], [3, 4, 0, 0], [1, 2, 0, 0]])},
    {'input_lengths': [6, 12, 3], 'target_lengths': [4, 2, 2], 'zero_infinity': True, 'reduction': 'none'})
add('ctc infinite', lambda logits, targets, **k: F.ctc_loss(logits.log_softmax(2), targets, **k),
    {'logits': logits, 'targets': torch.tensor([[1, 1, 1, 1], [3, 4, 0, 0], [1, 2, 0, 0]])},
    {'input_lengths': [6, 12, 3], 'target_lengths': [4, 2, 2], 'reduction': 'none'}, grad=False)
add('ctc unbatched', lambda logits, targets, **k: F.ctc_loss(logits.log_softmax(1), targets, **k),
    {'logits': r(8, 4), 'targets': torch.tensor([1, 3, 3])}, {'input_lengths': [8], 'target_lengths': [3]})
# multilabel_margin_loss
mt = torch.tensor([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [0, 1, 2, 3, 4], [-1, 2, 0, 0, 0]])
for red in ['none', 'mean', 'sum']:
    add(f'multilabel_margin {red}', lambda x, target, **k: F.multilabel_margin_loss(x, target, **k), {'x': r(4, 5), 'target': mt}, {'reduction': red})
add('multilabel_margin 1d', lambda x, target, **k: F.multilabel_margin_loss(x, target, **k), {'x': r(4), 'target': torch.tensor([2, 0, -1, 3])}, {'reduction': 'none'})
# triplet_margin_with_distance_loss (distance_function: 'default' or 'cosine' = 1 - cosine_similarity)
cosd = lambda a, b: 1.0 - F.cosine_similarity(a, b)
for nm, df, kw in [('default', None, {}), ('cosine swap', cosd, {'margin': 0.7, 'swap': True}), ('cosine none', cosd, {'reduction': 'none', 'margin': 1.5})]:
    add(f'triplet_distance {nm}', lambda a, p, n, **k: F.triplet_margin_with_distance_loss(a, p, n, distance_function=df, **k),
        {'a': r(6, 4), 'p': r(6, 4), 'n': r(6, 4)}, kw, extra={'distance': 'cosine' if df else None})

def clean(o):
    if isinstance(o, float) and o != o: return 'nan'
    if isinstance(o, float) and o in (float('inf'), float('-inf')): return 'inf' if o > 0 else '-inf'
    if isinstance(o, float): return float('%.10g' % o)
    if isinstance(o, list): return [clean(v) for v in o]
    if isinstance(o, dict): return {k: clean(v) for k, v in o.items()}
    return o
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nn3d.json'), 'w') as f:
    json.dump(clean({'torch': torch.__version__, 'cases': cases}), f, separators=(',', ':'))
print(len(cases), 'cases')
