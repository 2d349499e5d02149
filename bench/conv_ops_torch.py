# conv_ops_torch.py - the PyTorch half of bench/conv_ops.js: conv2d float32 forward / input gradient / weight gradient
# in single-thread CPU time (time.process_time), best of REPS, as one JSON object {"shape|op": ms}.
# Usage: /usr/bin/python3 bench/conv_ops_torch.py REPS SHAPES_JSON [OPS: fwd,bwd_in,bwd_w]
import json, sys, time
import torch
import torch.nn.functional as F
reps, shapes = int(sys.argv[1]), json.loads(sys.argv[2])
ops = (sys.argv[3] if len(sys.argv) > 3 else 'fwd,bwd_in,bwd_w').split(',')
torch.set_num_threads(1)
torch.manual_seed(0)
def best(fn):
    fn()
    b = float('inf')
    for _ in range(reps):
        t = time.process_time(); fn(); b = min(b, time.process_time() - t)
    return b * 1000
res = {}
for name, xs, oc, k, s, p in shapes:
    x, w, b = torch.randn(xs), torch.randn(oc, xs[1], k, k), torch.randn(oc)
    def fwd():
        with torch.no_grad(): F.conv2d(x, w, b, stride=s, padding=p)
    if 'fwd' in ops: res[name + '|fwd'] = best(fwd)
    xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
    yx = F.conv2d(xg, w, b, stride=s, padding=p)
    gy = torch.randn(yx.shape)
    if xs[1] > 1 and 'bwd_in' in ops: res[name + '|bwd_in'] = best(lambda: torch.autograd.grad([yx], [xg], [gy], retain_graph=True))
    yw = F.conv2d(x, wg, None, stride=s, padding=p)
    if 'bwd_w' in ops: res[name + '|bwd_w'] = best(lambda: torch.autograd.grad([yw], [wg], [gy], retain_graph=True))
print(json.dumps(res))
