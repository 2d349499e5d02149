// addon.cc - the narrow N-API surface of nodetorch (in the manner of tfjs-node's binding):
//   alloc/wrap/free/read/write storages, run(opId, ...storages) over tensor views described in a shared
//   Float64Array ("meta"), plus a few queries. Every C++ failure becomes a JS exception; nothing aborts.
//
// Note [basic finalizers]: storages are napi externals whose finalizer only frees native memory.
// Built with NAPI_EXPERIMENTAL it is a "basic" finalizer, which Node runs inside the GC itself. A default
// finalizer would be deferred to the event loop, so a synchronous training loop would never free anything.
#include <napi.h>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>
#include "../core/device.h"
#include "../core/dispatch.h"
#include "../cpu/cpu.h"

using namespace nt;
namespace nt { void register_store(Napi::Env env, Napi::Object exports); }  // store_napi.cc
namespace nt { void register_nccl(Napi::Env env, Napi::Object exports); }   // nccl_napi.cc

namespace {

constexpr int kMetaPerTensor = 36;  // dtype, ndim, offset, shape[16], stride[16], (pad)
constexpr int kMetaAttrBase = kMaxTensors * kMetaPerTensor;
constexpr int kMetaSize = kMetaAttrBase + 1 + kMaxAttrs;

// Per-environment state: the main thread and every worker_thread load the addon into their own napi_env, each
// with its own meta buffer, so the pointer lives in the env's instance data, never in a global.
struct EnvData {
  double* meta = nullptr;
  napi_ref meta_ref = nullptr;
};
EnvData* env_data(Napi::Env env) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (!d) {
    d = new EnvData();
    env.SetInstanceData<EnvData>(d);  // deleted by node-addon-api's default finalizer when the env goes away
  }
  return d;
}

// Note [tensor tokens]: every JS Tensor holds a token whose basic finalizer decrements the live-tensor count of
// its device, so torch.memory().tensors is exact inside a synchronous loop too (a FinalizationRegistry callback
// would wait for the event loop); dispose() releases it at once. A tensor made by alloc(..., counted) - the fresh
// output of an op, by far the most common tensor - uses its storage's own external as its token (the count lives in
// Storage::tok), which saves a second external and a second N-API call per op; the JS side gives such a tensor a
// token of its own if it ever lets go of that storage (Tensor._setData). Views get tokens from token().
std::atomic<int64_t> g_tensor_count[2];
static_assert(offsetof(Storage, tok) == 0, "a storage external must start with its tensor count");

inline void uncount(TensorCount* t) {
  if (t->live) { g_tensor_count[t->dev] -= 1; t->live = false; }
}

void free_storage_memory(Storage* s) {
  if (!s->data) return;
  if (s->owned) {
    if (s->pinned) cuda_hooks().host_free(s->data);
    else if (s->device == DeviceType::CPU) cpu_free(s->data, s->nbytes);
    else cuda_hooks().free(s->data, s->nbytes, s->device_index);
    mem_counters(s->device).bytes -= (int64_t)s->nbytes;
  }
  mem_counters(s->device).count -= 1;
  s->data = nullptr;
}

// what a storage is reported to V8 as: the bytes its block really holds (a CPU block is rounded up to its size
// class or to whole pages, device.cc), so that V8's external-memory pressure, which schedules the collections that
// free unreachable tensors, sees what the process holds
static int64_t external_bytes(const Storage* s) {
  return (int64_t)(s->device == DeviceType::CPU ? cpu_block_bytes(s->nbytes) : s->nbytes);
}

void finalize_storage(node_api_basic_env env, void* data, void* /*hint*/) {
  Storage* s = static_cast<Storage*>(data);
  bool owned = s->owned && s->data;  // CPU and CUDA bytes alike count as V8 external memory (Note [device bytes to V8])
  int64_t n = external_bytes(s);
  free_storage_memory(s);
  if (owned) {
    int64_t adj;
    napi_adjust_external_memory(env, -n, &adj);
  }
  uncount(&s->tok);
  delete s;
}

