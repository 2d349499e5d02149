"""Reference index sequences of torch.utils.data.DistributedSampler (PyTorch 1.13) for test/distributed_sampler.test.ts.

Run: /usr/bin/python3 test/ref/gen_distributed_sampler.py  (writes test/ref/distributed_sampler.json)
"""
import hashlib
import json
import os

import torch
from torch.utils.data import DistributedSampler

cases = []
# (dataset length, num_replicas, shuffle, seed, drop_last, epochs)
grid = []
for n in [0, 1, 3, 7, 10, 12, 13, 29]:
    for nr in [1, 2, 3, 4, 5]:
        for shuffle in [False, True]:
            for drop_last in [False, True]:
                grid.append((n, nr, shuffle, 0, drop_last, [0, 1, 2]))
grid += [
    (50, 4, True, 1234, False, [0, 3, 7]),
    (50, 4, True, 1234, True, [0, 5]),
    (37, 6, True, -5, False, [0, 4]),         # negative seed (manual_seed wraps it to 64 bits)
    (100, 8, True, 2 ** 32 + 17, False, [1]),  # the Mersenne Twister takes the low 32 bits
    (2, 5, True, 3, False, [0, 1]),            # padding longer than the dataset
]
for n, nr, shuffle, seed, drop_last, epochs in grid:
    ds = list(range(n))
    per_rank = []
    for rank in range(nr):
        s = DistributedSampler(ds, num_replicas=nr, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        seqs = []
        for e in epochs:
            s.set_epoch(e)
            seqs.append(list(iter(s)))
        per_rank.append({'len': len(s), 'epochs': seqs})
    cases.append({'n': n, 'numReplicas': nr, 'shuffle': shuffle, 'seed': seed, 'dropLast': drop_last,
                  'epochs': epochs, 'ranks': per_rank})

# a large dataset: rank 3 of 7, epoch 2, as a digest of the index sequence (plus its head and tail)
n, nr, rank = 100003, 7, 3
s = DistributedSampler(list(range(n)), num_replicas=nr, rank=rank, shuffle=True, seed=42)
s.set_epoch(2)
big = list(iter(s))
large = {'n': n, 'numReplicas': nr, 'rank': rank, 'seed': 42, 'epoch': 2, 'len': len(s),
         'sha256': hashlib.sha256(','.join(map(str, big)).encode()).hexdigest(), 'head': big[:20], 'tail': big[-20:]}

# torch.randperm(n, generator=g.manual_seed(seed)) itself, the permutation the sampler shuffles with
perms = []
for n, seed in [(1, 0), (2, 0), (10, 0), (10, 1), (17, 99), (1000, 7)]:
    g = torch.Generator()
    g.manual_seed(seed)
    perms.append({'n': n, 'seed': seed, 'perm': torch.randperm(n, generator=g).tolist()})

out = {'torch': torch.__version__, 'cases': cases, 'large': large, 'randperm': perms}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'distributed_sampler.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print(len(cases), 'cases')
