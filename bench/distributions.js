#!/usr/bin/env node
// distributions.js - torch.distributions: nodetorch vs PyTorch 1.13, single-thread CPU time (process.cpuUsage /
// time.process_time), median of alternating rounds. Run: node bench/distributions.js [rounds]   (needs dist/: npx tsc)
'use strict';
const { spawnSync } = require('child_process');
const torch = require('../dist/index.js');
const D = torch.distributions;
torch.setNumThreads(1);
const rounds = Number(process.argv[2] || 5);

const cases = {
  'Normal.logProb [100000]': () => { const d = new D.Normal(torch.zeros([100000]), torch.ones([100000])); const x = torch.randn([100000]); return () => d.logProb(x); },
  'Categorical.sample [64x1000] x 100': () => { const d = new D.Categorical({ logits: torch.randn([64, 1000]) }); return () => d.sample([100]); },
  'Categorical.logProb+entropy [4096x16]': () => { const d = new D.Categorical({ logits: torch.randn([4096, 16]) }); const a = d.sample(); return () => { d.logProb(a); d.entropy(); }; },
  'Gamma.rsample [100000] (alpha=2.5)': () => { const d = new D.Gamma(torch.full([100000], 2.5), torch.ones([100000])); return () => d.rsample(); },
  'MultivariateNormal(4).logProb [1000]': () => { const d = new D.MultivariateNormal(torch.zeros([4]), { covarianceMatrix: torch.eye(4).mul(2) }); const x = torch.randn([1000, 4]); return () => d.logProb(x); },
  'Beta.logProb [100000]': () => { const d = new D.Beta(torch.full([100000], 2), torch.full([100000], 3)); const x = torch.rand([100000]); return () => d.logProb(x); },
};
const py = String.raw`
import torch, time, sys, json
import torch.distributions as D
torch.set_num_threads(1)
torch.distributions.Distribution.set_default_validate_args(True)
cases = {
  'Normal.logProb [100000]': lambda: (lambda d, x: lambda: d.log_prob(x))(D.Normal(torch.zeros(100000), torch.ones(100000)), torch.randn(100000)),
  'Categorical.sample [64x1000] x 100': lambda: (lambda d: lambda: d.sample((100,)))(D.Categorical(logits=torch.randn(64, 1000))),
  'Categorical.logProb+entropy [4096x16]': lambda: (lambda d: (lambda a: lambda: (d.log_prob(a), d.entropy()))(d.sample()))(D.Categorical(logits=torch.randn(4096, 16))),
  'Gamma.rsample [100000] (alpha=2.5)': lambda: (lambda d: lambda: d.rsample())(D.Gamma(torch.full((100000,), 2.5), torch.ones(100000))),
  'MultivariateNormal(4).logProb [1000]': lambda: (lambda d, x: lambda: d.log_prob(x))(D.MultivariateNormal(torch.zeros(4), covariance_matrix=torch.eye(4) * 2), torch.randn(1000, 4)),
  'Beta.logProb [100000]': lambda: (lambda d, x: lambda: d.log_prob(x))(D.Beta(torch.full((100000,), 2.), torch.full((100000,), 3.)), torch.rand(100000)),
}
name = sys.argv[1]; f = cases[name](); f()
reps = int(sys.argv[2]); t = time.process_time()
for _ in range(reps): f()
print(json.dumps((time.process_time() - t) / reps * 1e3))
`;
function nodeMs(name, reps) {
  const f = cases[name](); f();
  const t = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1e3 / reps;
}
function pyMs(name, reps) {
  const r = spawnSync('/usr/bin/python3', ['-c', py, name, String(reps)], { encoding: 'utf8' });
  if (r.status !== 0) return NaN;
  return JSON.parse(r.stdout.trim());
}
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log('case | nodetorch ms | PyTorch 1.13 ms (single-thread CPU time, median of ' + rounds + ' alternating rounds)');
for (const name of Object.keys(cases)) {
  const n = [], p = [];
  for (let r = 0; r < rounds; r++) { n.push(nodeMs(name, 5)); p.push(pyMs(name, 5)); }
  console.log(`${name} | ${med(n).toFixed(2)} | ${med(p).toFixed(2)}`);
}
