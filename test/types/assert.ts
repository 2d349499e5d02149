// assert.ts - type-level assertions for the declaration tests (compiled with tsc --strict --noEmit by
// test/types.test.ts). `expectType<Expected>()(value)` fails to compile unless value's type is exactly Expected.
type Exact<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
export function expectType<Expected>(): <Actual>(value: Actual & (Exact<Actual, Expected> extends true ? unknown : never)) => void {
  return () => undefined;
}
