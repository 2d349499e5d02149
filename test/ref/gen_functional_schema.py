# gen_functional_schema.py - PyTorch 1.13's values for test/functional_schema.test.ts (the nn.functional schema rows):
# conv padding='same' (asymmetric where the total padding is odd) and 'valid', the pools' positional return_indices,
# the losses' deprecated size_average/reduce positions, positional loss weights, and mish's in-place form.
# Run: /usr/bin/python3 test/ref/gen_functional_schema.py  (writes test/ref/functional_schema.json)
import json, math, os, warnings
import torch
import torch.nn.functional as F

torch.manual_seed(0)
def t(v):  # float64 values, flat, with the shape
    v = v.detach()
    d = v.reshape(-1).tolist()
    if v.is_floating_point():  # 12 significant digits (the tests allow 1e-9); nan/inf as strings (JSON has none)
        d = [float('%.12g' % x) if math.isfinite(x) else 'nan' if math.isnan(x) else 'inf' if x > 0 else '-inf' for x in d]
    return {'shape': list(v.shape), 'data': d, 'dtype': str(v.dtype).replace('torch.', '')}

cases = {}
x2 = torch.randn(2, 3, 9, 11, dtype=torch.float64)
x1 = torch.randn(2, 3, 9, dtype=torch.float64)
cases['x2'] = t(x2); cases['x1'] = t(x1)
# conv2d 'same': odd and even kernels, dilation (total padding d*(k-1): odd totals put the extra on the right)
for name, k, d in [('k33', (3, 3), (1, 1)), ('k24', (2, 4), (1, 1)), ('k32_d21', (3, 2), (2, 1)), ('k44_d23', (4, 4), (2, 3))]:
    w = torch.randn(4, 3, *k, dtype=torch.float64)
    b = torch.randn(4, dtype=torch.float64)
    xg = x2.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)
    y = F.conv2d(xg, wg, b, 1, 'same', d)
    y.pow(2).sum().backward()
    cases['conv2d_same_' + name] = {'w': t(w), 'b': t(b), 'dilation': list(d), 'y': t(y), 'gx': t(xg.grad), 'gw': t(wg.grad)}
    cases['conv2d_valid_' + name] = {'w': t(w), 'dilation': list(d), 'y': t(F.conv2d(x2, w, None, 1, 'valid', d))}
for name, k, d in [('k4', 4, 1), ('k3_d2', 3, 2), ('k2_d3', 2, 3)]:
    w = torch.randn(2, 3, k, dtype=torch.float64)
    xg = x1.clone().requires_grad_(True)
    y = F.conv1d(xg, w, None, 1, 'same', d)
    y.pow(2).sum().backward()
    cases['conv1d_same_' + name] = {'w': t(w), 'dilation': d, 'y': t(y), 'gx': t(xg.grad)}
cases['conv1d_groups_same'] = (lambda w: {'w': t(w), 'y': t(F.conv1d(x1, w, None, 1, 'same', 1, 3))})(torch.randn(3, 1, 4, dtype=torch.float64))
# pools: return_indices positionally
v, i = F.max_pool2d(x2, 3, 2, 1, 1, True, True)
cases['max_pool2d_pos'] = {'v': t(v), 'i': t(i)}
v, i = F.max_pool1d(x1, 3, 2, 1, 1, False, True)
cases['max_pool1d_pos'] = {'v': t(v), 'i': t(i)}
v, i = F.adaptive_max_pool2d(x2, (3, 2), True)
cases['adaptive_max_pool2d_pos'] = {'v': t(v), 'i': t(i)}
cases['avg_pool2d_pos'] = t(F.avg_pool2d(x2, (3, 2), (2, 1), (1, 0), True, False, None))
# losses: the deprecated positions (each combination), positional weights
a = torch.randn(4, 5, dtype=torch.float64); b = torch.randn(4, 5, dtype=torch.float64)
cases['a'] = t(a); cases['b'] = t(b)
lab = torch.tensor([0, 4, 2, 1]); cases['labels'] = lab.tolist()
wt = torch.rand(5, dtype=torch.float64) + 0.5; cases['wt'] = t(wt)
legacy = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    for sa, rd in [(None, False), (False, None), (False, True), (True, True), (True, False), (None, None)]:
        k = f'{sa}_{rd}'
        legacy[k] = {
            'mse': t(F.mse_loss(a, b, sa, rd)),
            'l1': t(F.l1_loss(a, b, sa, rd, 'sum')),
            'smooth_l1': t(F.smooth_l1_loss(a, b, sa, rd, 'mean', 0.5)),
            'nll': t(F.nll_loss(a.log_softmax(1), lab, wt, sa, 2, rd)),
            'ce': t(F.cross_entropy(a, lab, wt, sa, -100, rd, 'mean', 0.1)),
            'kl': t(F.kl_div(a.log_softmax(1), b.softmax(1), sa, rd, 'batchmean')),
            'margin': t(F.margin_ranking_loss(a[0], b[0], torch.sign(a[1]), 0.3, sa, rd)),
            'poisson': t(F.poisson_nll_loss(a, b.abs(), True, False, sa, 1e-8, rd)),
        }
    cases['legacy_warning'] = str([w for w in caught if 'size_average' in str(w.message)][0].message)
