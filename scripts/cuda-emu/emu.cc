// emu.cc - the CUDA emulator's runtime: devices, device memory, launches, the block scheduler, and cuBLAS's
// strided-batched GEMMs. See cuda_runtime.h for what it is for; scripts/cuda-emu/build.js builds it into an addon.
//
// Launches. A launch runs its blocks one after another on the calling host thread, or on its stream's thread for a
// created stream (launches are serialised by one lock: one emulated GPU, one kernel at a time). Within a block every CUDA thread is a fiber with its own stack. The
// scheduler starts the threads in order; a thread runs until it ends or waits at a barrier, and a barrier opens
// when every thread of its group that has not ended has reached it (the block for __syncthreads, the warp for the
// value exchange behind __shfl_*_sync). A thread that has not started yet counts as not arrived, so a barrier can
// only open once all its threads got there. When no thread can run and some have not ended, the kernel is stuck
// (a barrier in divergent code): the launch fails with cudaErrorLaunchFailure and a message on stderr, as do a
// shuffle whose mask names an ended lane and a launch configuration a GPU refuses.
//
// Device memory. cudaMalloc maps a fresh region followed by a guard page; outside kernels and copies every region
// is PROT_NONE, so host code that dereferences a device pointer faults (SIGSEGV, reported by a handler that names
// the region). Copies check that their pointers lie in device memory or not, as their kind says.
//
// Environment: CUEMU_DEVICES (default 1), CUEMU_MEM_GB (default 16), CUEMU_PROTECT=0 (leave device memory open),
//              CUEMU_CUBLAS=0 (no emulated libcublas: matmul.cu takes its own tiled kernel),
//              CUEMU_CUBLAS_EX=0 / CUEMU_CUBLAS_BF16=0 (no cublas*GemmEx / no bfloat16 in them: see the cuBLAS part),
//              CUEMU_SCHEDULE=reverse (a block's threads run last-first: a missing barrier shows from the other side;
//              blocks still run in order), CUEMU_NCCL=0 (no stand-in libnccl).
//
// Streams. The default stream is the caller's thread (everything on it is synchronous). A created stream
// (cudaStreamCreateWithFlags/WithPriority) has a thread of its own that runs what is submitted to it in order: kernel
// launches, copies, memsets and the stand-in libnccl's operations (libnccl.cc); events record a position in a stream
// and complete when it has run, so cudaEventQuery/Synchronize, cudaStreamWaitEvent and cudaStreamQuery behave as on a
// GPU, and cudaEventElapsedTime gives the host time between the two positions having run. The default stream is the
// legacy one: its work first waits for every blocking stream (made without cudaStreamNonBlocking); work queued on a
// stream after default-stream work is ordered after it because that work has already run. Priorities are accepted
// and ignored. cuBLAS calls run on the caller's thread after the handle's stream has drained (synchronous, ordered).
// Pinned host memory (cudaHostAlloc) is ordinary host memory that cudaPointerGetAttributes/cudaHostGetFlags know;
// cudaMemcpyAsync on a created stream is truly asynchronous from/to pinned memory, while from pageable memory it
// stages the bytes at the call and to pageable memory it waits, as the CUDA driver does.
#include <cuda_runtime.h>
#include "emu_api.h"
#include "../../native/core/dtype.h"  // float16/bfloat16 conversions for the cuBLAS Ex stand-in
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <cinttypes>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if !defined(__x86_64__)
#error "the CUDA emulator's fiber switch is written for x86-64"
#endif

thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

// void cuemu_swap(void** save_sp, void* load_sp): saves the callee-saved registers, MXCSR and the x87 control word
// on the current stack, stores the stack pointer in *save_sp, and resumes the context saved at load_sp.
extern "C" void cuemu_swap(void** save_sp, void* load_sp);
asm(R"(
  .pushsection .text
  .globl cuemu_swap
  .type cuemu_swap, @function
cuemu_swap:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size cuemu_swap, .-cuemu_swap
  .popsection
)");

namespace cuemu {
namespace {

// ---------------------------------------------------------------- state
constexpr size_t kPage = 4096;
constexpr size_t kStack = 256 * 1024;  // per emulated thread; a guard page below it
constexpr int kMaxBlockThreads = 1024;
constexpr size_t kMaxSmem = 48 * 1024;

struct Region { size_t len; uintptr_t ptr; size_t user; int dev; };  // mapping length; the pointer handed out

struct Global {
  std::recursive_mutex mu;  // one emulated GPU: launches, copies and allocations in turn
  int ndev = 1;
  size_t mem_total = 16ull << 30;
  bool protect = true;
  bool cublas = true;
  bool reverse = false;  // CUEMU_SCHEDULE=reverse: a block's threads start and resume last-first
  std::map<uintptr_t, Region> regions;  // base -> region (user bytes from base)
  std::vector<size_t> used;            // per device
  bool open = false;                   // regions currently readable/writable
  Global() {
    if (const char* s = getenv("CUEMU_DEVICES")) ndev = std::max(0, atoi(s));
    if (const char* s = getenv("CUEMU_MEM_GB")) mem_total = (size_t)(atof(s) * (1ull << 30));
    if (const char* s = getenv("CUEMU_PROTECT")) protect = std::string(s) != "0";
    if (const char* s = getenv("CUEMU_CUBLAS")) cublas = std::string(s) != "0";
    if (const char* s = getenv("CUEMU_SCHEDULE")) reverse = std::string(s) == "reverse";
    used.assign(std::max(ndev, 1), 0);
  }
};
Global& G() {
  static Global* g = new Global();
  return *g;
}

thread_local int t_device = 0;
thread_local cudaError_t t_last = cudaSuccess;
std::atomic<cudaError_t> g_sticky{cudaSuccess};  // a failed kernel poisons the context, as on a GPU (read without the lock)

cudaError_t set_error(cudaError_t e) {
  if (e != cudaSuccess) t_last = e;
  return e;
}

thread_local bool t_on_stream = false;  // this thread is a created stream's worker
void legacy_sync();                     // default-stream work waits for the blocking streams (defined with streams)
void drain_stream(cudaStream_t s);      // waits until s has run everything submitted so far (s == 0: legacy_sync)
bool is_pinned(const void* p, size_t n);
}  // namespace
void legacy_sync_all();                 // waits for every created stream (cudaDeviceSynchronize)
namespace {

// open/close every device region (callers hold G().mu)
void set_open(bool open) {
  Global& g = G();
  if (!g.protect || g.open == open) return;
  for (auto& kv : g.regions)
    if (mprotect((void*)kv.first, kv.second.len - kPage, open ? PROT_READ | PROT_WRITE : PROT_NONE) != 0) {
      perror("cuemu: mprotect");
      abort();
    }
  g.open = open;
}
struct OpenDevice {  // device memory readable for the scope (kernels, copies, memset)
  std::lock_guard<std::recursive_mutex> lock;
  bool was;
  OpenDevice() : lock(G().mu), was(G().open) { set_open(true); }
  ~OpenDevice() { if (!was) set_open(false); }
};
}  // namespace
DeviceAccess::DeviceAccess() {
  G().mu.lock();
  was_ = G().open;
  set_open(true);
}
DeviceAccess::~DeviceAccess() {
  if (!was_) set_open(false);
  G().mu.unlock();
}
namespace {

// the region whose allocation holds [p, p+n), or null (*base: the mapping's start)
const Region* find_region(const void* p, size_t n, uintptr_t* base = nullptr) {
  Global& g = G();
  uintptr_t a = (uintptr_t)p;
  auto it = g.regions.upper_bound(a);
  if (it == g.regions.begin()) return nullptr;
  --it;
  const Region& r = it->second;
  if (a < r.ptr || a + n > r.ptr + r.user || a + n < a) return nullptr;
  if (base) *base = it->first;
  return &r;
}

}  // namespace
bool is_device(const void* p, size_t n) {
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  return find_region(p, n) != nullptr;
}
namespace {

struct sigaction g_old_segv;
void segv_handler(int sig, siginfo_t* si, void* uc) {
  uintptr_t a = (uintptr_t)si->si_addr;
  char msg[256];
  int len = 0;
  Global& g = G();
  auto it = g.regions.upper_bound(a);
  if (it != g.regions.begin()) {
    --it;
    const Region& r = it->second;
    if (a >= it->first && a < it->first + r.len) {
      if (a >= r.ptr + r.user)
        len = snprintf(msg, sizeof msg, "cuemu: access at %p, past the end of a %zu-byte device allocation at %p\n",
                       (void*)a, r.user, (void*)r.ptr);
      else
        len = snprintf(msg, sizeof msg, "cuemu: host code touched device memory at %p (allocation at %p, %zu bytes)\n",
                       (void*)a, (void*)r.ptr, r.user);
    }
  }
  if (len == 0) {  // not ours: hand the fault to whoever handled it before (V8's trap handler, node's default)
    sigaction(SIGSEGV, &g_old_segv, nullptr);
    if ((g_old_segv.sa_flags & SA_SIGINFO) && g_old_segv.sa_sigaction) { g_old_segv.sa_sigaction(sig, si, uc); return; }
    return;  // the faulting instruction runs again under the old disposition
  }
  if (write(2, msg, (size_t)len) < 0) {}
  signal(sig, SIG_DFL);
  raise(sig);
}
void install_segv_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, &g_old_segv);
  });
}

