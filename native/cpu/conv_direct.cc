// conv_direct.cc - float32 2-D convolution (groups 1) forward, input gradient and weight gradient as direct,
// register-tiled convolutions in oneDNN's manner: output channels in blocks of 16/32 (AVX2/AVX-512 vector lanes)
// held in registers against a tile of output pixels, input channels and kernel taps streamed, weights packed into
// [channel block][tap][lanes] panels (a cached inference pack, or each block's panel packed by the thread that
// reaches it, so it stays in L2). No column matrix: every input element is read where it lies (through a
// per-pixel offset and a per-tap offset into a zero-bordered copy of the input), so 3x3 / 1x1 / 7x7, any stride,
// padding and dilation take the same loop. A tile of consecutive output pixels is transposed in registers and
// stored as channel rows. The micro-kernels are in conv_direct_body.inc, compiled three times (AVX-512, AVX2+FMA,
// portable) and picked at run time (NODETORCH_CPU_ISA=avx2|generic overrides, as for the GEMM: see simd.cc).
//
// Forward       out[n,oc,oh,ow] = b[oc] + sum_{c,i,j} x[n,c,oh*sh-ph+i*dh, ow*sw-pw+j*dw] w[oc,c,i,j]
// Input grad    gx[n,c,h,w] = sum over (oc,i,j) with oh = (h+ph-i*dh)/sh integral (and ow alike) of
//               gout[n,oc,oh,ow] w[oc,c,i,j]: the pixels of gx split into sh*sw phases (h mod sh, w mod sw); in one
//               phase the contributing taps are fixed and oh = h/sh + const, so each phase is a stride-1 direct
//               convolution of a zero-bordered gout with the phase's taps (no zero insertion, no col2im), taps
//               last-first so that gout is read in ascending addresses (descending cost 1.5x). The sum over oc
//               runs in chunks whose weight rows are read once, in order, and packed for every phase at once
//               (partial sums pixel-major between chunks). Where the whole weight's panels fit (kGroupPanelFloats)
//               samples run in groups, each group's gout bordered in a buffer of its thread's just before its tiles
//               (no bordered copy of all of gout); on small images the tiles are short (MPS pixels), one class of
//               pixels each, running exactly their taps from a list (tile2s / tile1s).
// Small images (forward and input gradient): pixels regrouped by which rows (and columns) of taps fall inside the
//               input, each tile running only those taps (TapPlan; 2x2 at 3x3 p1: 4 of 9 taps a pixel).
// Weight grad   gw[oc,c,i,j] = sum_{n,oh,ow} gout[n,oc,oh,ow] x[n,c,oh*sh-ph+i*dh, ow*sw-pw+j*dw]: per group of
//               samples (~256 KB of input copy and gradient, so both stay in L2) the input is zero-bordered and gout
//               transposed to pixel-major; a register tile of taps x channel lanes accumulates over chunks of
//               pixels; threads own disjoint (channel block, tap tile) slices (and pixel slices with partial
//               sums, over the whole input and gout, when those are fewer than 2 per thread). Few taps (C*kh*kw < 64, stride 1 along w): pixels
//               in vector lanes instead, read from gout's rows as they are (gwr_tile), no transpose. The forward
//               of one input channel (K <= 16) or of few taps and channels likewise (fwr_tile).
// The forward's zero-bordered input copy, where it exceeds 0.9 MB, is made per group of samples (~256 KB) right
// before the group's tiles, so it is read from L2 rather than memory.
// Threads: the library's pool (parallel_for) over (channel block, pixel tile) units. Sums are in float32 in an
// order of their own: results agree with PyTorch (oneDNN, another order) to float32 rounding.
#include <immintrin.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on its own AVX-512 intrinsics (_mm512_undefined_ps)
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>
#include "cpu.h"
#include "../kernels/conv.h"
#include "../kernels/conv_check.h"

namespace nt {

int64_t conv2d_packed_numel(int64_t OC, int64_t K);

namespace {

using conv::Geom;

// ---------------------------------------------------------------------------------------------------------------
// the three compilations of the micro-kernels
// ---------------------------------------------------------------------------------------------------------------
#if defined(__x86_64__) || defined(__i386__)
#define NT_CONV_X86 1
#pragma GCC push_options
#pragma GCC target("avx512f,fma")
// the micro-kernels' loops on 64-byte boundaries: an unrelated change that moved the AVX2 tile's K loop to a 32-byte
// boundary (3 cache lines instead of 2) cost its forward 5-8% (16x16, 64 channels)
#pragma GCC optimize("align-loops=64")
namespace k512 {
typedef __m512 vf;
constexpr int VL = 16;
static inline vf vload(const float* p) { return _mm512_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf vset1(float x) { return _mm512_set1_ps(x); }
static inline vf vzero() { return _mm512_setzero_ps(); }
static inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
constexpr int MP = 14;  // output pixels per register tile (the wrappers at the end of the body use it)
constexpr int MPS = 8;  // the input gradient's short tiles (small images: tiles of one class of pixels, tile2s / tile1s)
constexpr int GWR_OT = 4, GWR_KT = 6;  // gwr_tile: output channels x taps (24 accumulators)
static inline vf vload_n(const float* p, int m) { return m == VL ? vload(p) : _mm512_maskz_loadu_ps((__mmask16)((1u << m) - 1), p); }
static inline void vstore_n(float* p, vf v, int m) {
  if (m == VL) vstore(p, v);
  else _mm512_mask_storeu_ps(p, (__mmask16)((1u << m) - 1), v);
}
constexpr int FWR_OT = 4, FWR_RT = 6;  // fwr_tile: output channels x output rows (24 accumulators)
// the tile's epilogue for a run of np (<= 16) consecutive output pixels: r[p * rs] (p < np) holds pixel p's 16
// channels; channel j (< noc) goes to o0[j * ocs + 0 .. np). A 16 x 16 transpose in registers, masked stores
template <int R>  // R: rows (pixels) the caller has, np <= R
static inline bool store_run(const vf* r, int rs, int np, float* o0, int64_t ocs, int noc) {
  vf t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    const vf a = i < R && i < np ? r[i * rs] : vzero(), b = i + 1 < R && i + 1 < np ? r[(i + 1) * rs] : vzero();
    t[i] = _mm512_unpacklo_ps(a, b);
    t[i + 1] = _mm512_unpackhi_ps(a, b);
  }
  for (int g = 0; g < 4; g++) {  // u[4g + m], 128-bit lane L: channel 4L + m of pixels 4g .. 4g+3
    const __m512d t0 = _mm512_castps_pd(t[4 * g]), t1 = _mm512_castps_pd(t[4 * g + 1]), t2 = _mm512_castps_pd(t[4 * g + 2]),
                  t3 = _mm512_castps_pd(t[4 * g + 3]);
    u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  const __mmask16 mk = (__mmask16)((1u << np) - 1);
  for (int m = 0; m < 4; m++) {
    const vf v0 = _mm512_shuffle_f32x4(u[m], u[4 + m], 0x44), v1 = _mm512_shuffle_f32x4(u[m], u[4 + m], 0xEE);
    const vf w0 = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0x44), w1 = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0xEE);
    const vf c[4] = {_mm512_shuffle_f32x4(v0, w0, 0x88), _mm512_shuffle_f32x4(v0, w0, 0xDD), _mm512_shuffle_f32x4(v1, w1, 0x88),
                     _mm512_shuffle_f32x4(v1, w1, 0xDD)};
    for (int L = 0; L < 4; L++)
      if (4 * L + m < noc) _mm512_mask_storeu_ps(o0 + (4 * L + m) * ocs, mk, c[L]);
  }
  return true;
}
#include "conv_direct_body.inc"
// the input gradient's weight packing, 16 channels of one output channel: s [16][kk] (their taps), tap q's 16 values
// to dst[q] + off[q] (dst[q] null: the tap meets no pixel) by one gather each (two 8 x 8 register transposes and
// their copies per 8 channels were 15% of layer3's [16,256,4,4] input gradient)
void pack_taps16(const float* s, int64_t kk, float* const* dst, const int64_t* off) {
  const __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)kk));
  for (int64_t q = 0; q < kk; q++)
    if (dst[q]) _mm512_storeu_ps(dst[q] + off[q], _mm512_i32gather_ps(idx, s + q, 4));
}
}  // namespace k512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("align-loops=64")
namespace k256 {
typedef __m256 vf;
constexpr int VL = 8;
static inline vf vload(const float* p) { return _mm256_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf vset1(float x) { return _mm256_set1_ps(x); }
static inline vf vzero() { return _mm256_setzero_ps(); }
static inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
constexpr int MP = 6;  // output pixels per register tile (the wrappers at the end of the body use it)
constexpr int MPS = 6;  // the input gradient's short tiles: AVX2's own height already
constexpr int GWR_OT = 2, GWR_KT = 6;  // gwr_tile: output channels x taps (12 accumulators)
static inline vf vload_n(const float* p, int m) {
  if (m == VL) return vload(p);
  return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}
static inline void vstore_n(float* p, vf v, int m) {
  if (m == VL) vstore(p, v);
  else _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), v);
}
constexpr int FWR_OT = 3, FWR_RT = 4;  // fwr_tile: output channels x output rows (12 accumulators)
// as k512's: an 8 x 8 transpose in registers, masked stores
template <int R>  // R: rows (pixels) the caller has, np <= R
static inline bool store_run(const vf* r, int rs, int np, float* o0, int64_t ocs, int noc) {
  vf x[8];
  for (int i = 0; i < 8; i++) x[i] = i < R && i < np ? r[i * rs] : vzero();
  const vf t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]), t2 = _mm256_unpacklo_ps(x[2], x[3]),
           t3 = _mm256_unpackhi_ps(x[2], x[3]), t4 = _mm256_unpacklo_ps(x[4], x[5]), t5 = _mm256_unpackhi_ps(x[4], x[5]),
           t6 = _mm256_unpacklo_ps(x[6], x[7]), t7 = _mm256_unpackhi_ps(x[6], x[7]);
  const vf u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44),
           u3 = _mm256_shuffle_ps(t1, t3, 0xEE), u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  const vf c[8] = {_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20), _mm256_permute2f128_ps(u2, u6, 0x20),
                   _mm256_permute2f128_ps(u3, u7, 0x20), _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
                   _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31)};
  const __m256i mk = _mm256_cmpgt_epi32(_mm256_set1_epi32(np), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int j = 0; j < 8 && j < noc; j++) _mm256_maskstore_ps(o0 + j * ocs, mk, c[j]);
  return true;
}
#include "conv_direct_body.inc"
}  // namespace k256
#pragma GCC pop_options
#endif