Napi::Value make_external(Napi::Env env, Storage* s) {
  napi_value v;
  napi_status st = napi_create_external(env, s, finalize_storage, nullptr, &v);
  if (st != napi_ok) {
    free_storage_memory(s);
    delete s;
    throw Napi::Error::New(env, "nodetorch: napi_create_external failed");
  }
  return Napi::Value(env, v);
}

Storage* get_storage(const Napi::Value& v) {
  if (!v.IsExternal()) throw TorchError("internal: expected a storage handle");
  return v.As<Napi::External<Storage>>().Data();
}

void finalize_token(node_api_basic_env, void* data, void*) {
  TensorCount* t = static_cast<TensorCount*>(data);
  uncount(t);
  delete t;
}

Napi::Value NewToken(const Napi::CallbackInfo& info) {
  int dev = info[0].As<Napi::Number>().Int32Value() == 1 ? 1 : 0;
  TensorCount* t = new TensorCount{dev, true};
  napi_value v;
  if (napi_create_external(info.Env(), t, finalize_token, nullptr, &v) != napi_ok) {
    delete t;
    throw Napi::Error::New(info.Env(), "nodetorch: napi_create_external failed");
  }
  g_tensor_count[dev] += 1;
  return Napi::Value(info.Env(), v);
}

// tokenSet(token, dev): dev 0/1 moves the count to that device; -1 releases it (dispose). The token may be a
// token() or a counted storage: both externals point at a TensorCount.
Napi::Value TokenSet(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw TorchError("internal: expected a tensor token");
  TensorCount* t = static_cast<TensorCount*>(info[0].As<Napi::External<void>>().Data());
  int dev = info[1].As<Napi::Number>().Int32Value();
  if (t->live) {
    g_tensor_count[t->dev] -= 1;
    if (dev >= 0) { t->dev = dev == 1 ? 1 : 0; g_tensor_count[t->dev] += 1; }
    else t->live = false;
  }
  return info.Env().Undefined();
}

// alloc(nbytes, deviceType, deviceIndex, zero) -> storage
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double nb = info[0].As<Napi::Number>().DoubleValue();
  int dev = info.Length() > 1 ? info[1].As<Napi::Number>().Int32Value() : 0;
  int idx = info.Length() > 2 ? info[2].As<Napi::Number>().Int32Value() : 0;
  bool zero = info.Length() > 3 && info[3].ToBoolean();
  bool counted = info.Length() > 4 && info[4].ToBoolean();  // the storage is also its first tensor's token
  if (!(nb >= 0) || nb > 1.0e15) throw TorchError("invalid allocation size " + std::to_string(nb));
  size_t n = (size_t)nb;
  Storage* s = new Storage();
  s->nbytes = n;
  s->device = dev == 1 ? DeviceType::CUDA : DeviceType::CPU;
  s->device_index = idx;
  try {
    if (s->device == DeviceType::CPU) {
      s->data = cpu_alloc(n);
      if (zero) memset(s->data, 0, n);
    } else {
      if (!cuda_built()) throw TorchError("Torch not compiled with CUDA enabled");
      s->data = cuda_hooks().alloc(n, idx);
      if (zero) cuda_hooks().memset0(s->data, n, idx);
    }
  } catch (...) {
    delete s;
    throw;
  }
  mem_counters(s->device).bytes += (int64_t)n;
  mem_counters(s->device).count += 1;
  // Note [device bytes to V8]: device memory is reported to V8 as external memory too, so that a loop which leaves
  // CUDA tensors to the garbage collector makes V8 collect in proportion to the GPU memory it holds (as it does for
  // CPU storages); the allocator's out-of-memory path also asks lib/ to collect and retry (lib/tensor.ts allocStorage).
  {
    int64_t adj;
    napi_adjust_external_memory(env, external_bytes(s), &adj);
  }
  Napi::Value v = make_external(env, s);
  if (counted) {
    s->tok.dev = s->device == DeviceType::CUDA ? 1 : 0;
    s->tok.live = true;
    g_tensor_count[s->tok.dev] += 1;
  }
  return v;
}

