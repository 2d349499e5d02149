// nccl_napi.cc - JavaScript access to the NCCL backend of torch.distributed (lib/distributed/nccl.ts). Compiled into
// both builds; the CUDA build fills nt::nccl_hooks() (cuda/nccl.cu), the CPU build leaves it empty and every call but
// available() is a TorchError. Operations are enqueued on a communication stream and polled (query) or ordered
// before the current stream's later work (streamWait), never waited for inside a call, so a hung peer cannot block
// here; the watchdog of cuda/nccl.cu aborts the communicator on a timeout (Note [NCCL watchdog]).
#include <napi.h>
#include <cstring>
#include <stdexcept>
#include "../core/device.h"
#include "../core/nccl_hooks.h"
#include "napi_guard.h"

namespace nt {
namespace {

const char* kNoCuda = "the NCCL backend needs the CUDA build of nodetorch: this binary was built without CUDA (nvcc was not found at install time, or NODETORCH_CUDA=0)";

struct CommBox { void* comm = nullptr; };
struct WorkBox {
  void* work = nullptr;
  ~WorkBox() { if (work && nccl_hooks().release) nccl_hooks().release(work); }
};

using napi_guard::Guarded;
[[noreturn]] void fail(Napi::Env env, const std::string& m) { napi_guard::throw_torch_error(env, m); }
NcclHooks& hooks(Napi::Env env) {
  NcclHooks& h = nccl_hooks();
  if (!h.load) fail(env, kNoCuda);
  return h;
}
void* ptr_of(Napi::Env env, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsBigInt()) fail(env, "internal: nccl pointers are BigInts");
  bool lossless = true;
  uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(u));
}
CommBox* comm_of(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal()) fail(env, "internal: expected an NCCL communicator handle");
  CommBox* b = v.As<Napi::External<CommBox>>().Data();
  if (!b->comm) fail(env, "the NCCL communicator has been destroyed or aborted");
  return b;
}
WorkBox* work_of(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal()) fail(env, "internal: expected an NCCL work handle");
  return v.As<Napi::External<WorkBox>>().Data();
}
int int_of(const Napi::Object& o, const char* k, int d) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : d;
}

// available() -> { ok, detail }: loads the library on first use
Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object r = Napi::Object::New(env);
  NcclHooks& h = nccl_hooks();
  std::string detail = kNoCuda;
  bool ok = h.load ? h.load(&detail) : false;
  r.Set("ok", Napi::Boolean::New(env, ok));
  r.Set("detail", Napi::String::New(env, detail));
  return r;
}
Napi::Value UniqueId(const Napi::CallbackInfo& info) {
  NcclHooks& h = hooks(info.Env());
  std::string why;
  if (!h.load(&why)) fail(info.Env(), why);
  char id[128];
  h.unique_id(id);
  return Napi::Buffer<char>::Copy(info.Env(), id, sizeof id);
}
// commInit(id: Buffer(128), nranks, rank, device, timeoutMs) -> handle
Napi::Value CommInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  std::string why;
  if (!h.load(&why)) fail(env, why);
  if (!info[0].IsBuffer() || info[0].As<Napi::Buffer<char>>().Length() != 128) fail(env, "internal: an NCCL unique id is 128 bytes");
  char id[128];
  std::memcpy(id, info[0].As<Napi::Buffer<char>>().Data(), 128);
  const int64_t timeout_ms = info[4].IsNumber() ? info[4].As<Napi::Number>().Int64Value() : 0;
  void* c = h.comm_init(id, info[1].As<Napi::Number>().Int32Value(), info[2].As<Napi::Number>().Int32Value(), info[3].As<Napi::Number>().Int32Value(), timeout_ms);
  auto* box = new CommBox{c};
  return Napi::External<CommBox>::New(env, box, [](Napi::Env, CommBox* b) { delete b; });  // the communicator lives until destroy()
}
// enqueue(comm, { kind, dtype, op, count, send, recv, root, peer, parts }) -> work handle
Napi::Value Enqueue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  CommBox* c = comm_of(env, info[0]);
  Napi::Object o = info[1].As<Napi::Object>();
  NcclOp op;
  op.kind = int_of(o, "kind", 0);
  op.dtype = int_of(o, "dtype", 0);
  op.op = int_of(o, "op", 0);
  op.count = (size_t)o.Get("count").As<Napi::Number>().Int64Value();
  op.send = ptr_of(env, o.Get("send"));
  op.recv = ptr_of(env, o.Get("recv"));
  op.root = int_of(o, "root", -1);
  op.peer = int_of(o, "peer", -1);
  std::vector<void*> parts;
  if (o.Get("parts").IsArray()) {
    Napi::Array a = o.Get("parts").As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) parts.push_back(ptr_of(env, a.Get(i)));
    op.parts = parts.data();
  }
  void* w = h.enqueue(c->comm, op);
  auto* box = new WorkBox{w};
  return Napi::External<WorkBox>::New(env, box, [](Napi::Env, WorkBox* b) { delete b; });
}
// query(work) -> 0 running, 1 done, 2 failed; error(work) -> why it failed
Napi::Value Query(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  WorkBox* w = work_of(env, info[0]);
  if (!w->work) return Napi::Number::New(env, 1);
  std::string err;
  int s = h.query(w->work, &err);
  if (s == 2) fail(env, err);
  if (s == 1) { h.release(w->work); w->work = nullptr; }
  return Napi::Number::New(env, s);
}
// streamWait(work): the current stream waits for the operation (the host does not); throws if it failed
Napi::Value StreamWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  WorkBox* w = work_of(env, info[0]);
  if (w->work) h.stream_wait(w->work);
  return env.Undefined();
}
// checkAsyncError(): throws (once) what the watchdog aborted a communicator for (Note [NCCL async errors])
Napi::Value CheckAsyncError(const Napi::CallbackInfo& info) {
  NcclHooks& h = nccl_hooks();
  if (h.check_async_error) h.check_async_error();
  return info.Env().Undefined();
}
Napi::Value Abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  if (!info[0].IsExternal()) fail(env, "internal: expected an NCCL communicator handle");
  CommBox* b = info[0].As<Napi::External<CommBox>>().Data();
  if (b->comm) { h.abort(b->comm); b->comm = nullptr; }
  return env.Undefined();
}
Napi::Value Destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NcclHooks& h = hooks(env);
  if (!info[0].IsExternal()) fail(env, "internal: expected an NCCL communicator handle");
  CommBox* b = info[0].As<Napi::External<CommBox>>().Data();
  if (b->comm) { h.destroy(b->comm); b->comm = nullptr; }
  return env.Undefined();
}

}  // namespace

void register_nccl(Napi::Env env, Napi::Object exports) {
  napi_guard::set_table(env, exports, "nccl", {
    {"available", Napi::Function::New<Guarded<Available>>(env)},
    {"uniqueId", Napi::Function::New<Guarded<UniqueId>>(env)},
    {"commInit", Napi::Function::New<Guarded<CommInit>>(env)},
    {"enqueue", Napi::Function::New<Guarded<Enqueue>>(env)},
    {"query", Napi::Function::New<Guarded<Query>>(env)},
    {"streamWait", Napi::Function::New<Guarded<StreamWait>>(env)},
    {"checkAsyncError", Napi::Function::New<Guarded<CheckAsyncError>>(env)},
    {"abort", Napi::Function::New<Guarded<Abort>>(env)},
    {"destroy", Napi::Function::New<Guarded<Destroy>>(env)},
  });
}

}  // namespace nt