bool bad_device(int d) { return d < 0 || d >= G().ndev; }

// ---------------------------------------------------------------- fibers and the block scheduler
enum State { NEW, READY, WAIT, DONE };

struct Fiber {
  void* sp = nullptr;
  char* stack = nullptr;  // kStack bytes above a guard page; owned by the Sched's pool
  State state = NEW;
  uint3 tid;
  int lane = 0, warp = 0;
};

struct WarpEx {  // the value exchange of one warp
  int arrived = 0;
  unsigned gen = 0;
  unsigned mask = 0;  // of the exchange in progress
  uint64_t val[32];
  bool has[32];
};

struct Sched {
  KernelBody* body = nullptr;
  const char* name = "";
  dim3 grid, block;
  std::vector<Fiber> fibers;
  std::vector<char*> pool;  // stacks (kept between launches on this host thread)
  std::vector<char*> free_stacks;
  int cur = -1;
  void* sched_sp = nullptr;
  int live = 0;  // threads of this block not ended
  int block_arrived = 0;
  unsigned block_gen = 0;
  std::vector<WarpEx> warps;
  std::string fail;  // the first failure of this launch
  // shared memory of the running block: the dynamic array at 0, static declarations after it
  std::vector<unsigned char> smem;
  size_t smem_dyn = 0, smem_top = 0;
  std::vector<std::pair<int, size_t>> smem_keys;
};
thread_local Sched* t_sched = nullptr;

char* new_stack() {
  void* m = mmap(nullptr, kStack + kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) { perror("cuemu: mmap stack"); abort(); }
  mprotect(m, kPage, PROT_NONE);  // guard: a stack overflow faults
  return (char*)m + kPage;
}

void fiber_main();

void prepare(Fiber& f, char* stack) {
  f.stack = stack;
  uintptr_t top = ((uintptr_t)(stack + kStack)) & ~(uintptr_t)15;
  uint64_t* a = (uint64_t*)(top - 16);  // a % 16 == 0: the "return address" slot cuemu_swap pops
  a[0] = (uint64_t)(void*)&fiber_main;
  a[1] = 0;
  uint64_t* s = a - 7;  // 6 registers and the MXCSR / x87 control word slot
  for (int i = 1; i < 7; i++) s[i] = 0;
  uint32_t mx;
  uint16_t cw;
  asm volatile("stmxcsr %0" : "=m"(mx));
  asm volatile("fnstcw %0" : "=m"(cw));
  uint32_t* w = (uint32_t*)s;
  w[0] = mx;
  w[1] = cw;
  f.sp = s;
}

void set_coords(const Sched& s, const Fiber& f) {
  threadIdx = f.tid;
  blockDim = s.block;
  gridDim = s.grid;
}

void wake_all(Sched& s) {
  for (auto& o : s.fibers) if (o.state == WAIT) o.state = READY;
}

void fiber_main() {
  Sched& s = *t_sched;
  s.body->run();
  Fiber& f = s.fibers[s.cur];
  f.state = DONE;
  s.live--;
  // an ended thread counts as arrived at __syncthreads (as on a GPU, where exited threads no longer hold it up)
  if (s.block_arrived > 0 && s.block_arrived == s.live) {
    s.block_arrived = 0;
    s.block_gen++;
    wake_all(s);
  }
  // ...but a shuffle whose mask names it can never complete
  WarpEx& w = s.warps[f.warp];
  if (w.arrived > 0 && (w.mask >> f.lane & 1u)) {
    if (s.fail.empty())
      s.fail = std::string("__shfl_*_sync in ") + s.name + ": lane " + std::to_string(f.lane) + " of warp " +
               std::to_string(f.warp) + " is named by the mask but ended before the exchange";
    w.arrived = 0;
    w.gen++;
    wake_all(s);
  }
  cuemu_swap(&f.sp, s.sched_sp);
  abort();  // never resumed
}

// the calling thread waits until the scheduler resumes it (after some barrier opened)
void wait_here(Sched& s) {
  Fiber& f = s.fibers[s.cur];
  f.state = WAIT;
  cuemu_swap(&f.sp, s.sched_sp);
}

bool run_block(Sched& s, unsigned bx, unsigned by, unsigned bz) {
  const int n = (int)(s.block.x * s.block.y * s.block.z);
  blockIdx = uint3{bx, by, bz};
  s.fibers.assign(n, Fiber());
  for (int i = 0; i < n; i++) {
    Fiber& f = s.fibers[i];
    f.tid = uint3{(unsigned)(i % s.block.x), (unsigned)((i / s.block.x) % s.block.y), (unsigned)(i / (s.block.x * s.block.y))};
    f.lane = i % 32;
    f.warp = i / 32;
  }
  const int nw = (n + 31) / 32;
  s.warps.assign(nw, WarpEx());
  s.live = n;
  s.block_arrived = 0;
  s.block_gen = 0;
  // shared memory starts as 0xff bytes (NaN floats, -1 integers), so a read before any write shows
  std::fill(s.smem.begin(), s.smem.begin() + std::min(s.smem.size(), std::max(s.smem_top, s.smem_dyn)), (unsigned char)0xff);
  s.free_stacks = s.pool;
  for (;;) {
    bool progress = false;
    for (int k = 0; k < n; k++) {
      const int i = G().reverse ? n - 1 - k : k;
      Fiber& f = s.fibers[i];
      if (f.state == NEW) {
        if (s.free_stacks.empty()) { s.pool.push_back(new_stack()); s.free_stacks.push_back(s.pool.back()); }
        prepare(f, s.free_stacks.back());
        s.free_stacks.pop_back();
        f.state = READY;
      }
      if (f.state != READY) continue;
      s.cur = i;
      set_coords(s, f);
      cuemu_swap(&s.sched_sp, f.sp);
      progress = true;
      if (f.state == DONE) s.free_stacks.push_back(f.stack);
    }
    if (s.live == 0) break;
    if (!progress) {
      if (s.fail.empty()) {
        s.fail = std::string("kernel ") + s.name + " is stuck: " + std::to_string(s.live) +
                 " threads of block (" + std::to_string(bx) + "," + std::to_string(by) + "," + std::to_string(bz) +
                 ") wait at barriers that cannot open (__syncthreads or a shuffle in divergent code)";
      }
      return false;  // the waiting fibers are abandoned; their stacks are reused by the next launch
    }
  }
  return true;
}