// wrap(arrayBuffer, byteOffset, byteLength) -> storage sharing the buffer's memory (the JS side keeps it alive)
Napi::Value Wrap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  size_t off = (size_t)info[1].As<Napi::Number>().Int64Value();
  size_t len = (size_t)info[2].As<Napi::Number>().Int64Value();
  if (off + len > ab.ByteLength()) throw TorchError("frombuffer: range outside the buffer");
  Storage* s = new Storage();
  s->data = static_cast<char*>(ab.Data()) + off;
  s->nbytes = len;
  s->owned = false;
  mem_counters(DeviceType::CPU).count += 1;
  return make_external(env, s);
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Storage* s = get_storage(info[0]);
  bool owned = s->owned && s->data;
  int64_t n = external_bytes(s);
  free_storage_memory(s);
  if (owned) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -n);
  return info.Env().Undefined();
}

// read(storage, byteOffset, nbytes) -> ArrayBuffer (a copy, from any device)
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Storage* s = get_storage(info[0]);
  size_t off = (size_t)info[1].As<Napi::Number>().Int64Value();
  size_t n = (size_t)info[2].As<Napi::Number>().Int64Value();
  if (!s->data) throw TorchError("Tensor storage has been freed (the tensor was disposed)");
  if (off + n > s->nbytes) throw TorchError("internal: read outside storage");
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, n);
  if (n) {
    if (s->device == DeviceType::CPU) memcpy(ab.Data(), static_cast<char*>(s->data) + off, n);
    else cuda_hooks().to_host(ab.Data(), static_cast<char*>(s->data) + off, n, s->device_index);
  }
  return ab;
}

// write(storage, byteOffset, typedArrayOrArrayBuffer)
Napi::Value Write(const Napi::CallbackInfo& info) {
  Storage* s = get_storage(info[0]);
  size_t off = (size_t)info[1].As<Napi::Number>().Int64Value();
  const char* src;
  size_t n;
  if (info[2].IsTypedArray()) {
    Napi::TypedArray ta = info[2].As<Napi::TypedArray>();
    src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    n = ta.ByteLength();
  } else {
    Napi::ArrayBuffer ab = info[2].As<Napi::ArrayBuffer>();
    src = static_cast<const char*>(ab.Data());
    n = ab.ByteLength();
  }
  if (!s->data) throw TorchError("Tensor storage has been freed (the tensor was disposed)");
  if (off + n > s->nbytes) throw TorchError("internal: write outside storage");
  if (n) {
    if (s->device == DeviceType::CPU) memcpy(static_cast<char*>(s->data) + off, src, n);
    else cuda_hooks().from_host(static_cast<char*>(s->data) + off, src, n, s->device_index);
  }
  return info.Env().Undefined();
}

Napi::Value SetMeta(const Napi::CallbackInfo& info) {
  Napi::Float64Array arr = info[0].As<Napi::Float64Array>();
  if (arr.ElementLength() < (size_t)kMetaSize) throw TorchError("internal: meta buffer too small");
  EnvData* d = env_data(info.Env());
  if (d->meta_ref) napi_delete_reference(info.Env(), d->meta_ref);
  napi_create_reference(info.Env(), arr, 1, &d->meta_ref);
  d->meta = arr.Data();
  return Napi::Number::New(info.Env(), kMetaSize);
}


// run()'s and runList()'s common end: the op's attributes from the meta buffer, then the kernel of op on dev
Napi::Value dispatch_call(Napi::Env env, const double* g_meta, int op, DeviceType dev, Call& c) {
  int na = (int)g_meta[kMetaAttrBase];
  if (na < 0 || na > kMaxAttrs) throw TorchError("internal: bad attr count");
  c.na = na;
  for (int i = 0; i < na; i++) c.a[i] = g_meta[kMetaAttrBase + 1 + i];
  KernelFn fn = find_kernel(op, dev);
  fn(c);
  return Napi::Number::New(env, c.result);
}

