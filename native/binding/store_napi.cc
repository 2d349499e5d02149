// store_napi.cc - JavaScript access to the rendezvous stores of native/dist/store.h (torch.distributed's TCPStore
// and FileStore). Calls block the calling JS thread, as PyTorch's store calls block Python; the TCP server itself
// runs on native threads (Note [store server thread]).
#include <napi.h>
#include "../dist/store.h"
#include "napi_guard.h"

using nt::dist::Store;
using nt::dist::StoreError;
using nt::dist::TcpStoreServer;

namespace {

struct StoreBox { std::unique_ptr<Store> s; };

using nt::napi_guard::Guarded;

Store* store_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw StoreError("internal: expected a store handle");
  StoreBox* b = v.As<Napi::External<StoreBox>>().Data();
  if (!b->s) throw StoreError("the store has been closed");
  return b->s.get();
}
std::vector<char> bytes_of(const Napi::Value& v) {
  if (v.IsString()) { std::string s = v.As<Napi::String>().Utf8Value(); return std::vector<char>(s.begin(), s.end()); }
  if (v.IsTypedArray()) {
    auto a = v.As<Napi::TypedArray>();
    const char* p = (const char*)a.ArrayBuffer().Data() + a.ByteOffset();
    return std::vector<char>(p, p + a.ByteLength());
  }
  throw StoreError("internal: store values are strings or Uint8Arrays");
}
std::vector<std::string> keys_of(const Napi::Value& v) {
  std::vector<std::string> out;
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return out;
}
Napi::Value buffer_of(Napi::Env env, const std::vector<char>& v) { return Napi::Buffer<char>::Copy(env, v.data(), v.size()); }
int64_t i64_of(const Napi::Value& v) { return (int64_t)v.As<Napi::Number>().DoubleValue(); }

Napi::Value ServerStart(const Napi::CallbackInfo& info) {
  auto* srv = new TcpStoreServer();
  int port;
  try {
    port = srv->start(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Int32Value());
  } catch (...) {
    delete srv;
    throw;
  }
  auto h = Napi::External<TcpStoreServer>::New(info.Env(), srv, [](Napi::Env, TcpStoreServer* s) { delete s; });
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, h);
  out.Set(1u, Napi::Number::New(info.Env(), port));
  return out;
}
Napi::Value ServerStop(const Napi::CallbackInfo& info) {
  info[0].As<Napi::External<TcpStoreServer>>().Data()->stop();
  return info.Env().Undefined();
}
Napi::Value Connect(const Napi::CallbackInfo& info) {
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  std::string where = info[1].As<Napi::String>().Utf8Value();
  int64_t timeout = i64_of(info[3]);
  auto* b = new StoreBox();
  try {
    b->s = kind == "file" ? nt::dist::open_file_store(where, timeout)
                          : nt::dist::connect_tcp_store(where, info[2].As<Napi::Number>().Int32Value(), timeout);
  } catch (...) {
    delete b;
    throw;
  }
  return Napi::External<StoreBox>::New(info.Env(), b, [](Napi::Env, StoreBox* x) { delete x; });
}
Napi::Value Close(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal()) info[0].As<Napi::External<StoreBox>>().Data()->s.reset();
  return info.Env().Undefined();
}
Napi::Value Set(const Napi::CallbackInfo& info) {
  store_of(info[0])->set(info[1].As<Napi::String>().Utf8Value(), bytes_of(info[2]));
  return info.Env().Undefined();
}
Napi::Value Get(const Napi::CallbackInfo& info) {
  return buffer_of(info.Env(), store_of(info[0])->get(info[1].As<Napi::String>().Utf8Value(), i64_of(info[2])));
}
Napi::Value Add(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)store_of(info[0])->add(info[1].As<Napi::String>().Utf8Value(), i64_of(info[2])));
}
Napi::Value CompareSet(const Napi::CallbackInfo& info) {
  return buffer_of(info.Env(), store_of(info[0])->compare_set(info[1].As<Napi::String>().Utf8Value(), bytes_of(info[2]), bytes_of(info[3])));
}
Napi::Value Check(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_of(info[0])->check(keys_of(info[1])));
}
Napi::Value Wait(const Napi::CallbackInfo& info) {
  store_of(info[0])->wait(keys_of(info[1]), i64_of(info[2]));
  return info.Env().Undefined();
}
Napi::Value Delete(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_of(info[0])->delete_key(info[1].As<Napi::String>().Utf8Value()));
}
Napi::Value NumKeys(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)store_of(info[0])->num_keys());
}

}  // namespace

namespace nt {
void register_store(Napi::Env env, Napi::Object exports) {
  nt::napi_guard::set_table(env, exports, "store", {
    {"serverStart", Napi::Function::New<Guarded<ServerStart>>(env)},
    {"serverStop", Napi::Function::New<Guarded<ServerStop>>(env)},
    {"connect", Napi::Function::New<Guarded<Connect>>(env)},
    {"close", Napi::Function::New<Guarded<Close>>(env)},
    {"set", Napi::Function::New<Guarded<Set>>(env)},
    {"get", Napi::Function::New<Guarded<Get>>(env)},
    {"add", Napi::Function::New<Guarded<Add>>(env)},
    {"compareSet", Napi::Function::New<Guarded<CompareSet>>(env)},
    {"check", Napi::Function::New<Guarded<Check>>(env)},
    {"wait", Napi::Function::New<Guarded<Wait>>(env)},
    {"deleteKey", Napi::Function::New<Guarded<Delete>>(env)},
    {"numKeys", Napi::Function::New<Guarded<NumKeys>>(env)},
  });
}
}  // namespace nt