cases['legacy'] = legacy
p = torch.rand(4, 5, dtype=torch.float64) * 0.8 + 0.1; cases['p'] = t(p)
cases['bce_w'] = t(F.binary_cross_entropy(p, (b > 0).double(), wt, None, None, 'sum'))
cases['bcel_w'] = t(F.binary_cross_entropy_with_logits(a, (b > 0).double(), wt, None, None, 'sum', wt * 2))
# mish in place (MishBackward0 through the in-place protocol)
xg = a.clone().requires_grad_(True)
y = xg.clone()
F.mish(y, True)
(y * b).sum().backward()
cases['mish_inplace'] = {'y': t(y), 'gx': t(xg.grad), 'grad_fn': type(y.grad_fn).__name__}
# functions added as rows: pixel_(un)shuffle, lp_pool1d/2d, local_response_norm, conv_transpose1d (values and
# input gradients for a fixed upstream gradient g: the gradient of (y * g).sum())
def vg(f, *xs):
    xs = [x.clone().requires_grad_(True) for x in xs]
    y = f(*xs)
    g = torch.randn(y.shape, dtype=torch.float64)
    (y * g).sum().backward()
    return {'x': [t(x) for x in xs], 'g': t(g), 'y': t(y), 'gx': [t(x.grad) for x in xs]}
added = {}
added['pixel_shuffle'] = vg(lambda x: F.pixel_shuffle(x, 2), torch.randn(2, 8, 3, 4, dtype=torch.float64))
added['pixel_shuffle_5d'] = vg(lambda x: F.pixel_shuffle(x, 3), torch.randn(2, 1, 9, 2, 2, dtype=torch.float64))
added['pixel_unshuffle'] = vg(lambda x: F.pixel_unshuffle(x, 2), torch.randn(2, 2, 6, 4, dtype=torch.float64))
added['lp_pool2d_p2'] = vg(lambda x: F.lp_pool2d(x, 2, (3, 2)), torch.randn(2, 3, 7, 6, dtype=torch.float64))
added['lp_pool2d_p3_stride_ceil'] = vg(lambda x: F.lp_pool2d(x, 3, 2, (2, 1), True), torch.randn(1, 2, 5, 5, dtype=torch.float64))
added['lp_pool1d'] = vg(lambda x: F.lp_pool1d(x, 2, 3, 2), torch.randn(2, 3, 9, dtype=torch.float64))
added['lrn_3d'] = vg(lambda x: F.local_response_norm(x, 3), torch.randn(2, 5, 7, dtype=torch.float64))
added['lrn_4d'] = vg(lambda x: F.local_response_norm(x, 4, 1e-2, 0.75, 2.0), torch.randn(2, 6, 3, 4, dtype=torch.float64))
added['lrn_5d'] = vg(lambda x: F.local_response_norm(x, 2, 0.1, 0.5, 1.0), torch.randn(1, 4, 2, 3, 2, dtype=torch.float64))
added['conv_transpose1d'] = vg(lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1, 1, 2),
    torch.randn(2, 4, 7, dtype=torch.float64), torch.randn(4, 3, 3, dtype=torch.float64), torch.randn(3, dtype=torch.float64))
added['conv_transpose1d_groups'] = vg(lambda x, w: F.conv_transpose1d(x, w, None, 1, 0, 0, 2),
    torch.randn(2, 4, 5, dtype=torch.float64), torch.randn(4, 2, 3, dtype=torch.float64))