// run(opId, s0, s1, ...) -> number. Tensor i's view is meta[i*36 ...]; attrs at meta[288]: count, values.
Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double* g_meta = env_data(env)->meta;
  if (!g_meta) throw TorchError("internal: meta buffer not set");
  int op = info[0].As<Napi::Number>().Int32Value();
  Call c;
  c.nt = (int)info.Length() - 1;
  if (c.nt > kMaxTensors) throw TorchError("internal: too many tensors");
  DeviceType dev = DeviceType::CPU;
  for (int i = 0; i < c.nt; i++) {
    Storage* s = get_storage(info[i + 1]);
    if (!s->data) throw TorchError(std::string(op_name(op)) + ": a tensor's storage has been freed (the tensor was disposed)");
    const double* m = g_meta + i * kMetaPerTensor;
    TensorArg& t = c.t[i];
    t.storage = s;
    t.dtype = (DType)(int)m[0];
    t.ndim = (int)m[1];
    if (t.ndim < 0 || t.ndim > kMaxDims) throw TorchError("internal: bad ndim");
    int64_t off = (int64_t)m[2];
    int64_t lo = 0, hi = 0;  // extent of the view in elements, checked against the storage
    bool empty = false;
    for (int d = 0; d < t.ndim; d++) {
      t.shape[d] = (int64_t)m[3 + d];
      t.stride[d] = (int64_t)m[3 + kMaxDims + d];
      if (t.shape[d] == 0) empty = true;
      int64_t span = (t.shape[d] - 1) * t.stride[d];
      if (span > 0) hi += span; else lo += span;
    }
    int isz = itemsize(t.dtype);
    if (!empty && (off + lo < 0 || (size_t)((off + hi + 1) * isz) > s->nbytes))
      throw TorchError(std::string(op_name(op)) + ": internal: view outside its storage");
    t.data = static_cast<char*>(s->data) + off * isz;
    if (i == 0) dev = s->device;
    else if (s->device != dev) throw TorchError("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!");
  }
  return dispatch_call(env, g_meta, op, dev, c);
}

// runList(opId, desc Float64Array, xa Float64Array, s0, s1, ...) -> number: a multi-tensor op over a list of
// contiguous tensors (OP(optim_step_multi)). desc holds three numbers per tensor: dtype, element offset, numel; each
// becomes a 1-D view, checked against its storage as run() checks; all must be on one device. xa: per-item
// attributes for the kernel (Call::xa); the op's attributes come from the meta buffer as for run(). The storages
// come as arguments (cheaper to read than array elements); the views live in a per-thread buffer reused from call
// to call (a step of a 200-parameter Adam passes 800 of them).
Napi::Value RunList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double* g_meta = env_data(env)->meta;
  if (!g_meta) throw TorchError("internal: meta buffer not set");
  int op = info[0].As<Napi::Number>().Int32Value();
  if (info.Length() < 3 || !info[1].IsTypedArray() || !info[2].IsTypedArray()) throw TorchError("internal: runList(op, desc, xa, ...storages)");
  Napi::Float64Array desc = info[1].As<Napi::Float64Array>();
  Napi::Float64Array xa = info[2].As<Napi::Float64Array>();
  const size_t n = info.Length() - 3;
  if (n == 0) throw TorchError(std::string(op_name(op)) + ": empty tensor list");
  if (desc.ElementLength() < n * 3) throw TorchError("internal: runList: descriptor too short");
  static thread_local std::vector<TensorArg> list;
  if (list.size() < n) list.resize(n);
  const double* d = desc.Data();
  DeviceType dev = DeviceType::CPU;
  int dev_index = 0;
  for (size_t i = 0; i < n; i++) {
    Storage* s = get_storage(info[3 + i]);
    if (!s->data) throw TorchError(std::string(op_name(op)) + ": a tensor's storage has been freed (the tensor was disposed)");
    TensorArg& t = list[i];
    t.storage = s;
    int dt = (int)d[i * 3];
    if (dt < 0 || dt > (int)DType::BOOL) throw TorchError("internal: runList: bad dtype");
    t.dtype = (DType)dt;
    int64_t off = (int64_t)d[i * 3 + 1], numel = (int64_t)d[i * 3 + 2];
    if (off < 0 || numel < 0) throw TorchError("internal: runList: bad view");
    t.ndim = 1;
    t.shape[0] = numel;
    t.stride[0] = 1;
    int isz = itemsize(t.dtype);
    if ((size_t)((off + numel) * isz) > s->nbytes) throw TorchError(std::string(op_name(op)) + ": internal: view outside its storage");
    t.data = static_cast<char*>(s->data) + off * isz;
    if (i == 0) { dev = s->device; dev_index = s->device_index; }
    else if (s->device != dev || s->device_index != dev_index)
      throw TorchError(std::string("Expected all tensors to be on the same device, but found at least two devices (in ") + op_name(op) + ")");
  }
  Call c;
  c.nt = 0;
  c.list = list.data();
  c.nlist = (int)n;
  c.xa = xa.Data();
  c.nxa = (int)xa.ElementLength();
  return dispatch_call(env, g_meta, op, dev, c);
}