namespace kgen {  // portable: GCC vector types, lowered for the baseline ISA
typedef float vf __attribute__((vector_size(32)));
constexpr int VL = 8;
static inline vf vload(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
static inline void vstore(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
static inline vf vset1(float x) { return vf{x, x, x, x, x, x, x, x}; }
static inline vf vzero() { return vf{}; }
static inline vf vfma(vf a, vf b, vf c) { return a * b + c; }
constexpr int MP = 3;  // output pixels per register tile (the wrappers at the end of the body use it)
constexpr int MPS = 3;
constexpr int GWR_OT = 2, GWR_KT = 3;  // gwr_tile: output channels x taps
static inline vf vload_n(const float* p, int m) {
  vf v = vzero();
  std::memcpy(&v, p, sizeof(float) * (size_t)m);
  return v;
}
static inline void vstore_n(float* p, vf v, int m) { std::memcpy(p, &v, sizeof(float) * (size_t)m); }
constexpr int FWR_OT = 2, FWR_RT = 3;  // fwr_tile: output channels x output rows
template <int R>
static inline bool store_run(const vf*, int, int, float*, int64_t, int) { return false; }  // the scalar stores
#include "conv_direct_body.inc"
}  // namespace kgen

typedef void (*TileFn)(const float*, const int64_t*, int, const int64_t*, int64_t, const float*, const float*, float*, const int64_t*,
                       int64_t, int, const float*, float*, int64_t, const int32_t*);
typedef void (*GwFn)(const float*, const int64_t*, const int64_t*, int64_t, const float*, int64_t, float*, int64_t, bool, int);
typedef void (*GwrFn)(const float*, const int64_t*, int64_t, const float*, int64_t, int64_t, int64_t, float*, bool);
typedef void (*FwrFn)(const float*, const int64_t*, int64_t, int64_t, const float*, const float*, int, int, float*, int64_t, int64_t);

// the row-wise forward (fwr_tile) of this CPU's ISA
struct Fwr {
  int ot, rt, vl;
  FwrFn fn;
};
Fwr pick_fwr() {
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) return {k512::FWR_OT, k512::FWR_RT, k512::VL, &k512::fwr};
  if (cpu_has_avx2()) return {k256::FWR_OT, k256::FWR_RT, k256::VL, &k256::fwr};
#endif
  return {kgen::FWR_OT, kgen::FWR_RT, kgen::VL, &kgen::fwr};
}

// the row-wise weight gradient (gwr_tile) of this CPU's ISA
struct Gwr {
  int ot, kt, vl;
  GwrFn fn;
};
Gwr pick_gwr() {
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) return {k512::GWR_OT, k512::GWR_KT, k512::VL, &k512::gwr};
  if (cpu_has_avx2()) return {k256::GWR_OT, k256::GWR_KT, k256::VL, &k256::gwr};
#endif
  return {kgen::GWR_OT, kgen::GWR_KT, kgen::VL, &kgen::gwr};
}

// the input gradient's row copy (copy_rows) of this CPU's ISA
typedef void (*CopyRowsFn)(const float*, int64_t, int64_t, int64_t, float*, int64_t);
CopyRowsFn pick_copy_rows() {
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) return &k512::copy_rows;
  if (cpu_has_avx2()) return &k256::copy_rows;
#endif
  return &kgen::copy_rows;
}

// one ISA's kernels at one channel-block width (OB = nv * VL lanes)
struct Kern {
  int ob, mp, vl;
  TileFn tile;
  GwFn gw;
};

// the widest block that the channel count fills: nv = 2 vectors unless one vector holds every channel
Kern pick(int64_t channels) {
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) {
    if (channels <= k512::VL) return {k512::VL, k512::MP, k512::VL, &k512::tile1, &k512::gw1};
    return {2 * k512::VL, k512::MP, k512::VL, &k512::tile2, &k512::gw2};
  }
  if (cpu_has_avx2()) {
    if (channels <= k256::VL) return {k256::VL, k256::MP, k256::VL, &k256::tile1, &k256::gw1};
    return {2 * k256::VL, k256::MP, k256::VL, &k256::tile2, &k256::gw2};
  }
#endif
  if (channels <= kgen::VL) return {kgen::VL, kgen::MP, kgen::VL, &kgen::tile1, &kgen::gw1};
  return {2 * kgen::VL, kgen::MP, kgen::VL, &kgen::tile2, &kgen::gw2};
}

// the input gradient's short tiles (MPS pixels) at pick()'s block width: on small images each tile one class of
// pixels (those whose taps inside the input are the same), 8 | 16 | 64 pixels of them at 3x3 p1 on 2x2 | 4x4 | 8x8
Kern pick_short(int64_t channels) {
  Kern k = pick(channels);
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) { k.mp = k512::MPS; k.tile = k.ob > k512::VL ? &k512::tile2s : &k512::tile1s; }
  else if (cpu_has_avx2()) { k.mp = k256::MPS; k.tile = k.ob > k256::VL ? &k256::tile2s : &k256::tile1s; }
#endif
  return k;
}

// float scratch owned by one call, from the library's CPU allocator (64-byte aligned; large blocks come back from its
// cache without page faults: fresh mmap'd scratch cost 10% of a backward in page clearing)
struct Buf {
  float* p = nullptr;
  size_t bytes;
  explicit Buf(size_t n) : bytes(std::max<size_t>(64, n * sizeof(float))) { p = static_cast<float*>(cpu_alloc(bytes)); }
  ~Buf() { cpu_free(p, bytes); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
};

// dst [N, C, top + H + bottom, left + W + right] = src [N, C, H, W] (any strides) with a zero border
void pad_copy(const float* src, const int64_t* st, int64_t N, int64_t C, int64_t H, int64_t W, int64_t top, int64_t left,
              int64_t Hp, int64_t Wp, float* dst) {
  parallel_for(N * C, std::max<int64_t>(1, 16384 / std::max<int64_t>(Hp * Wp, 1)), [=](int64_t p0, int64_t p1) {
    for (int64_t pl = p0; pl < p1; pl++) {
      const float* s = src + (pl / C) * st[0] + (pl % C) * st[1];
      float* d = dst + pl * Hp * Wp;
      std::memset(d, 0, sizeof(float) * (size_t)(top * Wp));
      for (int64_t h = 0; h < H; h++) {
        float* r = d + (top + h) * Wp;
        for (int64_t w = 0; w < left; w++) r[w] = 0.f;
        if (st[3] == 1) std::memcpy(r + left, s + h * st[2], sizeof(float) * (size_t)W);
        else for (int64_t w = 0; w < W; w++) r[left + w] = s[h * st[2] + w * st[3]];
        for (int64_t w = left + W; w < Wp; w++) r[w] = 0.f;
      }
      std::memset(d + (top + H) * Wp, 0, sizeof(float) * (size_t)((Hp - top - H) * Wp));
    }
  });
}

// pad_copy for an input with unit column stride: padp of this CPU's ISA, planes on the pool
void pad_copy_rows(const float* src, const int64_t* st, int64_t N, int64_t C, int64_t H, int64_t W, int64_t top, int64_t left, int64_t Hp,
                   int64_t Wp, float* dst) {
  typedef void (*PadFn)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float*,
                        int64_t, int64_t);
  PadFn fn = &kgen::padp;
#ifdef NT_CONV_X86
  if (cpu_has_avx512()) fn = &k512::padp;
  else if (cpu_has_avx2()) fn = &k256::padp;
#endif
  const int64_t sn = st[0], sc = st[1], sh = st[2];
  parallel_for(N * C, std::max<int64_t>(1, 16384 / std::max<int64_t>(Hp * Wp, 1)),
               [=](int64_t p0, int64_t p1) { fn(src, sn, sc, sh, C, H, W, top, left, Hp, Wp, dst, p0, p1); });
}

#ifdef NT_CONV_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma")
// d[c * ldd + r] = s[r * lds + c], r, c < 8: in registers (AVX)
void transpose8(const float* s, int64_t lds, float* d, int64_t ldd) {
  __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + lds), r2 = _mm256_loadu_ps(s + 2 * lds), r3 = _mm256_loadu_ps(s + 3 * lds);
  __m256 r4 = _mm256_loadu_ps(s + 4 * lds), r5 = _mm256_loadu_ps(s + 5 * lds), r6 = _mm256_loadu_ps(s + 6 * lds), r7 = _mm256_loadu_ps(s + 7 * lds);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5), t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE), u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#pragma GCC pop_options
#endif

// dst[c * ldd + r] = src[r * lds + c] for r < R, c < Cn, over the 32 x 32 tiles u0..u1 (row-tile major); whole 8 x 8
// blocks in AVX registers where the CPU has AVX2, the rest through a local copy of the tile (reading the source
// column-wise straight from memory hit the L1 cache's set conflicts when lds is a multiple of a large power of two:
// packing a weight of K = 4608 cost 0.6x the convolution)
constexpr int64_t kT = 32;
void transpose_tiles(const float* src, int64_t lds, int64_t R, int64_t Cn, float* dst, int64_t ldd, int64_t u0, int64_t u1) {
  const int64_t tc = (Cn + kT - 1) / kT;
#ifdef NT_CONV_X86
  const bool avx = cpu_has_avx2();
#endif
  alignas(64) float t[kT][kT];
  for (int64_t u = u0; u < u1; u++) {
    const int64_t r0 = (u / tc) * kT, c0 = (u % tc) * kT, nr = std::min(R, r0 + kT) - r0, nc = std::min(Cn, c0 + kT) - c0;
    int64_t r8 = 0, c8 = 0;
#ifdef NT_CONV_X86
    if (avx) {
      r8 = nr & ~(int64_t)7;
      c8 = nc & ~(int64_t)7;
      for (int64_t r = 0; r < r8; r += 8)
        for (int64_t c = 0; c < c8; c += 8) transpose8(src + (r0 + r) * lds + c0 + c, lds, dst + (c0 + c) * ldd + r0 + r, ldd);
      if (r8 == nr && c8 == nc) continue;
    }
#endif
    for (int64_t r = 0; r < nr; r++) std::memcpy(t[r], src + (r0 + r) * lds + c0, sizeof(float) * (size_t)nc);
    for (int64_t c = 0; c < nc; c++)
      for (int64_t r = c < c8 ? r8 : 0; r < nr; r++) dst[(c0 + c) * ldd + r0 + r] = t[r][c];
  }
}
// the same over every tile, on the pool
void transpose(const float* src, int64_t lds, int64_t R, int64_t Cn, float* dst, int64_t ldd) {
  const int64_t n = ((R + kT - 1) / kT) * ((Cn + kT - 1) / kT);
  parallel_for(n, 16, [=](int64_t u0, int64_t u1) { transpose_tiles(src, lds, R, Cn, dst, ldd, u0, u1); });
}