// ---------------------------------------------------------------- cuBLAS (column-major, as libcublas)
// cublas{S,D}gemmStridedBatched, cublasGemmEx / cublasGemmStridedBatchedEx and cublasSetMathMode/GetMathMode, with
// libcublas's types (cudaDataType_t, cublasComputeType_t, cublasMath_t) and status codes:
//   Ex with A = B = C in CUDA_R_32F and CUBLAS_COMPUTE_32F / _32F_PEDANTIC / _32F_FAST_TF32, or A = B in CUDA_R_16F /
//   CUDA_R_16BF and C of that type or CUDA_R_32F with CUBLAS_COMPUTE_32F / _PEDANTIC; alpha and beta are floats.
//   16-bit operands are converted to float and accumulate in float (the result is rounded to C's type once).
//   TF32 (CUBLAS_COMPUTE_32F_FAST_TF32, or CUBLAS_TF32_TENSOR_OP_MATH on the handle for Sgemm and the non-pedantic
//   CUBLAS_COMPUTE_32F) rounds every float32 operand to TF32 (10 explicit mantissa bits, round to nearest even) before
//   multiplying, as a tensor core's input conversion, so a caller can see that TF32 was really selected;
//   NVIDIA_TF32_OVERRIDE=0 in the environment turns TF32 off everywhere (as in libcublas).
//   Any other combination is CUBLAS_STATUS_NOT_SUPPORTED (as the library answers).
enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_NOT_INITIALIZED = 1, CUBLAS_STATUS_INVALID_VALUE = 7,
       CUBLAS_STATUS_EXECUTION_FAILED = 13, CUBLAS_STATUS_NOT_SUPPORTED = 15 };
enum { EMU_R_32F = 0, EMU_R_16F = 2, EMU_R_16BF = 14 };                                   // cudaDataType_t
enum { EMU_COMPUTE_32F = 68, EMU_COMPUTE_32F_PEDANTIC = 69, EMU_COMPUTE_32F_FAST_TF32 = 77 };  // cublasComputeType_t
enum { EMU_DEFAULT_MATH = 0, EMU_TENSOR_OP_MATH = 1, EMU_PEDANTIC_MATH = 2, EMU_TF32_TENSOR_OP_MATH = 3,
       EMU_DISALLOW_REDUCED_PRECISION_REDUCTION = 16 };                                   // cublasMath_t
struct EmuHandle { int magic = 0x0b1a5; int device = 0; int math = EMU_DEFAULT_MATH; cudaStream_t stream = nullptr; };
int g_cublas_token;

