// backward_hooks.test.ts - nn.Module's registerFullBackwardHook / registerFullBackwardPreHook / registerBackwardHook
// (lib/nn/backward_hook.ts, lib/nn/module.ts): the gradInput / gradOutput each hook sees, the order hooks run in and
// the leaves' gradients, against PyTorch 1.13's (test/ref/backward_hooks.json, from test/ref/gen_backward_hooks.py);
// the pre-hook (PyTorch 2.0) and the errors as PyTorch's code defines them.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { nn, Tensor } from '../lib';

type Nested = number | Nested[];
interface Call { name: string; gradInput: (Nested | null)[]; gradOutput: (Nested | null)[] }
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/backward_hooks.json'), 'utf8'));

function close(got: unknown, want: unknown, where: string): void {
  if (want === null) { expect([where, got]).toEqual([where, null]); return; }
  if (Array.isArray(want)) {
    expect([where, Array.isArray(got) && got.length]).toEqual([where, want.length]);
    want.forEach((w, i) => close((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  if (Math.abs((got as number) - (want as number)) > 1e-5 + 1e-5 * Math.abs(want as number)) throw new Error(`${where}: got ${String(got)}, expected ${String(want)}`);
}
const val = (t: Tensor | null): Nested | null => (t === null ? null : (t.tolist() as Nested));

function lin(i: number, o: number, k: number): nn.Linear {
  const m = new nn.Linear(i, o);
  torch.noGrad(() => {
    m.weight.copy_(torch.arange(i * o, { dtype: 'float32' }).reshape([o, i]).sub(k).div(7));
    m.bias.copy_(torch.arange(o, { dtype: 'float32' }).sub(0.5 * k).div(5));
  });
  return m;
}
const X = (): Tensor => torch.tensor([[1.0, -2.0, 0.5], [0.25, 1.5, -1.0]], { requiresGrad: true });
const C = (): Tensor => torch.tensor([[1.0, 2.0], [-1.0, 0.5]]);

let calls: Call[] = [];
const rec = (name: string) => (_m: nn.Module, gi: readonly (Tensor | null)[], go: readonly (Tensor | null)[]): void => {
  calls.push({ name, gradInput: gi.map(val), gradOutput: go.map(val) });
};
beforeEach(() => { calls = []; });

describe('registerFullBackwardHook: values from PyTorch 1.13', () => {
  test('Linear: gradInput is the input gradient, gradOutput the output gradient; once per backward', () => {
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook(rec('linear'));
    const x = X();
    const y = m.call(x);
    expect(y.gradFn?.name).toBe('BackwardHookFunctionBackward');
    y.mul(C()).sum().backward();
    close(calls, REF.linear.calls, 'calls');
    close(x.grad?.tolist(), REF.linear.xGrad, 'x.grad');
    close(m.weight.grad?.tolist(), REF.linear.wGrad, 'weight.grad');
    close(m.bias.grad?.tolist(), REF.linear.bGrad, 'bias.grad');
  });

  test('Sequential: the hooks of the container and of its children, in PyTorch\'s order', () => {
    const seq = new nn.Sequential(lin(3, 4, 3), new nn.Tanh(), lin(4, 2, 5));
    seq.registerFullBackwardHook(rec('seq'));
    (seq.get(0) as nn.Linear).registerFullBackwardHook(rec('seq.0'));
    (seq.get(2) as nn.Linear).registerFullBackwardHook(rec('seq.2'));
    const x = X();
    seq.call(x).mul(C()).sum().backward();
    expect(calls.map((c) => c.name)).toEqual(['seq.2', 'seq.0', 'seq']);
    close(calls, REF.sequential.calls, 'calls');
    close(x.grad?.tolist(), REF.sequential.xGrad, 'x.grad');
    close((seq.get(0) as nn.Linear).weight.grad?.tolist(), REF.sequential.w0Grad, 'seq.0.weight.grad');
  });

  test('two tensor inputs and a number, two outputs: null for the number and the unused output, zeros for an input without grad', () => {
    class Two extends nn.Module {
      forward(a: Tensor, b: Tensor, s: number): [Tensor, Tensor] { return [a.mul(b).add(a.mul(s)), b.sum()]; }
    }
    const two = new Two();
    two.registerFullBackwardHook(rec('two'));
    const a = torch.tensor([1.0, 2.0, -0.5], { requiresGrad: true });
    const b = torch.tensor([3.0, 4.0, 0.25]);
    let [y] = two.call(a, b, 2.0);
    y.mul(torch.tensor([1.0, -1.0, 2.0])).sum().backward();
    b.requiresGrad_();
    [y] = two.call(a, b, 2.0);
    y.mul(torch.tensor([1.0, -1.0, 2.0])).sum().backward();
    close(calls, REF.two.calls, 'calls');
    close(a.grad?.tolist(), REF.two.aGrad, 'a.grad');
    close(b.grad?.tolist(), REF.two.bGrad, 'b.grad');
  });

  test('a hook that returns gradInput replaces it: later hooks and the leaves get the new one', () => {
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook((_m, gi) => [(gi[0] as Tensor).mul(2)]);
    m.registerFullBackwardHook(rec('replaced'));
    const x = X();
    m.call(x).mul(C()).sum().backward();
    close(calls, REF.replace.calls, 'calls');
    close(x.grad?.tolist(), REF.replace.xGrad, 'x.grad');
    close(m.weight.grad?.tolist(), REF.replace.wGrad, 'weight.grad');
  });

  test('no input requires grad: the hook runs with gradInput [null]; returning a gradient then is an error', () => {
    class Scale extends nn.Module {
      w = new nn.Parameter(torch.tensor([1.0, 2.0], { dtype: 'float32' }));
      forward(x: Tensor): Tensor { return x.mul(this.w); }
    }
    const s = new Scale();
    const h = s.registerFullBackwardHook(rec('noInputGrad'));
    s.call(torch.tensor([3.0, 4.0], { dtype: 'float32' })).sum().backward();
    close(calls, REF.noInputGrad.calls, 'calls');
    close(s.w.grad?.tolist(), REF.noInputGrad.wGrad, 'w.grad');
    h.remove();
    s.registerFullBackwardHook(() => [torch.ones([2])]);
    expect(() => s.call(torch.tensor([3.0, 4.0], { dtype: 'float32' })).sum().backward()).toThrow(torch.TorchError);
    expect(() => s.call(torch.tensor([3.0, 4.0], { dtype: 'float32' })).sum().backward()).toThrow('Backward hook for Modules where no input requires gradient should always return None or None for all gradients.');
  });
});

describe('registerFullBackwardHook: handles, modes and errors', () => {
  test('remove() stops the hook; no hook: no wrapper node', () => {
    const m = lin(3, 2, 2);
    const h = m.registerFullBackwardHook(rec('a'));
    m.call(X()).sum().backward();
    h.remove();
    m.call(X()).sum().backward();
    expect(calls.length).toBe(1);
    expect(m.call(X()).gradFn?.name).toBe('AddmmBackward0');
  });

  test('under noGrad nothing is wrapped; autograd.grad runs the hooks too', () => {
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook(rec('g'));
    const y0 = torch.noGrad(() => m.call(X()));
    expect(y0.gradFn).toBeNull();
    const x = X();
    const [gx] = torch.autograd.grad([m.call(x).mul(C()).sum()], [x]);
    close(gx.tolist(), REF.linear.xGrad, 'grad');
    close(calls, REF.linear.calls.map((c: Call) => ({ ...c, name: 'g' })), 'calls');
  });

  test('retainGraph: a second backward runs the hooks again; an Identity module sees its gradient pass through', () => {
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook(rec('r'));
    const x = X();
    const y = m.call(x).mul(C()).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(calls.length).toBe(2);
    close(calls[1], REF.linear.calls[0], 'second call');
    close(x.grad?.tolist(), (REF.linear.xGrad as number[][]).map((r) => r.map((v) => 2 * v)), 'x.grad (two passes)');
    calls = [];
    const id = new nn.Identity();
    id.registerFullBackwardHook(rec('id'));
    const z = X();
    id.call(z).mul(3).sum().backward();
    const three = [[3, 3, 3], [3, 3, 3]];
    close(calls, [{ name: 'id', gradInput: [three], gradOutput: [three] }], 'identity');
    close(z.grad?.tolist(), three, 'z.grad');
  });

  test('in-place on a wrapped input or output is PyTorch\'s error', () => {
    class AddOne extends nn.Module { forward(x: Tensor): Tensor { return x.add_(1); } }
    const ip = new AddOne();
    ip.registerFullBackwardHook(rec('ip'));
    const x = torch.tensor([1.0, 2.0], { dtype: 'float32', requiresGrad: true });
    const msg = 'Output 0 of BackwardHookFunctionBackward is a view and is being modified inplace. This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.';
    expect(() => ip.call(x.mul(1))).toThrow(msg);
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook(rec('m'));
    const y = m.call(X());
    expect(() => y.add_(1)).toThrow(torch.TorchError);
    expect(() => y.add_(1)).toThrow(msg);
    expect(y.clone().add_(1).shape).toEqual([2, 2]);
  });

  test('a non-tensor output (an object) is not wrapped: the hook does not run, as in PyTorch', () => {
    class D extends nn.Module { forward(x: Tensor): { a: Tensor } { return { a: x.mul(2) }; } }
    const d = new D();
    d.registerFullBackwardHook(rec('d'));
    const r = d.call(torch.tensor([1.0, 2.0], { dtype: 'float32', requiresGrad: true }));
    expect(r.a.gradFn?.name).toBe('MulBackward0');
    r.a.sum().backward();
    expect(calls).toEqual([]);
  });

  test('a wrong number of gradients, a wrong shape, and both hook kinds are errors', () => {
    const m = lin(3, 2, 2);
    m.registerFullBackwardHook((_m, gi) => [gi[0], gi[0]]);
    expect(() => m.call(X()).sum().backward()).toThrow('Backward hook returned an invalid number of grad_input, got 2, but expected 1');
    const m2 = lin(3, 2, 2);
    m2.registerFullBackwardHook(() => [torch.ones([3])]);
    expect(() => m2.call(X()).sum().backward()).toThrow(/returned an invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2, 3\]/);
    expect(() => m.registerBackwardHook(() => undefined)).toThrow('Cannot use both regular backward hooks and full backward hooks on a single Module. Please use only one of them.');
    const m3 = lin(3, 2, 2);
    m3.registerBackwardHook(() => undefined);
    expect(() => m3.registerFullBackwardHook(() => undefined)).toThrow(torch.TorchError);
    expect(() => m3.registerFullBackwardHook(5 as never)).toThrow(TypeError);
  });
});

describe('registerFullBackwardPreHook (PyTorch 2.0)', () => {
  test('sees gradOutput before the module\'s backward; a returned array replaces it', () => {
    const m = lin(3, 2, 2);
    const seen: (Tensor | null)[][] = [];
    const h = m.registerFullBackwardPreHook((_m, go) => { seen.push([...go]); return [(go[0] as Tensor).mul(3)]; });
    m.registerFullBackwardHook(rec('after'));
    const x = X();
    m.call(x).mul(C()).sum().backward();
    close(seen.map((s) => s.map(val)), [REF.linear.calls[0].gradOutput], 'pre gradOutput');
    // the full hook sees the replaced gradOutput, and every gradient is three times PyTorch's
    const triple = (v: Nested): Nested => (Array.isArray(v) ? v.map(triple) : v * 3);
    close(calls[0].gradOutput, REF.linear.calls[0].gradOutput.map(triple), 'gradOutput');
    close(x.grad?.tolist(), triple(REF.linear.xGrad), 'x.grad');
    close(m.weight.grad?.tolist(), triple(REF.linear.wGrad), 'weight.grad');
    h.remove();
    x.grad = null;
    m.call(x).mul(C()).sum().backward();
    close(x.grad?.tolist(), REF.linear.xGrad, 'x.grad after remove');
    m.registerFullBackwardPreHook(() => [null, null]);
    expect(() => m.call(X()).sum().backward()).toThrow('Backward pre hook returned an invalid number of grad_output, got 2, but expected 1');
  });
});

describe('registerBackwardHook (deprecated)', () => {
  test('runs on the output node with that node\'s gradients, and warns as PyTorch', () => {
    const m = lin(3, 2, 2);
    const got: { gi: (Tensor | null)[]; go: (Tensor | null)[] }[] = [];
    m.registerBackwardHook((_m, gi, go) => { got.push({ gi: [...gi], go: [...go] }); });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const x = X();
      m.call(x).mul(C()).sum().backward();
      expect(warn.mock.calls.map((c) => c[0])).toEqual(['Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated and will be removed in future versions. This hook will be missing some grad_input. Please use register_full_backward_hook to get the documented behavior.']);
    } finally { warn.mockRestore(); }
    expect(got.length).toBe(1);
    close(got[0].go.map(val), [[[1, 2], [-1, 0.5]]], 'gradOutput');
    // among the node's input gradients: the input's (PyTorch's AddmmBackward0 gives (bias, input, weight.t()))
    expect(got[0].gi.some((g) => g !== null && JSON.stringify(g.shape) === '[2,3]')).toBe(true);
  });
});