// packed weights of channel block b: wp[k][l] = w[b*ob + l][k] (w row-major [rows][K]); lanes past `rows` are 0.
// One thread's work (the pool's chunks call it for their own blocks)
void pack_block(const float* w, int64_t rows, int64_t K, int ob, int64_t b, float* wp) {
  const int64_t r = std::min<int64_t>(ob, rows - b * ob);
  if (r < ob) std::memset(wp, 0, sizeof(float) * (size_t)(K * ob));
  transpose_tiles(w + b * ob * K, K, r, K, wp, ob, 0, ((r + kT - 1) / kT) * ((K + kT - 1) / kT));
}
// every block, on the pool
void pack(const float* w, int64_t rows, int64_t K, int ob, float* wp) {
  const int64_t nb = (rows + ob - 1) / ob;
  parallel_for(nb, 1, [=](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) pack_block(w, rows, K, ob, b, wp + b * K * ob);
  });
}

// packs channel block b's weight panel (K x ob floats) into dst
typedef std::function<void(int64_t b, float* dst)> PackFn;

// The taps a tile needs. A 3x3 kernel at padding 1 meets the zero border with 5 of its 9 taps at every pixel of a
// 2x2 image (4x4: 31% of the products, 8x8: 16%): the pixels are regrouped by which rows and columns of taps fall
// inside the input (their masks), and a tile runs only the rows and columns of taps inside for one of its pixels.
// K = nch channels x nrt rows x nct columns of taps, tap k = (c * nrt + a) * nct + b.
struct TapPlan {
  std::vector<int64_t> order;  // pixel p of the new order is pixel order[p] of the old
  std::vector<int32_t> rg;     // per tile 6: its rows a0 .. a1 and columns b0 .. b1 of taps, nrt, nct
};
// Pixels p = (n * R + r) * W + c, n < N; rr[r], cc[c]: the rows (bit a) and columns (bit b) of taps inside the input at
// row r, column c. False (no plan) where the regrouping would save under 15% of the estimated time or K < 1024 (the
// span loops and the split stores of regrouped tiles ate the gain below that, measured on ResNet's shapes)
bool plan_taps(const std::vector<uint32_t>& rr, const std::vector<uint32_t>& cc0, int64_t N, int64_t nrt, int64_t nct, int64_t nch,
               const Kern& kn, TapPlan& tp, bool rows_only, double cut_override = 0, int64_t kmin_override = 0) {
  // rows_only: every column of taps kept (the pixels of a row stay together, most tiles one run of them, and each
  // channel's taps one contiguous span): less saved, at next to no cost
  const std::vector<uint32_t> call(rows_only ? cc0.size() : 0, nct >= 32 ? ~0u : (1u << nct) - 1);
  const std::vector<uint32_t>& cc = rows_only ? call : cc0;
  const int64_t R = (int64_t)rr.size(), W = (int64_t)cc.size(), P = N * R * W;
  const double cut = cut_override > 0 ? cut_override : rows_only ? 0.93 : 0.85, st = rows_only ? 80 : 160;
  const int64_t mp = kn.mp, nv = std::max(1, kn.ob / kn.vl), nt = (P + mp - 1) / mp;
  if (P == 0 || nrt > 32 || nct > 32 || nch * nrt * nct > (int64_t)1 << 30) return false;
  // in cycles a tile and a block: mp * nv vector products a tap (2 a cycle), and the stores: a run of consecutive
  // pixels transposed in registers (~64), 2-3 runs of them where pixels are regrouped (~160). First the bound that every
  // tile holds one kind of pixel (no regrouping where even that does not pay: it costs a sort)
  int64_t sr = 0, sc = 0;
  for (uint32_t m : rr) sr += __builtin_popcount(m);
  for (uint32_t m : cc) sc += __builtin_popcount(m);
  const double before = (double)nt * ((double)mp * nv * nch * nrt * nct / 2 + 64);
  const double best = (double)N * sr * sc * nv * nch / 2 + (double)nt * st;
  if (best > cut * before || nch * nrt * nct < (kmin_override > 0 ? kmin_override : rows_only ? 256 : 1024)) return false;  // (16x16 3x3 p0 input gradient, 576 taps, at 0.8: none)
  // the pixels in the order of their (row mask, column mask): a counting sort over the masks' ranks
  std::vector<uint32_t> ru(rr), cu(cc);
  std::sort(ru.begin(), ru.end());
  ru.erase(std::unique(ru.begin(), ru.end()), ru.end());
  std::sort(cu.begin(), cu.end());
  cu.erase(std::unique(cu.begin(), cu.end()), cu.end());
  const int64_t ncls = (int64_t)(ru.size() * cu.size());
  std::vector<int64_t> rk((size_t)R), ck((size_t)W), cnt((size_t)ncls + 1, 0);
  for (int64_t r = 0; r < R; r++) rk[(size_t)r] = (int64_t)(std::lower_bound(ru.begin(), ru.end(), rr[(size_t)r]) - ru.begin()) * (int64_t)cu.size();
  for (int64_t c = 0; c < W; c++) ck[(size_t)c] = std::lower_bound(cu.begin(), cu.end(), cc[(size_t)c]) - cu.begin();
  for (int64_t r = 0; r < R; r++)
    for (int64_t c = 0; c < W; c++) cnt[(size_t)(rk[(size_t)r] + ck[(size_t)c] + 1)] += N;
  for (int64_t k = 0; k < ncls; k++) cnt[(size_t)(k + 1)] += cnt[(size_t)k];
  tp.order.resize((size_t)P);
  for (int64_t p = 0; p < P; p++) tp.order[(size_t)cnt[(size_t)(rk[(size_t)(p / W % R)] + ck[(size_t)(p % W)])]++] = p;
  tp.rg.resize((size_t)(nt * 6));
  int64_t total = 0;
  for (int64_t t = 0; t < nt; t++) {
    uint32_t Rm = 0, Cm = 0;
    for (int64_t p = t * mp; p < std::min(P, (t + 1) * mp); p++) {
      const int64_t o = tp.order[(size_t)p];
      Rm |= rr[(size_t)(o / W % R)];
      Cm |= cc[(size_t)(o % W)];
    }
    int32_t* g = tp.rg.data() + t * 6;  // the masks' spans (a superset where a span has holes: those taps read zeros)
    g[0] = Rm ? __builtin_ctz(Rm) : 0;
    g[1] = Rm ? 32 - __builtin_clz(Rm) : 0;
    g[2] = Cm ? __builtin_ctz(Cm) : 0;
    g[3] = Cm ? 32 - __builtin_clz(Cm) : 0;
    g[4] = (int32_t)nrt;
    g[5] = (int32_t)nct;
    total += (int64_t)(g[1] - g[0]) * (g[3] - g[2]);
  }
  const double after = (double)total * mp * nv * nch / 2 + (double)nt * st;
  if (after > cut * before) return false;  // (8x8 at 0.87 measured no gain: the span loops cost too)
  return true;
}
// pin, pout permuted into the plan's order
void apply_order(const TapPlan& tp, std::vector<int64_t>& v) {
  std::vector<int64_t> u(v.size());
  for (size_t p = 0; p < v.size(); p++) u[p] = v[(size_t)tp.order[p]];
  v.swap(u);
}

// out channels `rows` x pixels P: every (channel block, pixel tile) unit on the pool. Weights: the packed panels wp,
// or, with wp null, packb builds each block's panel as a thread reaches it, into that thread's buffer (it stays in
// the L2 cache for the block's pixel tiles: packing the whole weight first wrote and reread it through memory, as
// much time as the convolution at 512 channels)
// ain / aout (lda floats a pixel): the partial sums of a K split into chunks, pixel-major (see tile())
void run_tiles(const Kern& kn, const float* in, const int64_t* pin, const int64_t* pout, int64_t P, const int64_t* toff, int64_t K,
               const float* wp, const PackFn* packb, const float* bias, float* out, int64_t ocs, int64_t rows,
               const float* ain = nullptr, float* aout = nullptr, int64_t lda = 0, const TapPlan* tp = nullptr) {
  const int64_t nb = (rows + kn.ob - 1) / kn.ob, nt = (P + kn.mp - 1) / kn.mp;
  const int64_t work = std::max<int64_t>(1, K * kn.mp * kn.ob);
  parallel_for(nb * nt, std::max<int64_t>(1, (1 << 17) / work), [&](int64_t u0, int64_t u1) {
    std::unique_ptr<Buf> own;
    int64_t have = -1;
    if (!wp) own.reset(new Buf((size_t)(K * kn.ob)));
    for (int64_t u = u0; u < u1; u++) {
      const int64_t b = u / nt, t = u % nt;
      const int64_t p0 = t * kn.mp;
      const int np = (int)std::min<int64_t>(kn.mp, P - p0);
      if (!wp && b != have) { (*packb)(b, own->p); have = b; }
      kn.tile(in, pin + p0, np, toff, K, wp ? wp + b * K * kn.ob : own->p, bias ? bias + b * kn.ob : nullptr, out + b * kn.ob * ocs, pout + p0, ocs,
              (int)std::min<int64_t>(kn.ob, rows - b * kn.ob), ain ? ain + p0 * lda + b * kn.ob : nullptr,
              aout ? aout + p0 * lda + b * kn.ob : nullptr, lda, tp ? tp->rg.data() + t * 6 : nullptr);
    }
  });
}

