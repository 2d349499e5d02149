// pool.h - the CPU kernels' threads: one small pool of our own (Note [thread pool] in pool.cc) behind
// parallel_for, the GEMM and every other parallel loop. No OpenMP.
#pragma once
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

namespace nt {

int num_threads();             // threads a kernel may use: setNumThreads, else OMP_NUM_THREADS, else the CPUs we may run on
void set_num_threads(int n);   // n >= 1; for the calling (JS) thread only
bool in_parallel();            // true on a thread running a pool job: nested loops run serially

// fn(tid) on the calling thread (tid 0) and on up to n-1 pooled workers that join while the caller still works.
// fn must take its work from shared counters (any number of threads may join; the caller may end up doing all
// of it) and must not throw: parallel_for below catches for it.
void pool_run(int n, const std::function<void(int)>& fn);

// The first exception thrown by any chunk of a parallel loop, rethrown on the calling thread.
class FirstError {
 public:
  void keep() {
    std::lock_guard<std::mutex> lk(mu_);
    if (!err_) err_ = std::current_exception();
    failed_.store(true, std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() { if (err_) std::rethrow_exception(err_); }

 private:
  std::mutex mu_;
  std::exception_ptr err_;
  std::atomic<bool> failed_{false};
};

// f(begin, end) over [0, n) cut into contiguous chunks of at least `grain` items. A few chunks per thread, claimed
// one at a time, so a thread the OS is slow to wake (a busy machine) leaves its share to the others instead of
// stalling the call. Chunk edges depend only on n, grain and the thread count, never on which thread runs them.
template <typename F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  int nth = num_threads();
  if (grain < 1) grain = 1;
  if (n <= grain || nth <= 1 || in_parallel()) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  const int64_t maxch = (n + grain - 1) / grain;
  const int use = (int)std::min<int64_t>(nth, maxch);
  const int64_t nch = std::min<int64_t>(maxch, (int64_t)use * 4);
  std::atomic<int64_t> next{0};
  FirstError err;
  pool_run(use, [&](int) {
    for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nch;) {
      if (err.failed()) continue;
      const int64_t b = n / nch * c + std::min(c, n % nch), e = b + n / nch + (c < n % nch ? 1 : 0);
      try { f(b, e); } catch (...) { err.keep(); }
    }
  });
  err.rethrow();
}

// f(task) for task in [0, n), one at a time from a shared counter, on up to `threads` threads (tasks of very
// different sizes, or tasks that must not be merged into ranges).
template <typename F>
inline void parallel_tasks(int64_t n, int threads, F&& f) {
  if (threads > num_threads()) threads = num_threads();
  if (n <= 1 || threads <= 1 || in_parallel()) {
    for (int64_t t = 0; t < n; t++) f(t);
    return;
  }
  std::atomic<int64_t> next{0};
  FirstError err;
  pool_run((int)std::min<int64_t>(threads, n), [&](int) {
    for (int64_t t; (t = next.fetch_add(1, std::memory_order_relaxed)) < n;) {
      if (err.failed()) continue;
      try { f(t); } catch (...) { err.keep(); }
    }
  });
  err.rethrow();
}

}  // namespace nt
