// pickle.ts - a RESTRICTED unpickler: it understands the data-only subset of Python's pickle (protocols 2-5) that
// torch.save writes for state dicts and plain containers, and never runs code from the file. A GLOBAL/STACK_GLOBAL
// is accepted only when its name is in the allowlist (the caller decides what each allowed callable builds), REDUCE
// may only call such an allowed global, BUILD may only set attributes of a dict, and any other opcode is refused with
// a TorchError naming it. Python dicts come back as PyDict (insertion-ordered, any keys), tuples and lists as arrays.
import { TorchError } from '../errors';

export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** attributes set by BUILD (an OrderedDict state dict's `_metadata`) */
  attrs: Record<string, unknown> | null = null;
  constructor(readonly ordered = false) {}
}
/** An allowlisted global ('module.name'), as it sits on the stack before REDUCE calls it. */
export class PyGlobal { constructor(readonly name: string) {} }

export interface UnpickleHooks {
  /** allowed globals ('collections.OrderedDict', ...): REDUCE calls this with the argument tuple */
  globals: Record<string, ((args: unknown[]) => unknown) | null>;
  /** a constant global (a dtype, say) may be given a value directly */
  constants?: Record<string, unknown>;
  /** BINPERSID: the persistent id (e.g. ('storage', type, key, location, numel)) -> the object */
  persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');

const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Unpickles `data` under the restrictions above; `what` names the source in error messages. */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks, what: string): unknown {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const fail = (msg: string): never => { throw new TorchError(`torch.load: ${what}: ${msg}`); };
  const need = (n: number): void => { if (pos + n > buf.length) fail(`the pickle is truncated (needs ${n} more bytes at offset ${pos})`); };
  const u8 = (): number => { need(1); return buf[pos++]; };
  const u16 = (): number => { need(2); const v = buf.readUInt16LE(pos); pos += 2; return v; };
  const i32 = (): number => { need(4); const v = buf.readInt32LE(pos); pos += 4; return v; };
  const u32 = (): number => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = buf.readBigUInt64LE(pos); pos += 8;
    if (v > BigInt(buf.length)) fail(`a length of ${v} bytes at offset ${pos - 8} is longer than the pickle`);
    return Number(v);
  };
  const str = (n: number): string => { need(n); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
  const line = (): string => {
    const e = buf.indexOf(0x0a, pos);
    if (e < 0) fail('the pickle is truncated (unterminated GLOBAL name)');
    const s = buf.toString('utf8', pos, e);
    pos = e + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) fail(`stack underflow at offset ${pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => { if (!stack.length) fail(`stack underflow at offset ${pos - 1}`); return stack[stack.length - 1]; };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail(`MARK expected before offset ${pos - 1}`);
    return stack.splice(m as number);
  };
  const long = (n: number): number | bigint => {
    need(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]);
    if (buf[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    pos += n;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (mod: string, name: string): unknown => {
    const full = `${mod}.${name}`;
    if (hooks.constants && Object.prototype.hasOwnProperty.call(hooks.constants, full)) return hooks.constants[full];
    if (!Object.prototype.hasOwnProperty.call(hooks.globals, full)) {
      fail(`the pickle refers to the Python global '${full}', which the restricted loader does not allow (it never runs code ` +
        'from a file; it reads tensors, state dicts and plain containers of numbers, strings, lists, tuples and dicts)');
    }
    return new PyGlobal(full);
  };
  const setItem = (d: unknown, k: unknown, v: unknown): void => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(d)}, not a dict`);
    (d as PyDict).map.set(k, v);
  };
  const append = (l: unknown, vs: unknown[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on a ${typeName(l)}, not a list`);
    (l as unknown[]).push(...vs);
  };

  for (;;) {
    if (pos >= buf.length) fail('the pickle ended without STOP (truncated)');
    const op = buf[pos++];
    switch (op) {
      case 0x80: { const v = u8(); if (v > 5) fail(`unsupported pickle protocol ${v}`); break; } // PROTO
      case 0x95: u64(); break; // FRAME (framing is only a read-ahead hint)
      case 0x2e: { // STOP
        const r = pop();
        return r;
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x58: stack.push(str(u32())); break; // BINUNICODE
      case 0x8c: stack.push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(str(u64())); break; // BINUNICODE8
      case 0x43: { const n = u8(); need(n); stack.push(Uint8Array.prototype.slice.call(buf, pos, pos + n)); pos += n; break; } // SHORT_BINBYTES
      case 0x42: { const n = u32(); need(n); stack.push(Uint8Array.prototype.slice.call(buf, pos, pos + n)); pos += n; break; } // BINBYTES
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(long(u8())); break; // LONG1
      case 0x8b: { const n = u32(); stack.push(long(n)); break; } // LONG4
      case 0x47: { need(8); stack.push(buf.readDoubleBE(pos)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x73: { const v = pop(), k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const vs = popMark(); append(top(), vs); break; } // APPENDS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} is not defined (BINGET at offset ${pos - 2})`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const mod = line(); const name = line(); stack.push(global(mod, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(mod as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), fn = pop();
        if (!(fn instanceof PyGlobal)) fail(`REDUCE can only call an allowed global, not a ${typeName(fn)}`);
        if (!Array.isArray(args)) fail(`REDUCE arguments must be a tuple, got a ${typeName(args)}`);
        const impl = hooks.globals[(fn as PyGlobal).name];
        if (!impl) fail(`the Python global '${(fn as PyGlobal).name}' cannot be called`);
        stack.push((impl as (a: unknown[]) => unknown)(args as unknown[]));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict && state instanceof PyDict) {
          obj.attrs = obj.attrs || {};
          for (const [k, v] of state.map) obj.attrs[String(k)] = v;
        } else if (obj instanceof PyDict && state === null) {
          /* nothing to set */
        } else fail(`BUILD can only set the attributes of a dict, not of a ${typeName(obj)}`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail('the pickle refers to external data (BINPERSID) but none is available');
        stack.push((hooks.persistentLoad as (p: unknown) => unknown)(pid));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${OPNAMES[op] ? ` (${OPNAMES[op]})` : ''} at offset ${pos - 1}; ` +
          'the restricted loader reads only the data subset of pickle that torch.save writes for tensors and state dicts');
    }
  }
}

export function typeName(x: unknown): string {
  if (x === null) return 'None';
  if (Array.isArray(x)) return 'tuple/list';
  if (x instanceof PyDict) return 'dict';
  if (x instanceof PyGlobal) return `global ${x.name}`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}
