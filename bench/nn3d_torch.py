# nn3d_torch.py - PyTorch CPU side of bench/nn3d.js: the same cases, single thread, CPU time (time.process_time)
# per call, median of reps; prints one JSON object {case: seconds}.
import json, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5

def med(fn):
    fn()
    ts = []
    for _ in range(reps):
        t = time.process_time(); fn(); ts.append(time.process_time() - t)
    ts.sort()
    return ts[len(ts) // 2]

torch.manual_seed(0)
x = torch.randn(4, 16, 16, 32, 32)
w = torch.randn(32, 16, 3, 3, 3)
xg = x.clone().requires_grad_(); wg = w.clone().requires_grad_()
xt = torch.randn(4, 32, 8, 16, 16)
wt = torch.randn(32, 16, 3, 3, 3)
lp = torch.randn(100, 16, 30).log_softmax(2)
lpg = lp.clone().requires_grad_()
tg = torch.randint(1, 30, (16, 30))
il = torch.full((16,), 100, dtype=torch.long); tl = torch.randint(10, 30, (16,))
def conv_bwd():
    y = F.conv3d(xg, wg, None, 1, 1); torch.autograd.grad(y.sum(), [xg, wg])
def ctc_bwd():
    l = F.ctc_loss(lpg, tg, il, tl); torch.autograd.grad(l, [lpg])
out = {
    'conv3d fwd [4,16,16,32,32] * [32,16,3,3,3] pad 1': med(lambda: F.conv3d(x, w, None, 1, 1)),
    'conv3d fwd+bwd': med(conv_bwd),
    'conv_transpose3d fwd [4,32,8,16,16] stride 2': med(lambda: F.conv_transpose3d(xt, wt, None, 2, 1, 1)),
    'avg_pool3d fwd k3 s2 p1': med(lambda: F.avg_pool3d(x, 3, 2, 1)),
    'ctc_loss fwd+bwd T100 N16 C30 S30': med(ctc_bwd),
}
print(json.dumps(out))
