// scalar.h - storage scalar types and conversions, shared by CPU and CUDA kernels.
// float16/bfloat16 are stored as 16 bits and computed in float32 (as PyTorch's CPU does).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include "../core/dtype.h"

namespace nt {

struct f16 { uint16_t x; };
struct bf16 { uint16_t x; };

template <typename T> struct is_half16 : std::false_type {};
template <> struct is_half16<f16> : std::true_type {};
template <> struct is_half16<bf16> : std::true_type {};

NT_HD float to_f(f16 v) { return half_to_float(v.x); }
NT_HD float to_f(bf16 v) { return bf16_to_float(v.x); }

// cvt<D>(s): PyTorch's casting rules (float->int truncates through int64; anything->bool is != 0).
template <typename D, typename S>
NT_HD D cvt(S s) {
  if constexpr (std::is_same<S, f16>::value || std::is_same<S, bf16>::value) {
    return cvt<D>(to_f(s));
  } else if constexpr (std::is_same<D, f16>::value) {
    return f16{float_to_half((float)s)};
  } else if constexpr (std::is_same<D, bf16>::value) {
    return bf16{float_to_bf16((float)s)};
  } else if constexpr (std::is_same<D, bool>::value) {
    return s != S(0);
  } else if constexpr (std::is_integral<D>::value && std::is_floating_point<S>::value) {
    // out-of-range and NaN casts are undefined in C++; clamp to int64's range first (no trap, no UB)
    if (!(s == s)) return (D)(int64_t)INT64_MIN;
    if (s >= (S)9.2233720368547758e18) return (D)(int64_t)INT64_MAX;
    if (s <= (S)-9.2233720368547758e18) return (D)(int64_t)INT64_MIN;
    return (D)(int64_t)s;
  } else {
    return (D)s;
  }
}

// the dtype code of a storage type (CPU and CUDA kernels pick conversions with it)
template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::F32; }
template <> constexpr DType dtype_of<double>() { return DType::F64; }
template <> constexpr DType dtype_of<f16>() { return DType::F16; }
template <> constexpr DType dtype_of<bf16>() { return DType::BF16; }
template <> constexpr DType dtype_of<int64_t>() { return DType::I64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::I32; }
template <> constexpr DType dtype_of<int16_t>() { return DType::I16; }
template <> constexpr DType dtype_of<int8_t>() { return DType::I8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::U8; }
template <> constexpr DType dtype_of<bool>() { return DType::BOOL; }

// Calls F.template operator()<T>() with the C++ type for a runtime dtype.
#define NT_DISPATCH_ALL(dt, T, ...)                          \
  switch (dt) {                                              \
    case ::nt::DType::F32: { using T = float; __VA_ARGS__; break; }    \
    case ::nt::DType::F64: { using T = double; __VA_ARGS__; break; }   \
    case ::nt::DType::F16: { using T = ::nt::f16; __VA_ARGS__; break; } \
    case ::nt::DType::BF16: { using T = ::nt::bf16; __VA_ARGS__; break; } \
    case ::nt::DType::I64: { using T = int64_t; __VA_ARGS__; break; }  \
    case ::nt::DType::I32: { using T = int32_t; __VA_ARGS__; break; }  \
    case ::nt::DType::I16: { using T = int16_t; __VA_ARGS__; break; }  \
    case ::nt::DType::I8: { using T = int8_t; __VA_ARGS__; break; }    \
    case ::nt::DType::U8: { using T = uint8_t; __VA_ARGS__; break; }   \
    case ::nt::DType::BOOL: { using T = bool; __VA_ARGS__; break; }    \
    default: throw ::nt::TorchError("unsupported dtype");    \
  }

// The compute types of elementwise kernels: float32, float64, int64 (all integer and bool math).
#define NT_DISPATCH_COMPUTE(dt, T, ...)                      \
  switch (dt) {                                              \
    case ::nt::DType::F32: { using T = float; __VA_ARGS__; break; }  \
    case ::nt::DType::F64: { using T = double; __VA_ARGS__; break; } \
    case ::nt::DType::I64: { using T = int64_t; __VA_ARGS__; break; } \
    default: throw ::nt::TorchError(std::string("internal: bad compute dtype ") + ::nt::dtype_name(dt)); \
  }

}  // namespace nt