int cublas_create(EmuHandle** h) {
  if (!h) return CUBLAS_STATUS_INVALID_VALUE;
  if (G().ndev == 0) return CUBLAS_STATUS_NOT_INITIALIZED;
  *h = new EmuHandle();
  (*h)->device = t_device;
  return CUBLAS_STATUS_SUCCESS;
}
bool handle_ok(const EmuHandle* h) { return h && h->magic == 0x0b1a5; }
int cublas_set_stream(EmuHandle* h, cudaStream_t s) {
  if (!handle_ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  h->stream = s;
  return CUBLAS_STATUS_SUCCESS;
}
int cublas_set_math_mode(EmuHandle* h, int mode) {
  if (!handle_ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  const int base = mode & ~EMU_DISALLOW_REDUCED_PRECISION_REDUCTION;
  if (base < EMU_DEFAULT_MATH || base > EMU_TF32_TENSOR_OP_MATH) return CUBLAS_STATUS_INVALID_VALUE;
  h->math = mode;
  return CUBLAS_STATUS_SUCCESS;
}
int cublas_get_math_mode(EmuHandle* h, int* mode) {
  if (!handle_ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!mode) return CUBLAS_STATUS_INVALID_VALUE;
  *mode = h->math;
  return CUBLAS_STATUS_SUCCESS;
}
bool handle_tf32(const EmuHandle* h) { return (h->math & ~EMU_DISALLOW_REDUCED_PRECISION_REDUCTION) == EMU_TF32_TENSOR_OP_MATH; }
// NVIDIA_TF32_OVERRIDE=0 turns TF32 off in the whole library whatever a call asks (as libcublas and cuDNN honour it):
// the checks that compare CUDA results with the CPU's exact float32 set it
bool tf32_overridden_off() {
  static const bool off = [] { const char* e = getenv("NVIDIA_TF32_OVERRIDE"); return e && std::string(e) == "0"; }();
  return off;
}
// CUEMU_CUBLAS_BF16=0: the Ex entry points answer CUBLAS_STATUS_NOT_SUPPORTED for CUDA_R_16BF (as a GPU without
// bfloat16 GEMMs); CUEMU_CUBLAS_EX=0: the library has no Ex entry points (an old libcublas). Both let the tests reach
// matmul.cu's fallbacks.
bool env_off(const char* name) { const char* e = getenv(name); return e && std::string(e) == "0"; }

// float32 -> TF32 (1 sign, 8 exponent, 10 mantissa bits; kept in a float), round to nearest even; inf/NaN unchanged
float to_tf32(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;
  u += 0xfffu + ((u >> 13) & 1u);
  u &= ~0x1fffu;
  memcpy(&x, &u, 4);
  return x;
}

// the bytes an operand of `rows x cols` (column-major, leading dimension ld) spans in batch `count` of stride st
bool operand_ok(const void* p, size_t es, long long rows, long long cols, int ld, long long st, int count) {
  if (rows == 0 || cols == 0 || count == 0) return true;
  long long last = (long long)(count - 1) * st + (cols - 1) * (long long)ld + (rows - 1);
  long long first = std::min(0LL, (long long)(count - 1) * st);
  if (st < 0) last = (cols - 1) * (long long)ld + (rows - 1);
  const char* lo = (const char*)p + first * (long long)es;
  return find_region(lo, (size_t)(last - first + 1) * es) != nullptr;
}

// the shape checks every gemm shares; CUBLAS_STATUS_SUCCESS when the call may proceed
int gemm_args_ok(const EmuHandle* h, int ta, int tb, int m, int n, int k, const void* alpha, int lda, int ldb,
                 const void* beta, int ldc, int batch) {
  if (!handle_ok(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || m < 0 || n < 0 || k < 0 || batch < 0 || !alpha || !beta)
    return CUBLAS_STATUS_INVALID_VALUE;
  const long long ar = ta ? k : m, br = tb ? n : k;
  if (lda < std::max(1LL, ar) || ldb < std::max(1LL, br) || ldc < std::max(1, m)) return CUBLAS_STATUS_INVALID_VALUE;
  drain_stream(h->stream);  // after the handle's stream's work so far (the GEMM then runs here, synchronously)
  return CUBLAS_STATUS_SUCCESS;
}

// C[b] = al * op(A[b]) op(B[b]) + be * C[b] (be == 0: C is not read, as cuBLAS), A and B read through ld(a, i) /
// ld(b, i) -> Acc and C through ldc / stc (Acc) and st(c, i, v); everything accumulates in Acc
template <typename Acc, typename LA, typename LB, typename LC, typename SC>
void gemm_loop(int ta, int tb, int m, int n, int k, Acc al, int lda, long long sa, int ldb, long long sb, Acc be, int ldc,
               long long sc, int batch, LA lda_, LB ldb_, LC ldc_, SC stc) {
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < m; i++) {
        Acc acc = 0;
        for (int p = 0; p < k; p++) {
          Acc x = lda_(b * sa + (ta ? p + (long long)i * lda : i + (long long)p * lda));
          Acc y = ldb_(b * sb + (tb ? j + (long long)p * ldb : p + (long long)j * ldb));
          acc += x * y;
        }
        const long long ci = b * sc + i + (long long)j * ldc;
        stc(ci, be == Acc(0) ? al * acc : al * acc + be * ldc_(ci));
      }
}

template <typename T>
int gemm_sb(EmuHandle* h, int ta, int tb, int m, int n, int k, const T* alpha, const T* A, int lda, long long sa,
            const T* B, int ldb, long long sb, const T* beta, T* C, int ldc, long long sc, int batch) {
  if (int st = gemm_args_ok(h, ta, tb, m, n, k, alpha, lda, ldb, beta, ldc, batch)) return st;
  const long long ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  OpenDevice open;
  if (!operand_ok(A, sizeof(T), ar, ac, lda, sa, batch) || !operand_ok(B, sizeof(T), br, bc, ldb, sb, batch) ||
      !operand_ok(C, sizeof(T), m, n, ldc, sc, batch)) {
    fprintf(stderr, "cuemu: cublas%cgemmStridedBatched: an operand reaches outside device memory "
            "(m=%d n=%d k=%d lda=%d ldb=%d ldc=%d strides %lld %lld %lld batch %d)\n",
            sizeof(T) == 4 ? 'S' : 'D', m, n, k, lda, ldb, ldc, sa, sb, sc, batch);
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
  const bool tf32 = sizeof(T) == 4 && handle_tf32(h) && !tf32_overridden_off();  // Sgemm under CUBLAS_TF32_TENSOR_OP_MATH
  auto la = [&](long long i) { return tf32 ? (T)to_tf32((float)A[i]) : A[i]; };
  auto lb = [&](long long i) { return tf32 ? (T)to_tf32((float)B[i]) : B[i]; };
  gemm_loop<T>(ta, tb, m, n, k, *alpha, lda, sa, ldb, sb, *beta, ldc, sc, batch, la, lb,
               [&](long long i) { return C[i]; }, [&](long long i, T v) { C[i] = v; });
  return CUBLAS_STATUS_SUCCESS;
}
int sgemm_sb(EmuHandle* h, int ta, int tb, int m, int n, int k, const float* al, const float* A, int lda, long long sa,
             const float* B, int ldb, long long sb, const float* be, float* C, int ldc, long long sc, int batch) {
  return gemm_sb<float>(h, ta, tb, m, n, k, al, A, lda, sa, B, ldb, sb, be, C, ldc, sc, batch);
}
int dgemm_sb(EmuHandle* h, int ta, int tb, int m, int n, int k, const double* al, const double* A, int lda, long long sa,
             const double* B, int ldb, long long sb, const double* be, double* C, int ldc, long long sc, int batch) {
  return gemm_sb<double>(h, ta, tb, m, n, k, al, A, lda, sa, B, ldb, sb, be, C, ldc, sc, batch);
}

size_t emu_type_size(int t) { return t == EMU_R_32F ? 4 : 2; }
template <int T> float emu_load(const void* p, long long i) {
  if constexpr (T == EMU_R_32F) return ((const float*)p)[i];
  else if constexpr (T == EMU_R_16F) return nt::half_to_float(((const uint16_t*)p)[i]);
  else return nt::bf16_to_float(((const uint16_t*)p)[i]);
}
template <int T> void emu_store(void* p, long long i, float v) {
  if constexpr (T == EMU_R_32F) ((float*)p)[i] = v;
  else if constexpr (T == EMU_R_16F) ((uint16_t*)p)[i] = nt::float_to_half(v);
  else ((uint16_t*)p)[i] = nt::float_to_bf16(v);
}
// the Ex product with A and B of type AB and C of type CT: each batch's op(A) and op(B) are converted to float (and
// TF32-rounded) once, then C[i, j] = al * sum over p in order of a[i, p] * b[p, j] (+ be * C) in float, rounded once
template <int AB, int CT, bool TF32>
void gemm_ex_typed(int ta, int tb, int m, int n, int k, float al, const void* A, int lda, long long sa, const void* B, int ldb,
                   long long sb, float be, void* C, int ldc, long long sc, int batch) {
  std::vector<float> a((size_t)m * k), bt((size_t)n * k);  // op(A) row-major [m, k], op(B)^T row-major [n, k]
  auto cv = [](float v) { return TF32 ? to_tf32(v) : v; };
  for (int b = 0; b < batch; b++) {
    for (int i = 0; i < m; i++)
      for (int p = 0; p < k; p++) a[(size_t)i * k + p] = cv(emu_load<AB>(A, b * sa + (ta ? p + (long long)i * lda : i + (long long)p * lda)));
    for (int j = 0; j < n; j++)
      for (int p = 0; p < k; p++) bt[(size_t)j * k + p] = cv(emu_load<AB>(B, b * sb + (tb ? j + (long long)p * ldb : p + (long long)j * ldb)));
    for (int j = 0; j < n; j++)
      for (int i = 0; i < m; i++) {
        const float* x = a.data() + (size_t)i * k;
        const float* y = bt.data() + (size_t)j * k;
        float acc = 0;
        for (int p = 0; p < k; p++) acc += x[p] * y[p];
        const long long ci = b * sc + i + (long long)j * ldc;
        emu_store<CT>(C, ci, be == 0.f ? al * acc : al * acc + be * emu_load<CT>(C, ci));  // beta == 0: C is not read
      }
  }
}

int gemm_ex_sb(EmuHandle* h, int ta, int tb, int m, int n, int k, const void* alpha, const void* A, int at, int lda,
               long long sa, const void* B, int bt, int ldb, long long sb, const void* beta, void* C, int ct, int ldc,
               long long sc, int batch, int compute, int algo) {
  if (int st = gemm_args_ok(h, ta, tb, m, n, k, alpha, lda, ldb, beta, ldc, batch)) return st;
  if (algo < -1 || (algo > 23 && algo < 99) || algo > 115) return CUBLAS_STATUS_INVALID_VALUE;  // cublasGemmAlgo_t
  const bool in16 = at == bt && (at == EMU_R_16F || at == EMU_R_16BF);
  const bool f32 = at == EMU_R_32F && bt == EMU_R_32F && ct == EMU_R_32F;
  bool tf32;
  if (f32 && (compute == EMU_COMPUTE_32F || compute == EMU_COMPUTE_32F_PEDANTIC || compute == EMU_COMPUTE_32F_FAST_TF32))
    tf32 = compute == EMU_COMPUTE_32F_FAST_TF32 || (compute == EMU_COMPUTE_32F && handle_tf32(h));
  else if (in16 && (ct == at || ct == EMU_R_32F) && (compute == EMU_COMPUTE_32F || compute == EMU_COMPUTE_32F_PEDANTIC))
    tf32 = false;
  else
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if ((at == EMU_R_16BF || ct == EMU_R_16BF) && env_off("CUEMU_CUBLAS_BF16")) return CUBLAS_STATUS_NOT_SUPPORTED;
  if (tf32_overridden_off()) tf32 = false;
  const long long ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  OpenDevice open;
  if (!operand_ok(A, emu_type_size(at), ar, ac, lda, sa, batch) || !operand_ok(B, emu_type_size(bt), br, bc, ldb, sb, batch) ||
      !operand_ok(C, emu_type_size(ct), m, n, ldc, sc, batch)) {
    fprintf(stderr, "cuemu: cublasGemm(StridedBatched)Ex: an operand reaches outside device memory "
            "(types %d %d %d, m=%d n=%d k=%d lda=%d ldb=%d ldc=%d strides %lld %lld %lld batch %d)\n",
            at, bt, ct, m, n, k, lda, ldb, ldc, sa, sb, sc, batch);
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
  const float al = *(const float*)alpha, be = *(const float*)beta;
#define EMU_EX(AB, CT, TF) gemm_ex_typed<AB, CT, TF>(ta, tb, m, n, k, al, A, lda, sa, B, ldb, sb, be, C, ldc, sc, batch)
  if (at == EMU_R_32F) { if (tf32) EMU_EX(EMU_R_32F, EMU_R_32F, true); else EMU_EX(EMU_R_32F, EMU_R_32F, false); }
  else if (at == EMU_R_16F) { if (ct == EMU_R_16F) EMU_EX(EMU_R_16F, EMU_R_16F, false); else EMU_EX(EMU_R_16F, EMU_R_32F, false); }
  else { if (ct == EMU_R_16BF) EMU_EX(EMU_R_16BF, EMU_R_16BF, false); else EMU_EX(EMU_R_16BF, EMU_R_32F, false); }
#undef EMU_EX
  return CUBLAS_STATUS_SUCCESS;
}
int gemm_ex(EmuHandle* h, int ta, int tb, int m, int n, int k, const void* alpha, const void* A, int at, int lda,
            const void* B, int bt, int ldb, const void* beta, void* C, int ct, int ldc, int compute, int algo) {
  return gemm_ex_sb(h, ta, tb, m, n, k, alpha, A, at, lda, 0, B, bt, ldb, 0, beta, C, ct, ldc, 0, 1, compute, algo);
}

}  // namespace

// ---------------------------------------------------------------- device-side entry points
void* smem_static(int key, size_t bytes, size_t align) {
  Sched& s = *t_sched;
  for (auto& kv : s.smem_keys) if (kv.first == key) return s.smem.data() + kv.second;
  size_t off = (s.smem_top + align - 1) / align * align;
  if (off + bytes > s.smem.size()) {
    if (s.fail.empty()) s.fail = std::string("kernel ") + s.name + ": more than 48 KiB of shared memory";
    static thread_local std::vector<unsigned char> scratch;
    scratch.resize(bytes);
    return scratch.data();
  }
  s.smem_keys.push_back({key, off});
  s.smem_top = off + bytes;
  return s.smem.data() + off;
}
void* smem_dynamic() { return t_sched->smem.data(); }

void sync_block() {
  Sched& s = *t_sched;
  const unsigned gen = s.block_gen;
  if (++s.block_arrived == s.live) {
    s.block_arrived = 0;
    s.block_gen++;
    wake_all(s);
    return;
  }
  while (s.block_gen == gen) wait_here(s);
}

// one warp-wide exchange: every lane of the mask deposits its value, waits for the others, reads its source lane's
// value, and waits again so that no lane deposits its next value before all have read
uint64_t shfl(uint64_t bits, unsigned mask, int mode, int arg, int width) {
  Sched& s = *t_sched;
  Fiber& f = s.fibers[s.cur];
  const int w = f.warp, lane = f.lane;
  WarpEx& x = s.warps[w];
  const int nlanes = std::min(32, (int)(s.block.x * s.block.y * s.block.z) - w * 32);
  auto fail = [&](const std::string& why) {
    if (s.fail.empty()) s.fail = std::string("__shfl_*_sync in ") + s.name + ": " + why;
  };
  if (width <= 0 || width > 32 || (width & (width - 1))) { fail("width must be a power of 2 up to 32"); return bits; }
  if (!(mask >> lane & 1u)) { fail("the mask does not name the calling lane"); return bits; }
  if (nlanes < 32 && (mask >> nlanes) != 0) { fail("the mask names lanes past the end of the block"); return bits; }
  if (x.arrived > 0 && x.mask != mask) { fail("lanes of one warp exchange with different masks"); return bits; }
  for (int l = 0; l < 32; l++)
    if ((mask >> l & 1u) && s.fibers[w * 32 + l].state == DONE) {
      fail("lane " + std::to_string(l) + " is named by the mask but has ended");
      return bits;
    }
  const int expect = __builtin_popcount(mask);
  auto barrier = [&] {
    const unsigned gen = x.gen;
    x.mask = mask;
    if (++x.arrived == expect) {
      x.arrived = 0;
      x.gen++;
      wake_all(s);
      return;
    }
    while (x.gen == gen && s.fail.empty()) wait_here(s);
  };
  x.val[lane] = bits;
  x.has[lane] = true;
  barrier();
  const int base = lane & ~(width - 1), in = lane - base;
  int src = lane;
  switch (mode) {
    case 0: src = in + arg < width ? lane + arg : lane; break;
    case 1: src = base + ((in ^ arg) & (width - 1)); break;
    case 2: src = base + (((arg % width) + width) % width); break;
    default: src = in - arg >= 0 ? lane - arg : lane; break;
  }
  uint64_t r = bits;
  if (!(mask >> src & 1u) || !x.has[src]) fail("source lane " + std::to_string(src) + " is not in the mask");
  else r = x.val[src];
  barrier();
  x.has[lane] = false;
  return r;
}

// ---------------------------------------------------------------- launches
// the launch errors a GPU reports at the launch itself (reads only what does not need the lock)
static bool config_ok(const char* name, const Config& cfg) {
  if (g_sticky != cudaSuccess) { set_error(g_sticky); return false; }
  const dim3 g = cfg.grid, b = cfg.block;
  const unsigned long long nthreads = (unsigned long long)b.x * b.y * b.z;
  if (G().ndev == 0) { set_error(cudaErrorNoDevice); return false; }
  if (g.x == 0 || g.y == 0 || g.z == 0 || nthreads == 0 || nthreads > (unsigned long long)kMaxBlockThreads ||
      b.x > 1024 || b.y > 1024 || b.z > 64 || g.x > 2147483647u || g.y > 65535 || g.z > 65535) {
    fprintf(stderr, "cuemu: %s<<<(%u,%u,%u), (%u,%u,%u)>>>: invalid configuration\n", name, g.x, g.y, g.z, b.x, b.y, b.z);
    set_error(cudaErrorInvalidConfiguration);
    return false;
  }
  if (cfg.smem > kMaxSmem) {
    fprintf(stderr, "cuemu: %s: %zu bytes of dynamic shared memory (more than 48 KiB needs an opt-in)\n", name, cfg.smem);
    set_error(cudaErrorInvalidValue);
    return false;
  }
  return true;
}

// runs every block of a launch on this thread
static void run_launch(const char* name, const Config& cfg, KernelBody& body) {
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (g_sticky != cudaSuccess) return;  // a kernel queued behind a failed one does not run (the context is dead)
  const dim3 g = cfg.grid, b = cfg.block;
  static thread_local Sched* sched = nullptr;
  if (!sched) sched = new Sched();
  Sched& s = *sched;
  Sched* outer = t_sched;
  if (outer) { fprintf(stderr, "cuemu: %s launched from device code\n", name); abort(); }
  s.body = &body;
  s.name = name;
  s.grid = g;
  s.block = b;
  s.fail.clear();
  s.smem.assign(kMaxSmem, 0xff);
  s.smem_dyn = cfg.smem;
  s.smem_top = cfg.smem;
  s.smem_keys.clear();
  OpenDevice open;
  t_sched = &s;
  bool ok = true;
  for (unsigned z = 0; z < g.z && ok; z++)
    for (unsigned y = 0; y < g.y && ok; y++)
      for (unsigned x = 0; x < g.x && ok; x++) {
        ok = run_block(s, x, y, z);
        if (!s.fail.empty()) ok = false;
      }
  t_sched = nullptr;
  if (!ok) {
    fprintf(stderr, "cuemu: launch of %s<<<(%u,%u,%u), (%u,%u,%u), %zu>>> failed: %s\n", name, g.x, g.y, g.z, b.x, b.y,
            b.z, cfg.smem, s.fail.c_str());
    g_sticky = cudaErrorLaunchFailure;
    set_error(cudaErrorLaunchFailure);
  }
}

void launch_body(const char* name, const Config& cfg, KernelBody& body) {
  if (cfg.stream != 0) {  // a caller that built the body itself: run it on the stream and wait (it owns the body)
    KernelBody* b = &body;
    if (!config_ok(name, cfg)) return;
    stream_submit(cfg.stream, [name, cfg, b] { run_launch(name, cfg, *b); });
    drain_stream(cfg.stream);
    return;
  }
  legacy_sync();
  if (!config_ok(name, cfg)) return;
  run_launch(name, cfg, body);
}
void launch_async(const char* name, const Config& cfg, KernelBody* body) {
  // Note: nothing here takes the emulator's lock, which a kernel running on a stream holds: queuing stays asynchronous
  if (!config_ok(name, cfg)) { delete body; return; }
  stream_submit(cfg.stream, [name, cfg, body] {
    run_launch(name, cfg, *body);
    delete body;
  });
}

int g_nccl_token;
void* emu_dlopen(const char* name, int) {
  if (!name) return nullptr;
  std::string n(name), base = n.substr(n.rfind('/') == std::string::npos ? 0 : n.rfind('/') + 1);
  if (base.rfind("libnccl", 0) == 0) {  // the stand-in NCCL: by name, or at a path that exists
    const char* e = getenv("CUEMU_NCCL");
    if (e && std::string(e) == "0") return nullptr;
    if (n.find('/') != std::string::npos && access(name, F_OK) != 0) return nullptr;
    return &g_nccl_token;
  }
  if (!G().cublas || n.rfind("libcublas", 0) != 0) return nullptr;
  return &g_cublas_token;
}
void* emu_dlsym(void* handle, const char* sym) {
  if (handle == &g_nccl_token && sym) return nccl_sym(sym);
  if (handle != &g_cublas_token || !sym) return nullptr;
  std::string s(sym);
  if (s == "cublasCreate_v2") return (void*)&cublas_create;
  if (s == "cublasSetStream_v2") return (void*)&cublas_set_stream;
  if (s == "cublasSgemmStridedBatched") return (void*)&sgemm_sb;
  if (s == "cublasDgemmStridedBatched") return (void*)&dgemm_sb;
  if (s == "cublasGemmEx") return env_off("CUEMU_CUBLAS_EX") ? nullptr : (void*)&gemm_ex;
  if (s == "cublasGemmStridedBatchedEx") return env_off("CUEMU_CUBLAS_EX") ? nullptr : (void*)&gemm_ex_sb;
  if (s == "cublasSetMathMode") return (void*)&cublas_set_math_mode;
  if (s == "cublasGetMathMode") return (void*)&cublas_get_math_mode;
  return nullptr;
}

}  // namespace cuemu

// ---------------------------------------------------------------- the runtime API
using namespace cuemu;

cudaError_t cudaGetDeviceCount(int* count) {
  if (!count) return set_error(cudaErrorInvalidValue);
  *count = G().ndev;
  return G().ndev ? cudaSuccess : set_error(cudaErrorNoDevice);
}
cudaError_t cudaSetDevice(int d) {
  if (bad_device(d)) return set_error(cudaErrorInvalidDevice);
  t_device = d;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* d) {
  if (!d) return set_error(cudaErrorInvalidValue);
  if (G().ndev == 0) return set_error(cudaErrorNoDevice);
  *d = t_device;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int d) {
  if (!p) return set_error(cudaErrorInvalidValue);
  if (bad_device(d)) return set_error(cudaErrorInvalidDevice);
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "nodetorch CUDA emulator (CPU)");
  p->totalGlobalMem = G().mem_total;
  p->sharedMemPerBlock = kMaxSmem;
  p->warpSize = 32;
  p->maxThreadsPerBlock = kMaxBlockThreads;
  p->maxThreadsDim[0] = 1024; p->maxThreadsDim[1] = 1024; p->maxThreadsDim[2] = 64;
  p->maxGridSize[0] = 2147483647; p->maxGridSize[1] = 65535; p->maxGridSize[2] = 65535;
  p->major = 9;
  p->minor = 0;
  p->multiProcessorCount = 4;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int d) {
  if (!v) return set_error(cudaErrorInvalidValue);
  if (bad_device(d)) return set_error(cudaErrorInvalidDevice);
  switch (a) {
    case cudaDevAttrMultiProcessorCount: *v = 4; return cudaSuccess;
    case cudaDevAttrWarpSize: *v = 32; return cudaSuccess;
    case cudaDevAttrMaxThreadsPerBlock: *v = kMaxBlockThreads; return cudaSuccess;
  }
  return set_error(cudaErrorInvalidValue);
}
cudaError_t cudaDriverGetVersion(int* v) {
  if (!v) return set_error(cudaErrorInvalidValue);
  *v = G().ndev ? CUDART_VERSION : 0;
  return cudaSuccess;
}
cudaError_t cudaRuntimeGetVersion(int* v) {
  if (!v) return set_error(cudaErrorInvalidValue);
  *v = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaGetLastError() {
  cudaError_t e = t_last;
  t_last = g_sticky;
  return e;
}
cudaError_t cudaPeekAtLastError() { return t_last; }

const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
#define N_(x) case x: return #x;
    N_(cudaSuccess) N_(cudaErrorInvalidValue) N_(cudaErrorMemoryAllocation) N_(cudaErrorInitializationError)
    N_(cudaErrorInvalidConfiguration) N_(cudaErrorInvalidMemcpyDirection) N_(cudaErrorNoDevice)
    N_(cudaErrorInvalidDevice) N_(cudaErrorNoKernelImageForDevice) N_(cudaErrorUnsupportedPtxVersion)
    N_(cudaErrorIllegalAddress) N_(cudaErrorLaunchOutOfResources) N_(cudaErrorLaunchTimeout)
    N_(cudaErrorHardwareStackError) N_(cudaErrorIllegalInstruction) N_(cudaErrorMisalignedAddress)
    N_(cudaErrorInvalidPc) N_(cudaErrorLaunchFailure) N_(cudaErrorAssert) N_(cudaErrorUnknown) N_(cudaErrorNotReady)
    N_(cudaErrorInvalidResourceHandle)
#undef N_
  }
  return "cudaErrorUnknown";
}
const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    default: return "unknown error";
  }
}