// the per-pixel offsets of a convolution's receptive fields in a padded input [N, C, Hp, Wp] (pin) and of the
// output pixels in [N, OC, OH, OW] (pout), pixels in (n, oh, ow) order
void pixel_tables(int64_t N, int64_t C, int64_t Hp, int64_t Wp, int64_t OC, const Geom& g, std::vector<int64_t>& pin,
                  std::vector<int64_t>* pout) {
  const int64_t L = g.oh * g.ow;
  pin.resize((size_t)(N * L));
  if (pout) pout->resize((size_t)(N * L));
  for (int64_t n = 0; n < N; n++)
    for (int64_t oh = 0; oh < g.oh; oh++)
      for (int64_t ow = 0; ow < g.ow; ow++) {
        const int64_t p = (n * g.oh + oh) * g.ow + ow;
        pin[(size_t)p] = n * C * Hp * Wp + oh * g.sh * Wp + ow * g.sw;
        if (pout) (*pout)[(size_t)p] = n * OC * L + oh * g.ow + ow;
      }
}

// the x operand, padded (or as it is when unpadded and contiguous); sets Hp, Wp
const float* padded_input(const TensorArg& x, const Geom& g, std::unique_ptr<Buf>& keep, int64_t& Hp, int64_t& Wp) {
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  Hp = H + 2 * g.ph;
  Wp = W + 2 * g.pw;
  if (g.ph == 0 && g.pw == 0 && x.contiguous()) return x.ptr<const float>();
  keep.reset(new Buf((size_t)(N * C * Hp * Wp)));
  if (x.stride[3] == 1 && W > 0) pad_copy_rows(x.ptr<const float>(), x.stride, N, C, H, W, g.ph, g.pw, Hp, Wp, keep->p);
  else pad_copy(x.ptr<const float>(), x.stride, N, C, H, W, g.ph, g.pw, Hp, Wp, keep->p);
  return keep->p;
}

}  // namespace

int64_t conv2d_packed_numel(int64_t OC, int64_t K) { return (OC + 31) / 32 * 32 * K; }  // every ISA's blocks fit

// ---------------------------------------------------------------------------------------------------------------
// forward: out [N, OC, OH, OW] (contiguous) = conv(x [N, C, H, W] any strides, w [OC, C, kh, kw] contiguous) + b
// ---------------------------------------------------------------------------------------------------------------
void conv2d_direct_f32(const TensorArg& out, const TensorArg& x, const TensorArg& w, const TensorArg* bias, const Geom& g,
                       const float* packed) {
  const int64_t N = x.shape[0], C = x.shape[1], OC = w.shape[0];
  const int64_t K = C * g.kh * g.kw, L = g.oh * g.ow;
  const Kern kn = pick(OC);
  const int64_t Hp = x.shape[2] + 2 * g.ph, Wp = x.shape[3] + 2 * g.pw;
  std::unique_ptr<Buf> xbuf;
  std::vector<int64_t> toff((size_t)K), pin, pout;
  for (int64_t c = 0; c < C; c++)
    for (int64_t i = 0; i < g.kh; i++)
      for (int64_t j = 0; j < g.kw; j++) toff[(size_t)((c * g.kh + i) * g.kw + j)] = c * Hp * Wp + i * g.dh * Wp + j * g.dw;
  const Fwr fr = pick_fwr();
  if (g.sw == 1 && (K <= 16 || (K < 64 && OC <= fr.vl)) && OC >= fr.ot && w.contiguous()) {
    int64_t hp_, wp_;
    const float* xp = padded_input(x, g, xbuf, hp_, wp_);
    // very few taps (one input channel) or few taps and channels: output pixels in vector lanes, rows stored
    // straight into NCHW (the channel-lane tile spent most of its time transposing its few products into place;
    // at 27 taps x 64 channels it is the faster of the two, on AVX2 by 1.3x)
    const float* w0 = w.ptr<const float>();
    std::vector<float> bv;
    if (bias) {
      bv.resize((size_t)OC);
      for (int64_t oc = 0; oc < OC; oc++) bv[(size_t)oc] = bias->ptr<const float>()[oc * bias->stride[0]];
    }
    const int64_t nrg = (g.oh + fr.rt - 1) / fr.rt, nv = (g.ow + fr.vl - 1) / fr.vl, not_ = (OC + fr.ot - 1) / fr.ot;
    const int64_t CHW = C * Hp * Wp, xrs = g.sh * Wp;
    float* o0 = out.ptr<float>();
    const float* bp0 = bias ? bv.data() : nullptr;
    const int64_t* tf = toff.data();
    parallel_for(N * nrg, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, K * OC * nv)), [&](int64_t u0, int64_t u1) {
      for (int64_t u = u0; u < u1; u++) {
        const int64_t n = u / nrg, r0 = (u % nrg) * fr.rt;
        const int nr = (int)std::min<int64_t>(fr.rt, g.oh - r0);
        for (int64_t v = 0; v < nv; v++) {
          const int m = (int)std::min<int64_t>(fr.vl, g.ow - v * fr.vl);
          for (int64_t t = 0; t < not_; t++) {
            const int64_t oc0 = std::min<int64_t>(t * fr.ot, OC - fr.ot);  // a partial last tile ends at OC
            fr.fn(xp + n * CHW + r0 * xrs + v * fr.vl, tf, K, xrs, w0 + oc0 * K, bp0 ? bp0 + oc0 : nullptr, nr, m,
                  o0 + (n * OC + oc0) * L + r0 * g.ow + v * fr.vl, L, g.ow);
          }
        }
      }
    });
    return;
  }
  TapPlan tp;
  bool planned = false;
  if (g.ph > 0 || g.pw > 0) {  // which taps of each pixel fall inside the input
    std::vector<uint32_t> rr((size_t)g.oh), cc((size_t)g.ow);
    for (int64_t oh = 0; oh < g.oh; oh++)
      for (int64_t i = 0; i < g.kh && i < 32; i++) {
        const int64_t h = oh * g.sh - g.ph + i * g.dh;
        if (h >= 0 && h < x.shape[2]) rr[(size_t)oh] |= 1u << i;
      }
    for (int64_t ow = 0; ow < g.ow; ow++)
      for (int64_t j = 0; j < g.kw && j < 32; j++) {
        const int64_t v = ow * g.sw - g.pw + j * g.dw;
        if (v >= 0 && v < x.shape[3]) cc[(size_t)ow] |= 1u << j;
      }
    planned = plan_taps(rr, cc, N, g.kh, g.kw, C, kn, tp, false) || plan_taps(rr, cc, N, g.kh, g.kw, C, kn, tp, true);
  }
  const int64_t nb = (OC + kn.ob - 1) / kn.ob;
  const float* w0 = w.ptr<const float>();
  const int ob = kn.ob;
  const PackFn packb = [=](int64_t b, float* dst) { pack_block(w0, OC, K, ob, b, dst); };  // without `packed`: per block
  std::vector<float> bp;
  if (bias) {
    bp.assign((size_t)(nb * kn.ob), 0.f);
    const float* b0 = bias->ptr<const float>();
    for (int64_t oc = 0; oc < OC; oc++) bp[(size_t)oc] = b0[oc * bias->stride[0]];
  }
  // Samples in groups whose zero-bordered copy (~256 KB) stays in the L2 cache between its writing and the tiles'
  // reading: the whole input's copy went through memory (a stride-2 layer spent 7% of its time there). Not for
  // regrouped pixels (small images: the copy is small), nor weights of more than 2 MB (packed once for all groups
  // here, where per-block packing keeps a block's panel in L2). [32,64,32,32] -> 64: 19.0 -> 15.1 ms (its 9.5 MB copy
  // was read from memory once per channel block). NODETORCH_CONV_FWD_GROUP=0: one copy of the whole input (comparisons)
  static const bool group_env = [] { const char* e = getenv("NODETORCH_CONV_FWD_GROUP"); return !(e && std::string(e) == "0"); }();
  const bool copy = !(g.ph == 0 && g.pw == 0 && x.contiguous());
  const int64_t plane = C * Hp * Wp, NG0 = std::max<int64_t>(1, (int64_t)65536 / std::max<int64_t>(1, plane));
  const int64_t NG = (N + (N + NG0 - 1) / NG0 - 1) / ((N + NG0 - 1) / NG0);  // groups of equal size
  // (above 0.9 MB of copy: MNIST conv2's 1.0 MB gained 7%, the stem's 0.94 MB 3%, the 8x8 128-channel layer's 0.8 MB
  // nothing)
  if (group_env && copy && !planned && NG < N && N * plane > 230000 && (packed || nb * kn.ob * K <= (int64_t)1 << 19)) {
    std::unique_ptr<Buf> wall;
    if (!packed) {
      wall.reset(new Buf((size_t)(nb * kn.ob * K)));
      pack(w0, OC, K, kn.ob, wall->p);
    }
    const float* wpk = packed ? packed : wall->p;
    pixel_tables(NG, C, Hp, Wp, OC, g, pin, &pout);
    Buf grp((size_t)(NG * plane));
    const float* x0 = x.ptr<const float>();
    for (int64_t n0 = 0; n0 < N; n0 += NG) {
      const int64_t ng = std::min(NG, N - n0);
      if (x.stride[3] == 1 && x.shape[3] > 0) pad_copy_rows(x0 + n0 * x.stride[0], x.stride, ng, C, x.shape[2], x.shape[3], g.ph, g.pw, Hp, Wp, grp.p);
      else pad_copy(x0 + n0 * x.stride[0], x.stride, ng, C, x.shape[2], x.shape[3], g.ph, g.pw, Hp, Wp, grp.p);
      run_tiles(kn, grp.p, pin.data(), pout.data(), ng * L, toff.data(), K, wpk, nullptr, bias ? bp.data() : nullptr, out.ptr<float>() + n0 * OC * L,
                L, OC);
    }
    return;
  }
  int64_t hp_, wp_;
  const float* xp = padded_input(x, g, xbuf, hp_, wp_);
  pixel_tables(N, C, Hp, Wp, OC, g, pin, &pout);
  if (planned) { apply_order(tp, pin); apply_order(tp, pout); }
  run_tiles(kn, xp, pin.data(), pout.data(), N * L, toff.data(), K, packed, &packb, bias ? bp.data() : nullptr, out.ptr<float>(), L, OC,
            nullptr, nullptr, 0, planned ? &tp : nullptr);
}