// memStats(emptyCpuCache?) -> [cpu bytes, cpu storages, cuda bytes, cuda storages, cpu tensors, cuda tensors,
// bytes the CPU allocator keeps cached for reuse]
Napi::Value MemStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].ToBoolean()) cpu_empty_cache();
  Napi::Array a = Napi::Array::New(env, 7);
  a.Set(0u, Napi::Number::New(env, (double)mem_counters(DeviceType::CPU).bytes.load()));
  a.Set(1u, Napi::Number::New(env, (double)mem_counters(DeviceType::CPU).count.load()));
  a.Set(2u, Napi::Number::New(env, (double)mem_counters(DeviceType::CUDA).bytes.load()));
  a.Set(3u, Napi::Number::New(env, (double)mem_counters(DeviceType::CUDA).count.load()));
  a.Set(4u, Napi::Number::New(env, (double)g_tensor_count[0].load()));
  a.Set(5u, Napi::Number::New(env, (double)g_tensor_count[1].load()));
  a.Set(6u, Napi::Number::New(env, (double)cpu_cached_bytes()));
  return a;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", Napi::String::New(env, cpu_simd_name()));
  o.Set("threads", Napi::Number::New(env, num_threads()));
  o.Set("cpuBf16", Napi::String::New(env, cpu_bf16_level() == 2 ? "amx_bf16" : cpu_bf16_level() == 1 ? "avx512_bf16" : "none"));
  o.Set("cudaBuilt", Napi::Boolean::New(env, cuda_built()));
  o.Set("opCount", Napi::Number::New(env, (double)OP_COUNT));
  Napi::Array names = Napi::Array::New(env, OP_COUNT);
  for (int i = 0; i < OP_COUNT; i++) names.Set((uint32_t)i, Napi::String::New(env, op_name(i)));
  o.Set("ops", names);
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n >= 1) set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value Supports(const Napi::CallbackInfo& info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  int dev = info[1].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(info.Env(), supports(op, dev == 1 ? DeviceType::CUDA : DeviceType::CPU));
}

Napi::Value Cuda(const Napi::CallbackInfo& info) {
  // cuda(what, index): 'count' | 'sync' | 'diagnose' | 'reserved' | 'allocated' | 'emptyCache' | 'stats' | 'resetPeak'
  Napi::Env env = info.Env();
  std::string what = info[0].As<Napi::String>().Utf8Value();
  int idx = info.Length() > 1 ? info[1].As<Napi::Number>().Int32Value() : 0;
  DeviceHooks& h = cuda_hooks();
  if (what == "diagnose") {
    if (!cuda_built()) return Napi::String::New(env, "this nodetorch binary was built without CUDA (nvcc was not found at install time, or NODETORCH_CUDA=0)");
    return Napi::String::New(env, h.diagnose());
  }
  if (!cuda_built()) {
    if (what == "count" || what == "reserved" || what == "allocated") return Napi::Number::New(env, 0);
    if (what == "sync" || what == "emptyCache") return env.Undefined();
    throw TorchError("Torch not compiled with CUDA enabled");
  }
  if (what == "count") return Napi::Number::New(env, h.device_count());
  if (what == "sync") { h.synchronize(idx); return env.Undefined(); }
  if (what == "reserved") return Napi::Number::New(env, (double)h.memory_reserved(idx));
  if (what == "allocated") return Napi::Number::New(env, (double)h.memory_allocated(idx));
  if (what == "emptyCache") { h.empty_cache(); return env.Undefined(); }
  if (what == "stats") {
    int64_t v[11] = {0};
    if (h.memory_stats) h.memory_stats(idx, v);
    if (h.host_stats) h.host_stats(v + 8);
    Napi::Array a = Napi::Array::New(env, 11);
    for (uint32_t i = 0; i < 11; i++) a.Set(i, Napi::Number::New(env, (double)v[i]));
    return a;
  }
  if (what == "resetPeak") { if (h.reset_peak) h.reset_peak(idx); return env.Undefined(); }
  throw TorchError("internal: unknown cuda query " + what);
}

