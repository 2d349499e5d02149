# gen_matmul_bf16.py - PyTorch 1.13's CPU bfloat16 matmul family on fixed inputs -> matmul_bf16.json, for
# test/matmul_bf16.test.ts (the AVX512-BF16 kernel, native/cpu/gemm_bf16.cc). Inputs are the test's 32-bit LCG values
# rounded to bfloat16 (round to nearest even on both sides); results are stored as float32 values of bfloat16 outputs.
# Regenerate: /usr/bin/python3 test/ref/gen_matmul_bf16.py
import json, os
import torch

def lcg(seed, n):
    x = (seed * 2654435761 + 12345) & 0xFFFFFFFF
    out = []
    for _ in range(n):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append((x >> 8) / 16777216 - 0.5)
    return out

def make(shape, seed, scale=4.0):
    n = 1
    for s in shape: n *= s
    return (torch.tensor(lcg(seed, n), dtype=torch.float32) * scale).reshape(shape).bfloat16()

cases = []
def add(name, fn, specs, **kw):
    xs = [make(s, seed) for s, seed in specs]
    out = fn(*xs)
    cases.append({'name': name, 'inputs': [{'shape': list(s), 'seed': seed} for s, seed in specs],
                  'kw': kw, 'shape': list(out.shape), 'values': out.float().flatten().tolist()})

add('mm 64x96 @ 96x80', torch.mm, [((64, 96), 1), ((96, 80), 2)])
add('mm 33x1027 @ 1027x45 (odd k, two k blocks)', torch.mm, [((33, 1027), 3), ((1027, 45), 4)])
add('mm 130x200 @ 200x70 (row blocks, column tail)', torch.mm, [((130, 200), 5), ((200, 70), 6)])
add('matmul batch 3x20x64 @ 64x50 (shared B)', torch.matmul, [((3, 20, 64), 7), ((64, 50), 8)])
add('bmm 2x40x33 @ 2x33x41', torch.bmm, [((2, 40, 33), 9), ((2, 33, 41), 10)])
add('mm transposed A and B', lambda a, b: torch.mm(a.t(), b.t()), [((96, 64), 11), ((80, 96), 12)])
add('addmm beta 0.5 alpha 2', lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0),
    [((64, 80), 13), ((64, 96), 14), ((96, 80), 15)], beta=0.5, alpha=2.0)
add('linear 50x300 -> 70 with bias', torch.nn.functional.linear, [((50, 300), 16), ((70, 300), 17), ((70,), 18)])

json.dump({'torch': torch.__version__, 'cases': cases},
          open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'matmul_bf16.json'), 'w'))
print(len(cases), 'cases')