cudaError_t cudaMalloc(void** p, size_t n) {
  if (!p) return set_error(cudaErrorInvalidValue);
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (g_sticky != cudaSuccess) return set_error(g_sticky);
  Global& g = G();
  if (g.ndev == 0) return set_error(cudaErrorNoDevice);
  install_segv_handler();
  size_t user = std::max<size_t>(n, 1);
  if (g.used[t_device] + user > g.mem_total) return set_error(cudaErrorMemoryAllocation);
  size_t len = (user + kPage - 1) / kPage * kPage + kPage;
  void* m = mmap(nullptr, len, g.protect && !g.open ? PROT_NONE : PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return set_error(cudaErrorMemoryAllocation);
  mprotect((char*)m + len - kPage, kPage, PROT_NONE);
  // the region's user bytes end at the guard page, so that an overrun of the allocation faults
  uintptr_t base = (uintptr_t)m + (len - kPage - (user + 255) / 256 * 256);  // 256-byte aligned, as cudaMalloc
  g.regions[(uintptr_t)m] = Region{len, base, user, t_device};
  g.used[t_device] += user;
  *p = (void*)base;
  return cudaSuccess;
}
cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  Global& g = G();
  uintptr_t base = 0;
  const Region* r = find_region(p, 1, &base);
  if (!r || r->ptr != (uintptr_t)p) {
    fprintf(stderr, "cuemu: cudaFree(%p): not a pointer cudaMalloc returned\n", p);
    return set_error(cudaErrorInvalidValue);
  }
  g.used[r->dev] -= std::min(g.used[r->dev], r->user);
  munmap((void*)base, r->len);
  g.regions.erase(base);
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* f, size_t* t) {
  if (!f || !t) return set_error(cudaErrorInvalidValue);
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  *t = G().mem_total;
  *f = G().mem_total - std::min(G().mem_total, G().used[t_device]);
  return cudaSuccess;
}