// cudaStreams(what, ...): streams, events, recordStream, pinned memory (cuda/stream.cu through the DeviceHooks).
// Streams are (device, id) numbers; events are externals whose finalizer destroys the CUDA event.
void finalize_event(node_api_basic_env, void* data, void*) { cuda_hooks().event_free(data); }
void* get_event(const Napi::Value& v) {
  if (!v.IsExternal()) throw TorchError("internal: expected an event handle");
  return v.As<Napi::External<void>>().Data();
}
Napi::Value CudaStreams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string what = info[0].As<Napi::String>().Utf8Value();
  auto num = [&](size_t i) { return info[i].As<Napi::Number>().Int32Value(); };
  DeviceHooks& h = cuda_hooks();
  if (what == "isPinned") return Napi::Boolean::New(env, get_storage(info[1])->pinned);
  if (!cuda_built() || !h.stream_new) {
    if (what == "pin") throw TorchError("pinMemory: Cannot access accelerator device when none is available (this nodetorch binary was built without CUDA; PyTorch without CUDA: Could not run 'aten::_pin_memory' with arguments from the 'CUDA' backend)");
    throw TorchError("Torch not compiled with CUDA enabled");
  }
  if (what == "new") return Napi::Number::New(env, h.stream_new(num(1), num(2)));
  if (what == "set") { h.stream_set(num(1), num(2)); return env.Undefined(); }
  if (what == "query") return Napi::Boolean::New(env, h.stream_query(num(1), num(2)));
  if (what == "sync") { h.stream_sync(num(1), num(2)); return env.Undefined(); }
  if (what == "waitStream") { h.stream_wait_stream(num(1), num(2), num(3), num(4)); return env.Undefined(); }
  if (what == "eventNew") {
    void* e = h.event_new(info[1].ToBoolean(), info[2].ToBoolean());
    napi_value v;
    if (napi_create_external(env, e, finalize_event, nullptr, &v) != napi_ok) {
      h.event_free(e);
      throw Napi::Error::New(env, "nodetorch: napi_create_external failed");
    }
    return Napi::Value(env, v);
  }
  if (what == "eventRecord") { h.event_record(get_event(info[1]), num(2), num(3)); return env.Undefined(); }
  if (what == "eventWait") { h.event_wait(get_event(info[1]), num(2), num(3)); return env.Undefined(); }
  if (what == "eventQuery") return Napi::Boolean::New(env, h.event_query(get_event(info[1])));
  if (what == "eventSync") { h.event_sync(get_event(info[1])); return env.Undefined(); }
  if (what == "eventElapsed") return Napi::Number::New(env, h.event_elapsed(get_event(info[1]), get_event(info[2])));
  if (what == "eventDevice") return Napi::Number::New(env, h.event_device(get_event(info[1])));
  if (what == "recordStream") {
    Storage* s = get_storage(info[1]);
    if (s->device != DeviceType::CUDA || !s->data) return env.Undefined();
    h.record_stream(s->data, num(2), num(3));
    return env.Undefined();
  }
  if (what == "pin") {  // pin(storage, byteOffset, nbytes) -> a new pinned CPU storage holding a copy of those bytes
    Storage* src = get_storage(info[1]);
    size_t off = (size_t)info[2].As<Napi::Number>().Int64Value();
    size_t n = (size_t)info[3].As<Napi::Number>().Int64Value();
    if (!src->data) throw TorchError("Tensor storage has been freed (the tensor was disposed)");
    if (src->device != DeviceType::CPU) throw TorchError("pinMemory: cannot pin a tensor that is not on the CPU");
    if (off + n > src->nbytes) throw TorchError("internal: pin outside storage");
    Storage* s = new Storage();
    try {
      s->data = h.host_alloc(n);
    } catch (...) {
      delete s;
      throw;
    }
    if (n) memcpy(s->data, static_cast<char*>(src->data) + off, n);
    s->nbytes = n;
    s->pinned = true;
    mem_counters(DeviceType::CPU).bytes += (int64_t)n;
    mem_counters(DeviceType::CPU).count += 1;
    Napi::MemoryManagement::AdjustExternalMemory(env, (int64_t)n);
    return make_external(env, s);
  }
  if (what == "copyH2D") {  // copyH2D(dst, dstByteOff, src, srcByteOff, nbytes, nonBlocking)
    Storage* d = get_storage(info[1]);
    size_t doff = (size_t)info[2].As<Napi::Number>().Int64Value();
    Storage* sr = get_storage(info[3]);
    size_t soff = (size_t)info[4].As<Napi::Number>().Int64Value();
    size_t n = (size_t)info[5].As<Napi::Number>().Int64Value();
    bool nb = info[6].ToBoolean();
    if (!d->data || !sr->data) throw TorchError("Tensor storage has been freed (the tensor was disposed)");
    if (d->device != DeviceType::CUDA || sr->device != DeviceType::CPU) throw TorchError("internal: copyH2D needs a CUDA destination and a CPU source");
    if (doff + n > d->nbytes || soff + n > sr->nbytes) throw TorchError("internal: copy outside storage");
    h.copy_h2d(static_cast<char*>(d->data) + doff, static_cast<char*>(sr->data) + soff, n, d->device_index, nb && sr->pinned);
    return env.Undefined();
  }
  throw TorchError("internal: unknown cudaStreams call " + what);
}