added['conv_transpose1d_unbatched'] = vg(lambda x, w: F.conv_transpose1d(x, w, stride=3), torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 2, 2, dtype=torch.float64))
added['interp_nearest_size'] = vg(lambda x: F.interpolate(x, size=(5, 7)), torch.randn(2, 2, 3, 4, dtype=torch.float64))
added['interp_nearest_sf2'] = vg(lambda x: F.interpolate(x, scale_factor=2), torch.randn(1, 2, 3, 4, dtype=torch.float64))
added['interp_nearest_sf_odd'] = vg(lambda x: F.interpolate(x, scale_factor=(1.5, 1.7)), torch.randn(1, 2, 5, 3, dtype=torch.float64))
added['interp_nearest_sf_13'] = vg(lambda x: F.interpolate(x, scale_factor=1.3), torch.randn(1, 2, 5, dtype=torch.float64))
# a scale factor whose output size equals or doubles the input's: PyTorch 1.13's NCHW forward follows the scale
# (floor(j / s)) while its backward shortcuts (j, j >> 1): its gradient is not the adjoint of its forward there, so
# only the forward values are kept (the test checks nodetorch's gradient is the adjoint of its forward)
cases['interp_nearest_fwd_only'] = {k: t(F.interpolate(v, scale_factor=sf)) for k, v, sf in [
    ('double', torch.arange(30, dtype=torch.float64).reshape(1, 2, 5, 3), (1.5, 2.3)),
    ('same', torch.arange(10, dtype=torch.float64).reshape(1, 2, 5), 1.1)]}