static bool on_device(const void* p, size_t n) { return find_region(p, n) != nullptr; }
static bool on_host(const void* p, size_t n) {
  uintptr_t a = (uintptr_t)p;
  auto& rs = G().regions;
  auto it = rs.lower_bound(a + n);  // the first region at or after the end: a region starting exactly at a+n is adjacent, not overlapping
  if (it == rs.begin()) return true;
  --it;
  return it->first + it->second.len <= a;  // no overlap with the last region starting below a+n
}

// where the pointers of a copy must lie, as its kind says
static bool kind_ok(void* dst, size_t dn, const void* src, size_t sn, cudaMemcpyKind kind, cudaError_t* err) {
  *err = cudaSuccess;
  switch (kind) {
    case cudaMemcpyHostToDevice: return on_device(dst, dn) && on_host(src, sn);
    case cudaMemcpyDeviceToHost: return on_host(dst, dn) && on_device(src, sn);
    case cudaMemcpyDeviceToDevice: return on_device(dst, dn) && on_device(src, sn);
    case cudaMemcpyHostToHost: return on_host(dst, dn) && on_host(src, sn);
    case cudaMemcpyDefault: return true;
  }
  *err = cudaErrorInvalidMemcpyDirection;
  return false;
}

// the copy itself, on this thread (callers that are default-stream work have waited in legacy_sync)
static cudaError_t do_memcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind) {
  if (n == 0) return cudaSuccess;
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (g_sticky != cudaSuccess) return set_error(g_sticky);
  if (!dst || !src) return set_error(cudaErrorInvalidValue);
  cudaError_t err;
  if (!kind_ok(dst, n, src, n, kind, &err)) {
    if (err != cudaSuccess) return set_error(err);
    fprintf(stderr, "cuemu: cudaMemcpy(%p, %p, %zu, kind %d): a pointer is not where the kind says\n", dst, src, n, (int)kind);
    return set_error(cudaErrorInvalidValue);
  }
  OpenDevice open;
  memmove(dst, src, n);
  return cudaSuccess;
}
cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind) {
  legacy_sync();
  return do_memcpy(dst, src, n, kind);
}
static cudaError_t do_memcpy2d(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                               cudaMemcpyKind kind) {
  if (width == 0 || height == 0) return cudaSuccess;
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (g_sticky != cudaSuccess) return set_error(g_sticky);
  if (!dst || !src || width > dpitch || width > spitch) return set_error(cudaErrorInvalidValue);
  const size_t dn = dpitch * (height - 1) + width, sn = spitch * (height - 1) + width;
  cudaError_t err;
  if (!kind_ok(dst, dn, (void*)src, sn, kind, &err)) {
    if (err != cudaSuccess) return set_error(err);
    fprintf(stderr, "cuemu: cudaMemcpy2D(%p, %zu, %p, %zu, %zu, %zu, kind %d): a pointer range is not where the kind says\n",
            dst, dpitch, src, spitch, width, height, (int)kind);
    return set_error(cudaErrorInvalidValue);
  }
  OpenDevice open;
  for (size_t r = 0; r < height; r++) memmove((char*)dst + r * dpitch, (const char*)src + r * spitch, width);
  return cudaSuccess;
}
cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                         cudaMemcpyKind kind) {
  legacy_sync();
  return do_memcpy2d(dst, dpitch, src, spitch, width, height, kind);
}
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                              cudaMemcpyKind kind, cudaStream_t s) {
  if (s == 0) return cudaMemcpy2D(dst, dpitch, src, spitch, width, height, kind);
  // queued on s and waited for: correct for pageable memory (the only use), without staging a strided range
  cudaError_t r = cudaSuccess;
  stream_submit(s, [&] { r = do_memcpy2d(dst, dpitch, src, spitch, width, height, kind); });
  drain_stream(s);
  return r != cudaSuccess ? set_error(r) : cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind, cudaStream_t s) {
  if (s == 0) return cudaMemcpy(dst, src, n, kind);
  if (n == 0) return cudaSuccess;
  // validated when it runs (do_memcpy): checking the pointers here would need the lock a running kernel holds
  if (g_sticky != cudaSuccess) return set_error(g_sticky);
  if (!dst || !src || (int)kind < 0 || (int)kind > 4) return set_error(cudaErrorInvalidValue);
  const bool host_src = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyHostToHost;
  const bool host_dst = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyHostToHost;
  if (host_src && !is_pinned(src, n)) {  // pageable source: staged now, so the caller may reuse it at once
    auto staged = std::make_shared<std::vector<char>>((const char*)src, (const char*)src + n);
    stream_submit(s, [=] { do_memcpy(dst, staged->data(), n, kind == cudaMemcpyHostToHost ? cudaMemcpyHostToHost : cudaMemcpyHostToDevice); });
  } else {
    stream_submit(s, [=] { do_memcpy(dst, src, n, kind); });  // pinned (or device) memory: truly asynchronous
  }
  if (host_dst && !is_pinned(dst, n)) drain_stream(s);  // to pageable memory: the data is there when it returns
  return cudaSuccess;
}
static cudaError_t do_memset(void* p, int value, size_t n) {
  if (n == 0) return cudaSuccess;
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (g_sticky != cudaSuccess) return set_error(g_sticky);
  if (!on_device(p, n)) {
    fprintf(stderr, "cuemu: cudaMemset(%p, %d, %zu): not device memory\n", p, value, n);
    return set_error(cudaErrorInvalidValue);
  }
  OpenDevice open;
  memset(p, value, n);
  return cudaSuccess;
}
cudaError_t cudaMemset(void* p, int value, size_t n) {
  legacy_sync();
  return do_memset(p, value, n);
}
cudaError_t cudaMemsetAsync(void* p, int value, size_t n, cudaStream_t s) {
  if (s == 0) return cudaMemset(p, value, n);
  if (n == 0) return cudaSuccess;
  if (g_sticky != cudaSuccess) return set_error(g_sticky);  // the range is checked when it runs (do_memset)
  stream_submit(s, [=] { do_memset(p, value, n); });
  return cudaSuccess;
}