// Wrap each export so that C++ exceptions (TorchError, std::bad_alloc, ...) become JS errors.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const TorchError& e) {
    Napi::Error err = Napi::Error::New(info.Env(), e.what());
    err.Set("torchError", Napi::Boolean::New(info.Env(), true));
    throw err;
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("internal error: ") + e.what());
  }
}

// dataPtr(storage) -> BigInt: the address of a storage's memory (device memory for CUDA: the NCCL backend), for the Gloo addon (separate,
// native/gloo/) whose collectives read and write tensors in place. The JS side keeps the tensor alive meanwhile.
Napi::Value DataPtr(const Napi::CallbackInfo& info) {
  Storage* s = get_storage(info[0]);
  return Napi::BigInt::New(info.Env(), (uint64_t)(uintptr_t)s->data);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_store(env, exports);
  register_nccl(env, exports);
  exports.Set("dataPtr", Napi::Function::New<Guard<DataPtr>>(env));
  exports.Set("alloc", Napi::Function::New<Guard<Alloc>>(env));
  exports.Set("wrap", Napi::Function::New<Guard<Wrap>>(env));
  exports.Set("free", Napi::Function::New<Guard<Free>>(env));
  exports.Set("read", Napi::Function::New<Guard<Read>>(env));
  exports.Set("write", Napi::Function::New<Guard<Write>>(env));
  exports.Set("setMeta", Napi::Function::New<Guard<SetMeta>>(env));
  exports.Set("run", Napi::Function::New<Guard<Run>>(env));
  exports.Set("runList", Napi::Function::New<Guard<RunList>>(env));
  exports.Set("token", Napi::Function::New<Guard<NewToken>>(env));
  exports.Set("tokenSet", Napi::Function::New<Guard<TokenSet>>(env));
  exports.Set("memStats", Napi::Function::New<Guard<MemStats>>(env));
  exports.Set("info", Napi::Function::New<Guard<Info>>(env));
  exports.Set("setNumThreads", Napi::Function::New<Guard<SetNumThreads>>(env));
  exports.Set("supports", Napi::Function::New<Guard<Supports>>(env));
  exports.Set("cuda", Napi::Function::New<Guard<Cuda>>(env));
  exports.Set("cudaStreams", Napi::Function::New<Guard<CudaStreams>>(env));
  exports.Set("metaSize", Napi::Number::New(env, kMetaSize));
  return exports;
}

}  // namespace

NODE_API_MODULE(nodetorch, Init)
