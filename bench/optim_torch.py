# optim_torch.py - the PyTorch half of bench/optim.js: Adam's per-step time over the same mixed-size parameters,
# foreach (_multi_tensor_adam) and for-loop (_single_tensor_adam), on the CPU with the same thread count (and on
# CUDA when asked and present). Prints one JSON object.
# Usage: /usr/bin/python3 bench/optim_torch.py THREADS REPS DEVICE SIZES(comma-separated)
import json, sys, time
import torch

threads, reps, device = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sizes = [int(x) for x in sys.argv[4].split(',')]
torch.set_num_threads(threads)
torch.manual_seed(0)
sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)

def step_ms(foreach):
    ps = [torch.randn(n, device=device, requires_grad=True) for n in sizes]
    for p in ps: p.grad = torch.randn(p.numel(), device=device)
    opt = torch.optim.Adam(ps, lr=1e-3, foreach=foreach)
    for _ in range(3): opt.step()
    sync()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); opt.step(); sync(); ts.append(time.perf_counter() - t)
    ts.sort()
    return [ts[len(ts) // 2] * 1e3, ts[0] * 1e3]

print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'foreach_ms': step_ms(True), 'loop_ms': step_ms(False)}))
