// inplace_functions.ts - the torch.* function forms of in-place Tensor methods that PyTorch exports (torch.relu_(x),
// torch.abs_(x), torch.clamp_(x, min, max), ...): each calls the Tensor method, whose schema row parses the rest of
// the arguments, positionally or in the options object; the input may also be given as `{ input, ...options }`.
// (The method form is the schema's in-place variant: one implementation, no second parser.)
import { Tensor } from '../tensor';

// the method's argument lists, every overload's (up to six: a conditional type over an overloaded function sees its
// overloads in this pattern; a method with fewer repeats them)
type Overloads<F> = F extends {
  (...a: infer A1): unknown; (...a: infer A2): unknown; (...a: infer A3): unknown; (...a: infer A4): unknown; (...a: infer A5): unknown;
  (...a: infer A6): unknown;
} ? A1 | A2 | A3 | A4 | A5 | A6 : never;
type Method<K extends keyof Tensor> = Overloads<Tensor[K]>;
/** torch.name_(input, ...the method's arguments) or torch.name_({ input, ...options }) */
export interface InplaceFunction<K extends keyof Tensor> {
  (input: Tensor, ...args: Method<K>): Tensor;
  (opts: { input: Tensor } & Record<string, unknown>): Tensor;
}
function fnForm<K extends keyof Tensor>(name: K): InplaceFunction<K> {
  const f = (...args: unknown[]): Tensor => {
    let input = args[0];
    let rest = args.slice(1);
    if (args.length === 1 && input !== null && typeof input === 'object' && !(input instanceof Tensor)) {
      const { input: x, ...opts } = input as { input?: unknown };
      input = x;
      rest = Object.keys(opts).length ? [opts] : [];
    }
    if (!(input instanceof Tensor)) {
      throw new TypeError(`${String(name)}(): argument 'input' (position 1) must be Tensor, not ${input === null ? 'null' : typeof input}`);
    }
    return (input[name] as unknown as (...a: unknown[]) => Tensor)(...rest);
  };
  return f as InplaceFunction<K>;
}
export const abs_ = fnForm('abs_'), acos_ = fnForm('acos_'), acosh_ = fnForm('acosh_'), addmv_ = fnForm('addmv_'), arccos_ = fnForm('arccos_');
export const arccosh_ = fnForm('arccosh_'), arcsin_ = fnForm('arcsin_'), arcsinh_ = fnForm('arcsinh_'), arctan_ = fnForm('arctan_');
export const arctanh_ = fnForm('arctanh_'), asin_ = fnForm('asin_'), asinh_ = fnForm('asinh_'), atan_ = fnForm('atan_'), atanh_ = fnForm('atanh_');
export const ceil_ = fnForm('ceil_'), clamp_ = fnForm('clamp_'), clampMax_ = fnForm('clampMax_'), clampMin_ = fnForm('clampMin_'), clip_ = fnForm('clip_');
export const cos_ = fnForm('cos_'), cosh_ = fnForm('cosh_'), deg2rad_ = fnForm('deg2rad_'), erf_ = fnForm('erf_'), erfc_ = fnForm('erfc_');
export const exp2_ = fnForm('exp2_'), exp_ = fnForm('exp_'), expm1_ = fnForm('expm1_'), fix_ = fnForm('fix_'), floor_ = fnForm('floor_');
export const frac_ = fnForm('frac_'), gcd_ = fnForm('gcd_'), i0_ = fnForm('i0_'), lcm_ = fnForm('lcm_'), ldexp_ = fnForm('ldexp_');
export const log10_ = fnForm('log10_'), log1p_ = fnForm('log1p_'), log2_ = fnForm('log2_'), log_ = fnForm('log_'), logit_ = fnForm('logit_');
export const nanToNum_ = fnForm('nanToNum_'), neg_ = fnForm('neg_'), negative_ = fnForm('negative_'), rad2deg_ = fnForm('rad2deg_');
export const reciprocal_ = fnForm('reciprocal_'), relu_ = fnForm('relu_'), round_ = fnForm('round_'), rsqrt_ = fnForm('rsqrt_');
export const sigmoid_ = fnForm('sigmoid_'), sin_ = fnForm('sin_'), sinc_ = fnForm('sinc_'), sinh_ = fnForm('sinh_'), sqrt_ = fnForm('sqrt_');
export const square_ = fnForm('square_'), tan_ = fnForm('tan_'), tanh_ = fnForm('tanh_'), trunc_ = fnForm('trunc_'), xlogy_ = fnForm('xlogy_');
export const zero_ = fnForm('zero_'), fill_ = fnForm('fill_'), detach_ = fnForm('detach_');