added['interp_nearest_down'] = vg(lambda x: F.interpolate(x, scale_factor=0.6), torch.randn(1, 2, 11, dtype=torch.float64))
added['interp_nearest_recompute'] = vg(lambda x: F.interpolate(x, scale_factor=(1.7, 0.8), recompute_scale_factor=True), torch.randn(1, 1, 6, 9, dtype=torch.float64))
added['interp_nearest_exact'] = vg(lambda x: F.interpolate(x, size=(7, 3), mode='nearest-exact'), torch.randn(1, 2, 4, 5, dtype=torch.float64))
added['interp_nearest_3d_5d'] = vg(lambda x: F.interpolate(x, size=(3, 4, 5)), torch.randn(1, 1, 2, 3, 2, dtype=torch.float64))
added['interp_bilinear'] = vg(lambda x: F.interpolate(x, size=(7, 5), mode='bilinear'), torch.randn(2, 2, 4, 3, dtype=torch.float64))
added['interp_bilinear_ac'] = vg(lambda x: F.interpolate(x, size=(7, 5), mode='bilinear', align_corners=True), torch.randn(2, 2, 4, 3, dtype=torch.float64))
added['interp_bilinear_sf'] = vg(lambda x: F.interpolate(x, scale_factor=(2.5, 0.7), mode='bilinear'), torch.randn(1, 3, 4, 6, dtype=torch.float64))
added['interp_bilinear_down'] = vg(lambda x: F.interpolate(x, size=(2, 3), mode='bilinear'), torch.randn(1, 1, 7, 8, dtype=torch.float64))
added['interp_linear'] = vg(lambda x: F.interpolate(x, scale_factor=3, mode='linear', align_corners=False), torch.randn(2, 3, 4, dtype=torch.float64))
added['interp_linear_ac1'] = vg(lambda x: F.interpolate(x, size=1, mode='linear', align_corners=True), torch.randn(1, 2, 4, dtype=torch.float64))
added['interp_trilinear'] = vg(lambda x: F.interpolate(x, size=(3, 4, 2), mode='trilinear'), torch.randn(1, 2, 2, 3, 4, dtype=torch.float64))
added['interp_area'] = vg(lambda x: F.interpolate(x, size=(3, 2), mode='area'), torch.randn(2, 2, 7, 5, dtype=torch.float64))
added['interp_area_1d'] = vg(lambda x: F.interpolate(x, size=4, mode='area'), torch.randn(1, 2, 9, dtype=torch.float64))
added['interp_area_3d'] = vg(lambda x: F.interpolate(x, size=(2, 3, 2), mode='area'), torch.randn(1, 2, 5, 4, 3, dtype=torch.float64))
pm = torch.tensor([1., -1, 1, -1, -1], dtype=torch.float64)
added['soft_margin'] = vg(lambda x: F.soft_margin_loss(x, pm.expand(3, 5)), torch.randn(3, 5, dtype=torch.float64))
added['soft_margin_none'] = vg(lambda x: F.soft_margin_loss(x, pm.expand(3, 5), None, None, 'none'), torch.randn(3, 5, dtype=torch.float64))
added['hinge'] = vg(lambda x: F.hinge_embedding_loss(x, pm.expand(3, 5), 0.7), torch.randn(3, 5, dtype=torch.float64))
added['hinge_legacy_sum'] = vg(lambda x: F.hinge_embedding_loss(x, pm.expand(3, 5), 1.0, False), torch.randn(3, 5, dtype=torch.float64))
added['cos_emb'] = vg(lambda a, b: F.cosine_embedding_loss(a, b, pm, 0.2), torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64))
added['cos_emb_1d'] = vg(lambda a, b: F.cosine_embedding_loss(a, b, torch.tensor(-1.), -0.5, None, None, 'sum'), torch.randn(4, dtype=torch.float64), torch.randn(4, dtype=torch.float64))
added['triplet'] = vg(lambda a, p_, n: F.triplet_margin_loss(a, p_, n), torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64))
added['triplet_swap_p1'] = vg(lambda a, p_, n: F.triplet_margin_loss(a, p_, n, 2.0, 1, 1e-6, True, None, None, 'none'), torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64))
ml = (torch.rand(3, 5) > 0.5).double()
cases['ml'] = t(ml)
added['multilabel_soft'] = vg(lambda x: F.multilabel_soft_margin_loss(x, ml), torch.randn(3, 5, dtype=torch.float64))
added['multilabel_soft_w'] = vg(lambda x: F.multilabel_soft_margin_loss(x, ml, wt, None, None, 'none'), torch.randn(3, 5, dtype=torch.float64))
mt = torch.tensor([0, 4, 2])
added['multi_margin'] = vg(lambda x: F.multi_margin_loss(x, mt), torch.randn(3, 5, dtype=torch.float64))
added['multi_margin_p2_w'] = vg(lambda x: F.multi_margin_loss(x, mt, 2, 0.5, wt, None, None, 'none'), torch.randn(3, 5, dtype=torch.float64))
added['multi_margin_1d'] = vg(lambda x: F.multi_margin_loss(x, torch.tensor(3)), torch.randn(5, dtype=torch.float64))
vv = torch.rand(3, 4, dtype=torch.float64) + 0.1
vv[0, 0] = 1e-9  # below eps: clamped, without the clamp's gradient
added['gauss'] = vg(lambda x, v: F.gaussian_nll_loss(x, b[:3, :4], v), torch.randn(3, 4, dtype=torch.float64), vv)
added['gauss_full_sum'] = vg(lambda x, v: F.gaussian_nll_loss(x, b[:3, :4], v, True, 1e-3, 'sum'), torch.randn(3, 4, dtype=torch.float64), vv[:, 0].clone())
added['gauss_hetero_none'] = vg(lambda x, v: F.gaussian_nll_loss(x, b[:3, :4], v, False, 1e-6, 'none'), torch.randn(3, 4, dtype=torch.float64), vv[:, :1].clone())
added['adaptive_avg_pool1d'] = vg(lambda x: F.adaptive_avg_pool1d(x, 4), torch.randn(2, 3, 9, dtype=torch.float64))
cases['added'] = added
# the modules over the added functions: reprs, and outputs for the added cases' inputs
nn = torch.nn
xm = torch.randn(1, 4, 6, 6, dtype=torch.float64)
cases['xm'] = t(xm)
mods = {
    'pixel_shuffle': nn.PixelShuffle(2), 'pixel_unshuffle': nn.PixelUnshuffle(3),
    'upsample_sf': nn.Upsample(scale_factor=2, mode='bilinear'), 'upsample_size': nn.Upsample(size=(5, 9)),
    'upsample_sf_tuple': nn.Upsample(scale_factor=(1.5, 2), mode='nearest-exact'),
    'up_nearest2d': nn.UpsamplingNearest2d(scale_factor=3), 'up_bilinear2d': nn.UpsamplingBilinear2d(size=(4, 7)),
    'lrn': nn.LocalResponseNorm(3), 'lrn_args': nn.LocalResponseNorm(2, 0.01, 0.5, 2.0),
    'lp2d': nn.LPPool2d(2, 3), 'lp2d_stride': nn.LPPool2d(3, (2, 3), (1, 2), True),
}
cases['modules'] = {k: {'repr': repr(m), 'y': t(m(xm))} for k, m in mods.items()}
m1 = nn.LPPool1d(2, 3, 2)
cases['modules']['lp1d'] = {'repr': repr(m1), 'y': t(m1(xm.reshape(1, 4, 36)))}
json.dump({'torch': torch.__version__, 'cases': cases}, open(os.path.join(os.path.dirname(__file__), 'functional_schema.json'), 'w'))