// ---------------------------------------------------------------- pinned host memory
static std::mutex g_pinned_mu;
static std::map<uintptr_t, std::pair<size_t, unsigned>> g_pinned;  // base -> (bytes, cudaHostAlloc flags)
namespace cuemu {
namespace {
bool is_pinned(const void* p, size_t n) {
  std::lock_guard<std::mutex> l(g_pinned_mu);
  uintptr_t a = (uintptr_t)p;
  auto it = g_pinned.upper_bound(a);
  if (it == g_pinned.begin()) return false;
  --it;
  return a + n <= it->first + it->second.first;
}
}  // namespace
}  // namespace cuemu
cudaError_t cudaHostAlloc(void** p, size_t n, unsigned int flags) {
  if (!p) return set_error(cudaErrorInvalidValue);
  if (G().ndev == 0) return set_error(cudaErrorNoDevice);
  size_t len = (std::max<size_t>(n, 1) + kPage - 1) / kPage * kPage;
  void* m = aligned_alloc(kPage, len);
  if (!m) return set_error(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> l(g_pinned_mu);
  g_pinned[(uintptr_t)m] = {len, flags};
  *p = m;
  return cudaSuccess;
}
cudaError_t cudaMallocHost(void** p, size_t n) { return cudaHostAlloc(p, n, cudaHostAllocDefault); }
cudaError_t cudaFreeHost(void* p) {
  if (!p) return cudaSuccess;
  {
    std::lock_guard<std::mutex> l(g_pinned_mu);
    auto it = g_pinned.find((uintptr_t)p);
    if (it == g_pinned.end()) {
      fprintf(stderr, "cuemu: cudaFreeHost(%p): not a pointer cudaHostAlloc returned\n", p);
      return set_error(cudaErrorInvalidValue);
    }
    g_pinned.erase(it);
  }
  free(p);
  return cudaSuccess;
}
cudaError_t cudaHostGetFlags(unsigned int* flags, void* p) {
  if (!flags) return set_error(cudaErrorInvalidValue);
  std::lock_guard<std::mutex> l(g_pinned_mu);
  uintptr_t a = (uintptr_t)p;
  auto it = g_pinned.upper_bound(a);
  if (it == g_pinned.begin()) return set_error(cudaErrorInvalidValue);
  --it;
  if (a >= it->first + it->second.first) return set_error(cudaErrorInvalidValue);
  *flags = it->second.second;
  return cudaSuccess;
}
cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attr, const void* p) {
  if (!attr) return set_error(cudaErrorInvalidValue);
  memset(attr, 0, sizeof *attr);
  attr->device = -2;
  if (is_pinned(p, 1)) {
    attr->type = cudaMemoryTypeHost;
    attr->device = t_device;
    attr->hostPointer = const_cast<void*>(p);
    attr->devicePointer = const_cast<void*>(p);  // as with unified addressing
    return cudaSuccess;
  }
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  if (const Region* r = find_region(p, 1)) {
    attr->type = cudaMemoryTypeDevice;
    attr->device = r->dev;
    attr->devicePointer = const_cast<void*>(p);
    return cudaSuccess;
  }
  attr->type = cudaMemoryTypeUnregistered;  // pageable host memory (CUDA 11+: success, unregistered)
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
  if (!t_on_stream) legacy_sync_all();
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  return g_sticky != cudaSuccess ? set_error(g_sticky) : cudaSuccess;
}
cudaError_t cudaDeviceReset() {  // frees every allocation of the current device and clears a sticky error
  if (!t_on_stream) legacy_sync_all();
  std::lock_guard<std::recursive_mutex> lock(G().mu);
  Global& g = G();
  if (g.ndev == 0) return set_error(cudaErrorNoDevice);
  for (auto it = g.regions.begin(); it != g.regions.end();) {
    if (it->second.dev != t_device) { ++it; continue; }
    munmap((void*)it->first, it->second.len);
    it = g.regions.erase(it);
  }
  g.used[t_device] = 0;
  g_sticky = cudaSuccess;
  t_last = cudaSuccess;
  return cudaSuccess;
}
// ---------------------------------------------------------------- streams and events (see the header comment)
struct CUstream_st {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> q;
  uint64_t submitted = 0, completed = 0;
  bool stop = false;
  bool blocking = true;  // made without cudaStreamNonBlocking: the legacy default stream waits for it
  std::thread th;
  void loop() {
    cuemu::t_on_stream = true;
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      cv.wait(l, [&] { return stop || !q.empty(); });
      if (q.empty()) return;
      std::function<void()> fn = std::move(q.front());
      q.pop_front();
      l.unlock();
      fn();
      l.lock();
      completed++;
      cv.notify_all();
    }
  }
  void wait_for(uint64_t ticket) {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return completed >= ticket; });
  }
  void drain() {
    uint64_t t;
    { std::lock_guard<std::mutex> l(mu); t = submitted; }
    wait_for(t);
  }
};
struct EventStamp {  // when the recorded position ran (host clock)
  std::atomic<bool> done{false};
  double ms = 0;
};
struct CUevent_st {
  unsigned flags = 0;
  bool recorded = false;
  cudaStream_t s = nullptr;
  uint64_t ticket = 0;
  std::shared_ptr<EventStamp> stamp;
};
static std::mutex g_streams_mu;
static std::vector<CUstream_st*> g_streams;  // live created streams
static double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
namespace cuemu {
void stream_submit(cudaStream_t s, std::function<void()> fn) {
  if (s == 0) { legacy_sync(); fn(); return; }
  std::lock_guard<std::mutex> l(s->mu);
  s->q.push_back(std::move(fn));
  s->submitted++;
  s->cv.notify_all();
}
namespace {
void legacy_sync() {
  if (t_on_stream) return;
  std::vector<CUstream_st*> ss;
  {
    std::lock_guard<std::mutex> l(g_streams_mu);
    for (CUstream_st* s : g_streams) if (s->blocking) ss.push_back(s);
  }
  for (CUstream_st* s : ss) s->drain();
}
void drain_stream(cudaStream_t s) {
  if (s == 0) legacy_sync();
  else s->drain();
}
}  // namespace
void legacy_sync_all() {
  std::vector<CUstream_st*> ss;
  {
    std::lock_guard<std::mutex> l(g_streams_mu);
    ss = g_streams;
  }
  for (CUstream_st* s : ss) s->drain();
}
}  // namespace cuemu
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned int flags) {
  if (!s) return set_error(cudaErrorInvalidValue);
  auto* st = new CUstream_st();
  st->blocking = !(flags & cudaStreamNonBlocking);
  st->th = std::thread([st] { st->loop(); });
  {
    std::lock_guard<std::mutex> l(g_streams_mu);
    g_streams.push_back(st);
  }
  *s = st;
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* s) { return cudaStreamCreateWithFlags(s, 0); }
cudaError_t cudaStreamCreateWithPriority(cudaStream_t* s, unsigned int flags, int) {
  return cudaStreamCreateWithFlags(s, flags);  // priorities are accepted and ignored
}
cudaError_t cudaDeviceGetStreamPriorityRange(int* least, int* greatest) {
  if (least) *least = 0;
  if (greatest) *greatest = -5;
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t s) {
  if (!s) return set_error(cudaErrorInvalidValue);
  {
    std::lock_guard<std::mutex> l(g_streams_mu);
    g_streams.erase(std::remove(g_streams.begin(), g_streams.end(), s), g_streams.end());
  }
  {
    std::lock_guard<std::mutex> l(s->mu);
    s->stop = true;
    s->cv.notify_all();
  }
  s->th.join();  // runs what was submitted first, as a GPU finishes a destroyed stream's work
  delete s;
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  drain_stream(s);
  return g_sticky != cudaSuccess ? set_error(g_sticky) : cudaSuccess;
}
cudaError_t cudaStreamQuery(cudaStream_t s) {
  if (s != 0) {
    std::lock_guard<std::mutex> l(s->mu);
    if (s->completed < s->submitted) return cudaErrorNotReady;  // not an error (no set_error)
  }
  return g_sticky != cudaSuccess ? set_error(g_sticky) : cudaSuccess;
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int flags) {
  if (!e) return set_error(cudaErrorInvalidValue);
  *e = new CUevent_st();
  (*e)->flags = flags;
  return cudaSuccess;
}
cudaError_t cudaEventCreate(cudaEvent_t* e) { return cudaEventCreateWithFlags(e, 0); }
cudaError_t cudaEventDestroy(cudaEvent_t e) {
  if (!e) return set_error(cudaErrorInvalidValue);
  delete e;  // a pending stamp closure holds the stamp, not the event
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  if (!e) return set_error(cudaErrorInvalidValue);
  auto st = std::make_shared<EventStamp>();
  e->recorded = true;
  e->stamp = st;
  if (s == 0) {  // the legacy default stream: after the blocking streams' work; its own work has already run
    legacy_sync();
    st->ms = now_ms();
    st->done = true;
    e->s = nullptr;
    e->ticket = 0;
    return cudaSuccess;
  }
  std::lock_guard<std::mutex> l(s->mu);
  s->q.push_back([st] { st->ms = now_ms(); st->done = true; });
  s->submitted++;
  s->cv.notify_all();
  e->s = s;
  e->ticket = s->submitted;
  return cudaSuccess;
}
cudaError_t cudaEventQuery(cudaEvent_t e) {
  if (!e) return set_error(cudaErrorInvalidValue);
  if (!e->s) return cudaSuccess;
  std::lock_guard<std::mutex> l(e->s->mu);
  return e->s->completed >= e->ticket ? cudaSuccess : cudaErrorNotReady;  // not-ready is not an error (no set_error)
}
cudaError_t cudaEventSynchronize(cudaEvent_t e) {
  if (!e) return set_error(cudaErrorInvalidValue);
  if (e->s) e->s->wait_for(e->ticket);
  return cudaSuccess;
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (!ms || !start || !end) return set_error(cudaErrorInvalidValue);
  if ((start->flags & cudaEventDisableTiming) || (end->flags & cudaEventDisableTiming) || !start->recorded || !end->recorded)
    return set_error(cudaErrorInvalidResourceHandle);
  if (!start->stamp->done || !end->stamp->done) return set_error(cudaErrorNotReady);
  *ms = (float)(end->stamp->ms - start->stamp->ms);
  return cudaSuccess;
}
cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned int) {
  if (!e) return set_error(cudaErrorInvalidValue);
  if (!e->s || e->s == s) return cudaSuccess;
  cudaStream_t es = e->s;
  uint64_t t = e->ticket;
  if (s == 0) { es->wait_for(t); return cudaSuccess; }  // later default-stream work runs after the event
  stream_submit(s, [es, t] { es->wait_for(t); });
  return cudaSuccess;
}
