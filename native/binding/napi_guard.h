// napi_guard.h - what the torch.distributed bindings share (store_napi.cc, nccl_napi.cc, and the separate Gloo addon
// native/gloo/gloo_binding.cc): a C++ exception leaving a binding function becomes a JavaScript Error flagged
// `torchError`, which lib/ rethrows as a TorchError; and a table of functions set on an exports object at once.
#pragma once
#include <napi.h>
#include <exception>
#include <initializer_list>
#include <string>
#include <utility>

namespace nt {
namespace napi_guard {

// Throws a JavaScript Error flagged as a TorchError.
[[noreturn]] inline void throw_torch_error(Napi::Env env, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("torchError", Napi::Boolean::New(env, true));
  throw err;
}

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_torch_error(info.Env(), e.what());
  }
}

using Entry = std::pair<const char*, Napi::Function>;
// exports[name] = { fn, ... }
inline void set_table(Napi::Env env, Napi::Object exports, const char* name, std::initializer_list<Entry> fns) {
  Napi::Object o = Napi::Object::New(env);
  for (const Entry& e : fns) o.Set(e.first, e.second);
  exports.Set(name, o);
}

}  // namespace napi_guard
}  // namespace nt
