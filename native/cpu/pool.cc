// pool.cc - the CPU thread pool (see pool.h).
//
// Note [thread pool]: work is shared through counters, so any number of threads may join a job and the caller
// waits only for workers that actually started it. A fork/join team (OpenMP) makes the caller wait, at the end of
// every region, for each team thread to be scheduled at least once: on a loaded machine that is a scheduler time
// slice (~20 ms) per call, and with sleeping (passive) workers every call pays a futex wake-up on each thread.
// Here, between jobs a worker spins briefly, then yields (a waiting worker must not hold a core that the JS
// thread needs on a small machine; OpenBLAS waits the same way), and after ~200 us without work it sleeps on a
// condition variable. One job runs at a time: a second JS thread (worker_threads) that finds the pool busy runs
// its loop serially on its own thread.
#include "pool.h"
#include <sched.h>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <thread>

namespace nt {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

thread_local bool t_in_job = false;

struct JobFlag {  // marks this thread as running a pool job for the scope
  bool prev;
  JobFlag() : prev(t_in_job) { t_in_job = true; }
  ~JobFlag() { t_in_job = prev; }
};

int default_threads() {
  if (const char* s = std::getenv("OMP_NUM_THREADS")) {  // honoured as PyTorch does
    int n = std::atoi(s);
    if (n >= 1) return n;
  }
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
#endif
  unsigned h = std::thread::hardware_concurrency();
  return h ? (int)h : 1;
}

std::atomic<int> g_threads{0};  // the process default (computed once)
// setNumThreads applies to the calling JS thread only, as OpenMP's per-thread num-threads setting did: a DataLoader
// worker that asks for 1 thread must not make the main thread's kernels serial
thread_local int t_threads = 0;

class Pool {
 public:
  static Pool& get() {
    static Pool* p = new Pool();  // never destroyed: its detached threads may outlive static destructors
    return *p;
  }
  void run(int n, const std::function<void(int)>& fn) {
    if (n <= 1 || busy_.exchange(true)) {  // busy: another JS thread is using the pool
      JobFlag jf;
      fn(0);
      return;
    }
    try {
      while ((int)nthreads_ < n - 1) { std::thread(&Pool::worker, this).detach(); nthreads_++; }
    } catch (...) { /* no more threads: run with those we have */ }
    job_ = &fn;
    want_ = n;
    next_tid_.store(1, std::memory_order_relaxed);
    open_.store(1, std::memory_order_seq_cst);
    gen_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(mu_);
      cv_.notify_all();
    }
    std::exception_ptr err;  // fn should not throw; if it does, workers still read this frame: wait, then rethrow
    {
      JobFlag jf;
      try { fn(0); } catch (...) { err = std::current_exception(); }
    }
    open_.store(0, std::memory_order_seq_cst);
    for (int i = 0; in_flight_.load(std::memory_order_seq_cst) != 0; i++) {
      if (i < 2048) cpu_relax();
      else std::this_thread::yield();
    }
    busy_.store(false, std::memory_order_release);
    if (err) std::rethrow_exception(err);
  }

 private:
  void worker() {
    t_in_job = true;  // a worker only ever runs jobs: loops nested in them stay serial
    uint64_t seen = gen_.load(std::memory_order_acquire);
    for (;;) {
      uint64_t g;
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; (g = gen_.load(std::memory_order_acquire)) == seen; i++) {
        if (i < 64) cpu_relax();
        else std::this_thread::yield();
        if ((i & 15) == 15 && std::chrono::steady_clock::now() - t0 > std::chrono::microseconds(200)) {
          std::unique_lock<std::mutex> lk(mu_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          cv_.wait(lk, [&] { return gen_.load(std::memory_order_seq_cst) != seen; });
          sleepers_.fetch_sub(1, std::memory_order_seq_cst);
        }
      }
      seen = g;
      in_flight_.fetch_add(1, std::memory_order_seq_cst);
      if (open_.load(std::memory_order_seq_cst)) {  // else the caller has finished: this job is gone
        int tid = next_tid_.fetch_add(1, std::memory_order_relaxed);
        if (tid < want_) {
          try { (*job_)(tid); } catch (...) { /* pool.h: jobs do not throw; never let one end the process */ }
        }
      }
      in_flight_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> open_{0}, in_flight_{0}, next_tid_{1}, sleepers_{0};
  std::atomic<bool> busy_{false};
  const std::function<void(int)>* job_ = nullptr;
  int want_ = 0;
  size_t nthreads_ = 0;
};

}  // namespace

int num_threads() {
  if (t_threads > 0) return t_threads;
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = default_threads();
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}
void set_num_threads(int n) {
  if (n >= 1) t_threads = n;
}
bool in_parallel() { return t_in_job; }
void pool_run(int n, const std::function<void(int)>& fn) { Pool::get().run(n, fn); }


}  // namespace nt