namespace {

// ---------------------------------------------------------------------------------------------------------------
// conv2d_pack_weight: t0 packed float32 (contiguous, at least ceil(OC/32)*32 * C*kh*kw elements) <- t1 w [OC, C, kh,
//   kw] float32 (contiguous): the forward's weight panels, for lib/ to keep while the weight is unchanged (inference
//   calls conv2d with it: attr a11 = 1). The layout is this process's ISA's; nothing outside this file reads it.
// ---------------------------------------------------------------------------------------------------------------
void pack_weight(Call& c) {
  if (c.nt != 2) throw TorchError("internal: conv2d_pack_weight expects packed, w");
  const TensorArg &pk = c.t[0], &w = c.t[1];
  conv::check_4d(w, "conv2d_pack_weight");
  if (pk.dtype != DType::F32 || w.dtype != DType::F32 || !pk.contiguous() || !w.contiguous()) throw TorchError("internal: conv2d_pack_weight operands");
  const int64_t OC = w.shape[0], K = w.shape[1] * w.shape[2] * w.shape[3];
  if (pk.numel() < conv2d_packed_numel(OC, K)) throw TorchError("internal: conv2d_pack_weight buffer too small");
  const Kern kn = pick(OC);
  pack(w.ptr<const float>(), OC, K, kn.ob, pk.ptr<float>());
}

// ---------------------------------------------------------------------------------------------------------------
// conv2d_backward_input: t0 gx [N, C, H, W] (contiguous; overwritten) <- t1 gout [N, OC, OH, OW] (any strides),
//   t2 w [OC, C, kh, kw] (contiguous); a0..a9 the forward's geometry (im2col's attrs). float32, groups 1.
// ---------------------------------------------------------------------------------------------------------------
constexpr int64_t kPanelFloats = 128 * 1024;  // the input gradient's weight panels per chunk of output channels (512 KB: 2x2 at 512 channels 10% faster than 1 MB)
constexpr int64_t kGroupPanelFloats = 160 * 1024;  // grouped input gradient: the whole weight's panels at most (640 KB)
constexpr double kShortCut = 0.95;  // short tiles: regroup by rows and columns of taps where that saves 5% (see plan_taps)
// grouped input gradient: a chunk of output channels' panel of one block of 16 lanes at most (16 KB: AVX2's 16x16 and
// 32x32 64-channel layers 5-6% faster, MNIST conv2 on AVX-512 5%; AVX-512's 32-lane blocks lost 4% with it)
constexpr int64_t kL1Floats = 4096;
constexpr double kRowsCut = 0.98;   // regrouping by rows of taps only (rows stay runs): where it saves 2% (MNIST conv2, 14x14: 4.8%)
constexpr double kBigCut = 0.97;    // AVX2's listed tiles on larger images: where that saves 3%
constexpr int64_t kGroupFloats = 64 * 1024;        // grouped input gradient: a group's bordered gout at most (256 KB)
void backward_input(Call& c) {
  const Geom g = conv::geom_of(c);
  if (c.nt != 3) throw TorchError("internal: conv2d_backward_input expects gx, gout, w");
  const TensorArg &gx = c.t[0], &go = c.t[1], &w = c.t[2];
  conv::check_4d(gx, "conv2d_backward_input");
  conv::check_4d(go, "conv2d_backward_input");
  conv::check_4d(w, "conv2d_backward_input");
  if (gx.dtype != DType::F32 || go.dtype != DType::F32 || w.dtype != DType::F32) throw TorchError("internal: conv2d_backward_input is float32");
  const int64_t N = gx.shape[0], C = gx.shape[1], H = gx.shape[2], W = gx.shape[3], OC = w.shape[0];
  if (!gx.contiguous() || !w.contiguous() || w.shape[1] != C || w.shape[2] != g.kh || w.shape[3] != g.kw || go.shape[0] != N ||
      go.shape[1] != OC || go.shape[2] != g.oh || go.shape[3] != g.ow)
    throw TorchError("internal: conv2d_backward_input operand shapes");
  if (gx.numel() == 0) return;
  float* gx0 = gx.ptr<float>();
  if (go.numel() == 0) { std::memset(gx0, 0, sizeof(float) * (size_t)gx.numel()); return; }
  const int64_t OH = g.oh, OW = g.ow, sh = g.sh, sw = g.sw;
  // phase taps: for h = sh*h' + rh, tap i contributes iff (rh + ph - i*dh) % sh == 0, at oh = h' + (rh + ph - i*dh)/sh
  auto offs = [](int64_t r, int64_t p, int64_t k, int64_t d, int64_t s, std::vector<int64_t>& tap, std::vector<int64_t>& off) {
    tap.clear();
    off.clear();
    for (int64_t i = k - 1; i >= 0; i--) {  // last tap first: the gradient's rows and columns in ascending order
      const int64_t v = r + p - i * d;
      if (((v % s) + s) % s == 0) { tap.push_back(i); off.push_back(v / s); }
    }
  };
  // the border gout needs: rows oh = h' + off for every phase, tap and h' < ceil((H - rh)/sh)
  int64_t top = 0, bot = 0, left = 0, right = 0;
  std::vector<int64_t> ti, oi, tj, oj;
  for (int64_t r = 0; r < sh && r < H; r++) {
    offs(r, g.ph, g.kh, g.dh, sh, ti, oi);
    const int64_t hn = (H - r + sh - 1) / sh;
    for (int64_t o : oi) { top = std::max(top, -o); bot = std::max(bot, hn - 1 + o - (OH - 1)); }
  }
  for (int64_t r = 0; r < sw && r < W; r++) {
    offs(r, g.pw, g.kw, g.dw, sw, tj, oj);
    const int64_t wn = (W - r + sw - 1) / sw;
    for (int64_t o : oj) { left = std::max(left, -o); right = std::max(right, wn - 1 + o - (OW - 1)); }
  }
  const int64_t Hg = top + OH + bot, Wg = left + OW + right;
  const Kern kn0 = pick(C);
  const int64_t kk = g.kh * g.kw, ob = kn0.ob, nb = (C + ob - 1) / ob, Cp = nb * ob;
  // Grouped (the whole weight's panels fit kGroupPanelFloats): samples in groups of G, each group's gout copied into a
  // zero-bordered buffer of the thread's own (it stays in the L2 cache; the border written once per thread) just
  // before its tiles run. A bordered copy of all of gout wrote and reread it through memory: 15-20% of MNIST conv2's
  // input gradient, most of it per-row memcpy / memset calls on 14-float rows. No border and gout dense: read in place.
  int64_t ntall = 0;
  {
    int64_t nti = 0, ntj = 0;
    for (int64_t r = 0; r < sh && r < H; r++) { offs(r, g.ph, g.kh, g.dh, sh, ti, oi); nti += (int64_t)ti.size(); }
    for (int64_t r = 0; r < sw && r < W; r++) { offs(r, g.pw, g.kw, g.dw, sw, tj, oj); ntj += (int64_t)tj.size(); }
    ntall = nti * ntj;
  }
  const int64_t perOc = std::max<int64_t>(1, ntall * Cp), plane = OC * Hg * Wg;
  const bool border = top + bot + left + right > 0;
  const bool dense_go = go.stride[3] == 1 && go.stride[2] == OW && go.stride[1] == OH * OW && go.stride[0] == OC * OH * OW;
  int64_t G = 0;  // samples per group; 0: not grouped
  if (OC * perOc <= kGroupPanelFloats) {
    const int64_t want = std::min<int64_t>(N, 2 * (int64_t)num_threads());  // groups: at least 2 a thread
    for (int64_t d = 1; d <= N; d++)
      if (N % d == 0 && (d == 1 || d * plane <= kGroupFloats) && N / d >= want) G = d;
  }
  const int64_t Ng = G ? G : N;
  std::unique_ptr<Buf> gpb;
  if (!G) {  // the whole of gout bordered: each plane zeroed at once and its rows copied in vectors (pad_copy's per-row
             // memset / memcpy calls on 2-4-float rows cost 5% of layer3's input gradient)
    gpb.reset(new Buf((size_t)(N * plane)));
    const CopyRowsFn cr = pick_copy_rows();
    const float* g0 = go.ptr<const float>();
    const int64_t* st = go.stride;
    float* d0 = gpb->p;
    parallel_for(N * OC, std::max<int64_t>(1, 16384 / std::max<int64_t>(Hg * Wg, 1)), [=](int64_t q0, int64_t q1) {
      std::memset(d0 + q0 * Hg * Wg, 0, sizeof(float) * (size_t)((q1 - q0) * Hg * Wg));
      for (int64_t q = q0; q < q1; q++) {
        const float* sp = g0 + (q / OC) * st[0] + (q % OC) * st[1];
        float* dp = d0 + q * Hg * Wg + top * Wg + left;
        if (st[3] == 1) cr(sp, st[2], OH, OW, dp, Wg);
        else
          for (int64_t a = 0; a < OH; a++)
            for (int64_t b = 0; b < OW; b++) dp[a * Wg + b] = sp[a * st[2] + b * st[3]];
      }
    });
  }
  // the phases: their taps (tap q = i*kw + j goes to phase qph[q], row qpos[q] of its oc's nt rows; -1: no phase,
  // the tap meets no pixel of gx), their pixel and tap offset tables
  struct Phase {
    int64_t nt, nrt, nct, P, base;  // taps (rows x columns of them), pixels, first pixel in the partial-sum buffer
    std::vector<int64_t> toff, pin, pout;
    std::vector<uint32_t> rm, cm;  // per phase row / column, the rows / columns of taps that meet gout inside (TapPlan)
    TapPlan tp;
    bool planned = false;
    std::vector<int32_t> lists;  // short tiles: the tap lists of the plan's spans, and each tile's (-1: every tap)
    std::vector<int64_t> tl;
  };
  std::vector<Phase> ph;
  std::vector<int64_t> qph((size_t)kk, -1), qpos((size_t)kk, 0);
  int64_t Pall = 0;
  for (int64_t rh = 0; rh < sh && rh < H; rh++) {
    offs(rh, g.ph, g.kh, g.dh, sh, ti, oi);
    for (int64_t rw = 0; rw < sw && rw < W; rw++) {
      offs(rw, g.pw, g.kw, g.dw, sw, tj, oj);
      Phase f;
      f.nt = (int64_t)(ti.size() * tj.size());
      f.nrt = (int64_t)ti.size();
      f.nct = (int64_t)tj.size();
      for (size_t a = 0; a < ti.size(); a++)
        for (size_t b = 0; b < tj.size(); b++) {
          qph[(size_t)(ti[a] * g.kw + tj[b])] = (int64_t)ph.size();
          qpos[(size_t)(ti[a] * g.kw + tj[b])] = (int64_t)(a * tj.size() + b);
        }
      f.toff.resize((size_t)std::max<int64_t>(OC * f.nt, 1));
      for (int64_t oc = 0; oc < OC; oc++)
        for (size_t a = 0; a < ti.size(); a++)
          for (size_t b = 0; b < tj.size(); b++)
            f.toff[(size_t)(oc * f.nt + (int64_t)(a * tj.size() + b))] = oc * Hg * Wg + oi[a] * Wg + oj[b];
      const int64_t hn = (H - rh + sh - 1) / sh, wn = (W - rw + sw - 1) / sw;
      f.P = Ng * hn * wn;
      f.base = Pall;
      Pall += f.P;
      f.pin.resize((size_t)f.P);
      f.pout.resize((size_t)f.P);
      for (int64_t n = 0; n < Ng; n++)
        for (int64_t a = 0; a < hn; a++)
          for (int64_t b = 0; b < wn; b++) {
            const int64_t p = (n * hn + a) * wn + b;
            f.pin[(size_t)p] = n * OC * Hg * Wg + (a + top) * Wg + (b + left);
            f.pout[(size_t)p] = n * C * H * W + (a * sh + rh) * W + (b * sw + rw);
          }
      if (top + bot + left + right > 0 && ti.size() <= 32 && tj.size() <= 32) {
        std::vector<uint32_t> rr((size_t)hn), cc((size_t)wn);
        for (int64_t a = 0; a < hn; a++)
          for (size_t t = 0; t < oi.size(); t++)
            if (a + oi[t] >= 0 && a + oi[t] < OH) rr[(size_t)a] |= 1u << t;
        for (int64_t b = 0; b < wn; b++)
          for (size_t t = 0; t < oj.size(); t++)
            if (b + oj[t] >= 0 && b + oj[t] < OW) cc[(size_t)b] |= 1u << t;
        f.rm.swap(rr);
        f.cm.swap(cc);
      }
      ph.push_back(std::move(f));
    }
  }
  // the sum over (oc, tap) in chunks of kc output channels whose panels (every phase's, every channel block's: kc *
  // ntall * Cp floats) stay in the L2 cache: each chunk's weight rows w[o0 .. o1) are read once, in order, and
  // packed for every phase at once (packing per channel block read the weight in 1 KB runs 18 KB apart, as slow as
  // the arithmetic at 512 channels on 2x2 pixels; per stride-2 phase it read the weight 4 times). Between chunks the
  // sums wait, pixel-major, in acc.
  // small images with a border: short tiles, each (nearly) one class of pixels, every class's taps inside exactly
  // (the 14-pixel tiles mixed classes: 22% more products than needed at 4x4, 59% at 2x2)
  bool short_tiles = false;
  if (border) {
    int64_t most = 0;
    for (const Phase& F : ph) most = std::max(most, Ng ? F.P / Ng : 0);
    short_tiles = most <= 64;
  }
  // larger images: AVX2's short tiles are its usual height (6), and regrouping pays where it saves 3% (the unpadded
  // 16x16 layer's input gradient, whose taps reach 2 pixels into the border: 21% fewer products, 4% faster; the 16x16
  // padded one: 7% fewer, 3% faster; not 32x32: 3% fewer, 2% slower)
  const bool big_listed = !short_tiles && border && pick_short(C).mp == kn0.mp && pick_short(C).tile != kn0.tile;
  const Kern kn = short_tiles || big_listed ? pick_short(C) : kn0;
  const int64_t kc0 = G ? OC : std::max<int64_t>(std::min<int64_t>(OC, 8), std::min<int64_t>(OC, kPanelFloats / perOc));
  const int64_t nch = (OC + kc0 - 1) / kc0, kc = (OC + nch - 1) / nch;
  for (Phase& F : ph)
    if (!F.rm.empty() && F.nt > 0) {
      F.planned = plan_taps(F.rm, F.cm, Ng, F.nrt, F.nct, OC, kn, F.tp, false, kn.tile == kn0.tile ? 0 : big_listed ? kBigCut : kShortCut, kn.tile != kn0.tile ? 1 : 0) ||  // (OC: the whole sum, chunks or not)
                  plan_taps(F.rm, F.cm, Ng, F.nrt, F.nct, OC, kn, F.tp, true, kRowsCut);
      if (F.planned) { apply_order(F.tp, F.pin); apply_order(F.tp, F.pout); }
    }
  // short tiles (tile2s / tile1s): each planned tile's taps as one list (none: every tap), shared by the tiles of a span
  const bool listed = kn.tile != kn0.tile;
  if (listed)
    for (Phase& F : ph) {
      if (!F.planned) continue;
      const int64_t nt = (F.P + kn.mp - 1) / kn.mp;
      F.tl.assign((size_t)nt, -1);
      std::vector<std::pair<int64_t, int64_t>> seen;  // (span key, list offset)
      for (int64_t t = 0; t < nt; t++) {
        const int32_t* r = F.tp.rg.data() + t * 6;
        const int64_t a0 = r[0], a1 = r[1], b0 = r[2], b1 = r[3], nrt = r[4], nct = r[5];
        if (a0 == 0 && a1 == nrt && b0 == 0 && b1 == nct) continue;
        const int64_t key = ((a0 * 64 + a1) * 64 + b0) * 64 + b1;
        int64_t at = -1;
        for (const auto& kv : seen)
          if (kv.first == key) at = kv.second;
        if (at < 0) {
          at = (int64_t)F.lists.size();
          seen.push_back({key, at});
          F.lists.push_back((int32_t)((a1 - a0) * (b1 - b0)));
          F.lists.push_back((int32_t)(nrt * nct));
          for (int64_t c = 0; c < OC; c++)
            for (int64_t a = a0; a < a1; a++)
              for (int64_t b = b0; b < b1; b++) F.lists.push_back((int32_t)((c * nrt + a) * nct + b));
        }
        F.tl[(size_t)t] = at;
      }
    }
  // tile t's taps: a list (listed), a TapPlan range, or null (every tap)
  auto rgof = [listed](const Phase& F, int64_t t) -> const int32_t* {
    if (!F.planned) return nullptr;
    if (!listed) return F.tp.rg.data() + t * 6;
    return F.tl[(size_t)t] < 0 ? nullptr : F.lists.data() + F.tl[(size_t)t];
  };
  Buf panels((size_t)(kc * perOc));
  std::unique_ptr<Buf> acc;
  if (nch > 1) acc.reset(new Buf((size_t)(Pall * Cp)));
  const float* w0 = w.ptr<const float>();
#ifdef NT_CONV_X86
  const bool avx = cpu_has_avx2(), avx512 = cpu_has_avx512();
#else
  const bool avx = false, avx512 = false;
#endif
  for (int64_t o0 = 0; o0 < OC; o0 += kc) {
    const int64_t kcur = std::min(kc, OC - o0);
    // panel of phase f, block b: rows (oc - o0) * nt + t, ob lanes; phase f's panels start at off[f]
    std::vector<int64_t> poff(ph.size());
    {
      int64_t o = 0;
      for (size_t f = 0; f < ph.size(); f++) { poff[f] = o; o += nb * kcur * ph[f].nt * ob; }
    }
    float* pan = panels.p;
    const int64_t* qp = qph.data();
    const int64_t* qs = qpos.data();
    std::vector<int64_t> bstride(ph.size()), ntv(ph.size());
    for (size_t f = 0; f < ph.size(); f++) { bstride[f] = kcur * ph[f].nt * ob; ntv[f] = ph[f].nt; }
    const int64_t* bs = bstride.data();
    const int64_t* ntp = ntv.data();
    const int64_t* po = poff.data();
    parallel_for(kcur, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, C * kk)), [=](int64_t a0, int64_t a1) {
      std::vector<float*> dst((size_t)kk);
      std::vector<int64_t> dbs((size_t)kk);
      std::vector<float> tmp((size_t)(kk * 8 + 8));
      std::vector<int64_t> off((size_t)kk);
      for (int64_t a = a0; a < a1; a++) {
        const int64_t oc = o0 + a;
        const float* s = w0 + oc * C * kk;  // [C][kk]
        for (int64_t q = 0; q < kk; q++) {
          const int64_t f = qp[q];
          dst[(size_t)q] = f < 0 ? nullptr : pan + po[f] + (a * ntp[f] + qs[q]) * ob;
          dbs[(size_t)q] = f < 0 ? 0 : bs[f];
        }
        if (Cp > C)  // the last block's lanes past C
          for (int64_t q = 0; q < kk; q++)
            if (dst[(size_t)q]) std::memset(dst[(size_t)q] + (nb - 1) * dbs[(size_t)q] + (C - (nb - 1) * ob), 0, sizeof(float) * (size_t)(Cp - C));
        int64_t c8 = 0;
        if (kk == 1) {  // w[oc] is the row itself
          for (int64_t b = 0; b < nb && dst[0]; b++)
            std::memcpy(dst[0] + b * dbs[0], s + b * ob, sizeof(float) * (size_t)std::min<int64_t>(ob, C - b * ob));
          continue;
        }
#ifdef NT_CONV_X86
        int64_t c16 = 0;
        if (avx512 && ob % 16 == 0 && kk < (1 << 20)) {  // 16 channels at a time (a block's lanes 0-15 or 16-31), gathered
          c16 = c8 = C & ~(int64_t)15;
          for (int64_t c = 0; c < c16; c += 16) {
            const int64_t b = c / ob, l = c % ob;
            for (int64_t q = 0; q < kk; q++) off[(size_t)q] = b * dbs[(size_t)q] + l;
            k512::pack_taps16(s + c * kk, kk, dst.data(), off.data());
          }
        }
        if (avx) {  // 8 channels at a time: [8][kk] -> tmp[kk][8] in registers, 8-float rows to the panels
          c8 = C & ~(int64_t)7;
          const int64_t q8 = kk & ~(int64_t)7;
          for (int64_t c = c16; c < c8; c += 8) {
            const float* sc = s + c * kk;
            for (int64_t q = 0; q < q8; q += 8) transpose8(sc + q, kk, tmp.data() + q * 8, 8);
            if (q8 < kk && kk >= 8)  // the last taps: one more 8 x 8 block ending at kk (overlapping the one before)
              transpose8(sc + kk - 8, kk, tmp.data() + (kk - 8) * 8, 8);
            else
              for (int64_t q = q8; q < kk; q++)
                for (int64_t r = 0; r < 8; r++) tmp[(size_t)(q * 8 + r)] = sc[r * kk + q];
            const int64_t b = c / ob, l = c % ob;
            for (int64_t q = 0; q < kk; q++)
              if (dst[(size_t)q]) std::memcpy(dst[(size_t)q] + b * dbs[(size_t)q] + l, tmp.data() + q * 8, sizeof(float) * 8);
          }
        }
#endif
        for (int64_t c = c8; c < C; c++)
          for (int64_t q = 0; q < kk; q++)
            if (dst[(size_t)q]) dst[(size_t)q][(c / ob) * dbs[(size_t)q] + c % ob] = s[c * kk + q];
      }
    });
    if (G) {  // one chunk (kcur = OC): every group of samples runs every phase and block against the panels
      const float* g0 = go.ptr<const float>();
      const int64_t* st = go.stride;
      const bool inplace = !border && dense_go;
      const CopyRowsFn cr = pick_copy_rows();
      const int64_t HW = H * W;
      // the sum over output channels in chunks whose panel of one channel block of 16 lanes stays in the L1 cache
      // (kL1Floats), every tile of the group running one chunk before the next (partial sums pixel-major in accp)
      const int64_t l1f = ob <= 16 ? kL1Floats : 0;
      std::vector<int64_t> kjv(ph.size());
      int64_t accn = 0;
      for (size_t f = 0; f < ph.size(); f++) {
        const int64_t k1 = l1f > 0 ? std::max<int64_t>(1, l1f / std::max<int64_t>(1, ph[f].nt * ob)) : OC;
        const int64_t nj = (OC + k1 - 1) / k1;
        kjv[f] = (OC + nj - 1) / nj;
        if (nj > 1) accn = std::max(accn, ph[f].P * Cp);
      }
      parallel_for(N / G, 1, [&](int64_t r0, int64_t r1) {
        std::unique_ptr<Buf> loc, accp;
        if (accn) accp.reset(new Buf((size_t)accn));
        if (!inplace) {
          loc.reset(new Buf((size_t)(G * plane)));
          std::memset(loc->p, 0, sizeof(float) * (size_t)(G * plane));
        }
        for (int64_t r = r0; r < r1; r++) {
          const float* in = g0 + r * G * plane;
          if (!inplace) {
            for (int64_t n = 0; n < G; n++)
              for (int64_t oc = 0; oc < OC; oc++) {
                const float* sp = g0 + (r * G + n) * st[0] + oc * st[1];
                float* dp = loc->p + (n * OC + oc) * Hg * Wg + top * Wg + left;
                if (st[3] == 1) cr(sp, st[2], OH, OW, dp, Wg);
                else
                  for (int64_t a = 0; a < OH; a++)
                    for (int64_t b = 0; b < OW; b++) dp[a * Wg + b] = sp[a * st[2] + b * st[3]];
              }
            in = loc->p;
          }
          float* out = gx0 + r * G * C * HW;
          for (size_t f = 0; f < ph.size(); f++) {
            const Phase& F = ph[f];
            const int64_t K = OC * F.nt, nt = (F.P + kn.mp - 1) / kn.mp, kj = kjv[f];
            for (int64_t o1 = 0; o1 < OC; o1 += kj) {
              const int64_t kcur = std::min(kj, OC - o1);
              const bool first = o1 == 0, last = o1 + kcur >= OC;
              for (int64_t b = 0; b < nb; b++) {
                const float* wp = pan + poff[f] + b * K * ob + o1 * F.nt * ob;
                const int noc = (int)std::min<int64_t>(ob, C - b * ob);
                float* a = accp ? accp->p + b * ob : nullptr;
                for (int64_t t = 0; t < nt; t++) {
                  const int64_t p0 = t * kn.mp;
                  kn.tile(in, F.pin.data() + p0, (int)std::min<int64_t>(kn.mp, F.P - p0), F.toff.data() + o1 * F.nt, kcur * F.nt, wp, nullptr,
                          out + b * ob * HW, F.pout.data() + p0, HW, noc, first ? nullptr : a + p0 * Cp, last ? nullptr : a + p0 * Cp, Cp,
                          rgof(F, t));
                }
              }
            }
          }
        }
      });
      break;
    }
    const bool first = o0 == 0, last = o0 + kcur >= OC;
    for (size_t f = 0; f < ph.size(); f++) {
      Phase& F = ph[f];
      float* a = acc ? acc->p + F.base * Cp : nullptr;
      // every (channel block, pixel tile) unit on the pool (run_tiles' loop, with rgof's taps)
      const int64_t K = kcur * F.nt, nt = (F.P + kn.mp - 1) / kn.mp;
      const float* in = gpb->p;
      const float* wpf = pan + poff[f];
      const int64_t* tof = F.toff.data() + o0 * F.nt;
      parallel_for(nb * nt, std::max<int64_t>(1, (1 << 17) / std::max<int64_t>(1, K * kn.mp * ob)), [&](int64_t u0, int64_t u1) {
        for (int64_t u = u0; u < u1; u++) {
          const int64_t b = u / nt, t = u % nt, p0 = t * kn.mp;
          kn.tile(in, F.pin.data() + p0, (int)std::min<int64_t>(kn.mp, F.P - p0), tof, K, wpf + b * K * ob, nullptr, gx0 + b * ob * H * W,
                  F.pout.data() + p0, H * W, (int)std::min<int64_t>(ob, C - b * ob), first ? nullptr : a + p0 * Cp + b * ob,
                  last ? nullptr : a + p0 * Cp + b * ob, Cp, rgof(F, t));
        }
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// conv2d_backward_weight: t0 gw [OC, C, kh, kw] (contiguous; overwritten) <- t1 gout [N, OC, OH, OW] (any strides),
//   t2 x [N, C, H, W] (any strides); a0..a9 the forward's geometry. float32, groups 1.
// ---------------------------------------------------------------------------------------------------------------
void backward_weight(Call& c) {
  const Geom g = conv::geom_of(c);
  if (c.nt != 3) throw TorchError("internal: conv2d_backward_weight expects gw, gout, x");
  const TensorArg &gw = c.t[0], &go = c.t[1], &x = c.t[2];
  conv::check_4d(gw, "conv2d_backward_weight");
  conv::check_4d(go, "conv2d_backward_weight");
  conv::check_4d(x, "conv2d_backward_weight");
  if (gw.dtype != DType::F32 || go.dtype != DType::F32 || x.dtype != DType::F32) throw TorchError("internal: conv2d_backward_weight is float32");
  const int64_t N = x.shape[0], C = x.shape[1], OC = gw.shape[0];
  if (!gw.contiguous() || gw.shape[1] != C || gw.shape[2] != g.kh || gw.shape[3] != g.kw || go.shape[0] != N || go.shape[1] != OC ||
      go.shape[2] != g.oh || go.shape[3] != g.ow)
    throw TorchError("internal: conv2d_backward_weight operand shapes");
  if (gw.numel() == 0) return;
  float* gw0 = gw.ptr<float>();
  const int64_t K = C * g.kh * g.kw, L = g.oh * g.ow, P = N * L;
  if (P == 0) { std::memset(gw0, 0, sizeof(float) * (size_t)gw.numel()); return; }
  const Kern kn = pick(OC);
  const int64_t nb = (OC + kn.ob - 1) / kn.ob, OCp = nb * kn.ob;
  const int64_t Hp = x.shape[2] + 2 * g.ph, Wp = x.shape[3] + 2 * g.pw;
  std::unique_ptr<Buf> xbuf;
  const Gwr gr = pick_gwr();
  if (g.sw == 1 && K < 64 && OC >= gr.ot) {
    int64_t hp_, wp_;
    const float* xp = padded_input(x, g, xbuf, hp_, wp_);
    // few taps (an image's 1-3 channels): gwr_tile, output pixels in vector lanes, no transpose of the gradient
    const TensorArg& gc = go;
    const bool dense = gc.stride[3] == 1 && gc.stride[2] == g.ow && gc.stride[1] == L && gc.stride[0] == OC * L;
    std::unique_ptr<Buf> tmp;
    const float* g0 = gc.ptr<const float>();
    if (!dense) {
      tmp.reset(new Buf((size_t)(N * OC * L)));
      pad_copy(g0, gc.stride, N, OC, g.oh, g.ow, 0, 0, g.oh, g.ow, tmp->p);
      g0 = tmp->p;
    }
    const int64_t not_ = (OC + gr.ot - 1) / gr.ot, nkt2 = (K + gr.kt - 1) / gr.kt, units = not_ * nkt2;
    // taps per k-tile (a partial last tile repeats its last tap: computed, not stored)
    std::vector<int64_t> tb2((size_t)(nkt2 * gr.kt));
    for (int64_t k = 0; k < nkt2 * gr.kt; k++) {
      const int64_t kk = std::min(k, K - 1), ch = kk / (g.kh * g.kw), i = kk / g.kw % g.kh, j = kk % g.kw;
      tb2[(size_t)k] = ch * Hp * Wp + i * g.dh * Wp + j * g.dw;
    }
    const int64_t accn = (int64_t)gr.ot * gr.kt * gr.vl;
    Buf acc((size_t)(units * accn));
    const int64_t CHW = C * Hp * Wp, xrs = g.sh * Wp;
    parallel_for(units, 1, [&](int64_t u0, int64_t u1) {
      for (int64_t n = 0; n < N; n++)  // a sample's gradient rows stay in cache for every unit of the range
        for (int64_t u = u0; u < u1; u++) {
          const int64_t ot = u / nkt2, kt = u % nkt2, oc0 = std::min<int64_t>(ot * gr.ot, OC - gr.ot);
          // a partial last channel tile is shifted back to end at OC (its overlap is recomputed, stored once)
          gr.fn(xp + n * CHW, tb2.data() + kt * gr.kt, xrs, g0 + (n * OC + oc0) * L, L, g.oh, g.ow, acc.p + u * accn, n == 0);
        }
    });
    for (int64_t u = 0; u < units; u++) {
      const int64_t ot = u / nkt2, kt = u % nkt2, oc0 = std::min<int64_t>(ot * gr.ot, OC - gr.ot);
      for (int o = 0; o < gr.ot && oc0 + o < OC; o++)
        for (int k = 0; k < gr.kt && kt * gr.kt + k < K; k++) {
          const float* a = acc.p + u * accn + (o * gr.kt + k) * gr.vl;
          float sum = 0.f;
          for (int l = 0; l < gr.vl; l++) sum += a[l];
          gw0[(oc0 + o) * K + kt * gr.kt + k] = sum;
        }
    }
    return;
  }
  std::vector<int64_t> pin;
  const int64_t mk = kn.mp, nkt = (K + mk - 1) / mk, Kp = nkt * mk;
  std::vector<int64_t> tb((size_t)Kp, 0);
  for (int64_t ch = 0; ch < C; ch++)
    for (int64_t i = 0; i < g.kh; i++)
      for (int64_t j = 0; j < g.kw; j++) tb[(size_t)((ch * g.kh + i) * g.kw + j)] = ch * Hp * Wp + i * g.dh * Wp + j * g.dw;
  // gout pixel-major: gT[p][oc] (padding lanes 0)
  const TensorArg& gc = go;
  const bool dense = gc.stride[3] == 1 && gc.stride[2] == g.ow && gc.stride[1] == L;
  std::unique_ptr<Buf> gtmp;
  const float* g0 = gc.ptr<const float>();
  int64_t s0 = gc.stride[0];
  if (!dense) {
    gtmp.reset(new Buf((size_t)(N * OC * L)));
    pad_copy(g0, gc.stride, N, OC, g.oh, g.ow, 0, 0, g.oh, g.ow, gtmp->p);
    g0 = gtmp->p;
    s0 = OC * L;
  }
  const int64_t chunk = 256;
  const int64_t units = nb * nkt;
  // fewer (channel block, tap tile) units than 2 per thread (MNIST's first layer: 1): the pixels are cut into S
  // slices too, each with its own partial sums, added up at the end
  const int64_t nth = num_threads(), nchunks = (P + chunk - 1) / chunk;
  const int64_t S = units >= 2 * nth ? 1 : std::max<int64_t>(1, std::min<int64_t>(nchunks, (2 * nth + units - 1) / units));
  const int64_t cps = (nchunks + S - 1) / S;  // pixel chunks per slice
  Buf acc((size_t)(S * Kp * OCp));
  if (S == 1) {
    // groups of samples whose zero-bordered input copy and pixel-major gout (gT) together fit ~256 KB, so both stay in
    // the L2 cache from their writing to their use: each group's input copied, its gout transposed, then every
    // (channel block, tap tile) unit runs the group's chunks of pixels. Copying the whole input and transposing the
    // whole gout first sent both through memory where they outgrow L2 (the stem's 4 MB gT: 13% of its time)
    const bool copy = !(g.ph == 0 && g.pw == 0 && x.contiguous());
    const int64_t plane = C * Hp * Wp;
    // (at least one chunk of pixels a group: the units' partial sums are loaded and stored once per chunk, which at
    // 2x2 / 4x4 pixels per sample and groups of a few samples cost more than the group saved: layer4 5.7 -> 7.1 ms)
    const int64_t NG0 = std::max<int64_t>((chunk + L - 1) / L, (int64_t)65536 / (plane + L * OCp));
    const int64_t NG = std::min(N, (N + (N + NG0 - 1) / NG0 - 1) / ((N + NG0 - 1) / NG0));  // groups of equal size
    pixel_tables(NG, C, Hp, Wp, OC, g, pin, nullptr);
    Buf xg((size_t)(copy ? NG * plane : 1));
    Buf gTb((size_t)(NG * L * OCp));
    if (OCp > OC) std::memset(gTb.p, 0, sizeof(float) * (size_t)(NG * L * OCp));  // the padding lanes stay 0
    const float* x0 = x.ptr<const float>();
    std::vector<int64_t> seg;  // the group's pieces of gout: 3 per piece (sample in the group, first pixel, count <= 64)
    for (int64_t n0 = 0; n0 < N; n0 += NG) {
      const int64_t ng = std::min(NG, N - n0), PG = ng * L;
      const float* xs = x0 + n0 * x.stride[0];
      if (copy) {
        if (x.stride[3] == 1 && x.shape[3] > 0) pad_copy_rows(xs, x.stride, ng, C, x.shape[2], x.shape[3], g.ph, g.pw, Hp, Wp, xg.p);
        else pad_copy(xs, x.stride, ng, C, x.shape[2], x.shape[3], g.ph, g.pw, Hp, Wp, xg.p);
        xs = xg.p;
      }
      seg.clear();
      for (int64_t n = 0; n < ng; n++)
        for (int64_t l = 0; l < L; l += 64) {
          seg.push_back(n);
          seg.push_back(l);
          seg.push_back(std::min<int64_t>(64, L - l));
        }
      float* tb0 = gTb.p;
      const int64_t* sg = seg.data();
      const float* gs = g0 + n0 * s0;
      parallel_for((int64_t)seg.size() / 3, 4, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; i++) {
          const int64_t n = sg[3 * i], l = sg[3 * i + 1], cnt = sg[3 * i + 2];
          transpose_tiles(gs + n * s0 + l, L, OC, cnt, tb0 + (n * L + l) * OCp, OCp, 0, ((OC + kT - 1) / kT) * ((cnt + kT - 1) / kT));
        }
      });
      parallel_for(units, std::max<int64_t>(1, (1 << 17) / std::max<int64_t>(1, PG * mk * kn.ob)), [&](int64_t u0, int64_t u1) {
        for (int64_t p0 = 0; p0 < PG; p0 += chunk) {
          const int64_t np = std::min(chunk, PG - p0);
          for (int64_t u = u0; u < u1; u++) {
            const int64_t b = u % nb, kt = u / nb;
            kn.gw(xs, tb.data() + kt * mk, pin.data() + p0, np, tb0 + p0 * OCp + b * kn.ob, OCp, acc.p + kt * mk * OCp + b * kn.ob, OCp,
                  n0 == 0 && p0 == 0, (int)std::min<int64_t>(mk, K - kt * mk));
          }
        }
      });
    }
    transpose(acc.p, OCp, K, OC, gw0, K);  // gw[oc][k] = acc[k][oc]
    return;
  }
  // few units: pixel slices with their own partial sums, over the whole input copied and gout transposed first
  int64_t hp_, wp_;
  const float* xp = padded_input(x, g, xbuf, hp_, wp_);
  pixel_tables(N, C, Hp, Wp, OC, g, pin, nullptr);
  Buf gT((size_t)(P * OCp));
  if (OCp > OC) {
    float* d0 = gT.p;
    parallel_for(P, 4096, [=](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; p++)
        for (int64_t oc = OC; oc < OCp; oc++) d0[p * OCp + oc] = 0.f;
    });
  }
  for (int64_t n = 0; n < N; n++) transpose(g0 + n * s0, L, OC, L, gT.p + n * L * OCp, OCp);
  parallel_for(S * units, std::max<int64_t>(1, (1 << 17) / std::max<int64_t>(1, P / S * mk * kn.ob)), [&](int64_t w0, int64_t w1) {
    for (int64_t sl = w0 / units; sl <= (w1 - 1) / units; sl++) {
      const int64_t u0 = std::max(w0, sl * units) - sl * units, u1 = std::min(w1, (sl + 1) * units) - sl * units;
      float* a0 = acc.p + sl * Kp * OCp;
      const int64_t pb = sl * cps * chunk, pe = std::min(P, (sl + 1) * cps * chunk);
      if (pb >= pe) {  // an empty slice (more slices than chunks): zero partial sums
        for (int64_t u = u0; u < u1; u++) {
          const int64_t b = u % nb, kt = u / nb;
          for (int64_t k = 0; k < mk; k++) std::memset(a0 + (kt * mk + k) * OCp + b * kn.ob, 0, sizeof(float) * (size_t)kn.ob);
        }
        continue;
      }
      for (int64_t p0 = pb; p0 < pe; p0 += chunk) {
        const int64_t np = std::min(chunk, pe - p0);
        for (int64_t u = u0; u < u1; u++) {
          const int64_t b = u % nb, kt = u / nb;
          kn.gw(xp, tb.data() + kt * mk, pin.data() + p0, np, gT.p + p0 * OCp + b * kn.ob, OCp, a0 + kt * mk * OCp + b * kn.ob, OCp, p0 == pb,
                (int)std::min<int64_t>(mk, K - kt * mk));
        }
      }
    }
  });
  for (int64_t sl = 1; sl < S; sl++) {  // (rows K .. Kp of a short last tap tile are not written)
    const float* a = acc.p + sl * Kp * OCp;
    for (int64_t i = 0; i < K * OCp; i++) acc.p[i] += a[i];
  }
  // gw[oc][k] = acc[k][oc]
  transpose(acc.p, OCp, K, OC, gw0, K);
}

}  // namespace

REGISTER_KERNEL(conv2d_backward_input, CPU, backward_input);
REGISTER_KERNEL(conv2d_pack_weight, CPU, pack_weight);
REGISTER_KERNEL(conv2d_backward_weight, CPU, backward_weight);

}  // namespace nt
