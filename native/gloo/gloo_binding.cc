// gloo_binding.cc - the distributed addon (nodetorch_gloo.node): process groups on Gloo's TCP transport.
// A separate addon so that libgloo (and what it pulls in) stays off the core addon's link line: without Gloo the
// package installs and loads as before. Tensors are passed as raw CPU addresses (core addon's dataPtr) that the JS
// side keeps alive until the work completes.
// Note [one worker thread per group]: like PyTorch's ProcessGroupGloo, a group runs its collectives in submission
// order on its own native thread, so every rank issues them in the same order, and an asynchronous collective
// communicates while JavaScript goes on (DDP's bucket all-reduces overlap the rest of backward). Point-to-point
// operations post at once and complete on a thread of their own, as they must not wait behind collectives.
#include <napi.h>
#include "../binding/napi_guard.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/gather.h>
#include <gloo/reduce.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/scatter.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/tcp/loop.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "../core/dtype.h"
#include "../dist/store.h"

namespace {

using nt::DType;
using Ms = std::chrono::milliseconds;

int64_t now_ns(clockid_t c = CLOCK_MONOTONIC) {
  timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

enum ReduceOp { kSum = 0, kAvg = 1, kProduct = 2, kMin = 3, kMax = 4 };

// ---------------------------------------------------------------- rendezvous through our store

class GlooStore : public gloo::rendezvous::Store {
 public:
  GlooStore(nt::dist::Store* s, std::string prefix, int64_t timeout_ms) : s_(s), prefix_(std::move(prefix)), timeout_(timeout_ms) {}
  void set(const std::string& key, const std::vector<char>& data) override { s_->set(prefix_ + key, data); }
  std::vector<char> get(const std::string& key) override { return s_->get(prefix_ + key, timeout_); }
  void wait(const std::vector<std::string>& keys) override { wait(keys, Ms(timeout_)); }
  void wait(const std::vector<std::string>& keys, const Ms& timeout) override {
    std::vector<std::string> k;
    for (const auto& x : keys) k.push_back(prefix_ + x);
    s_->wait(k, timeout.count() > 0 ? timeout.count() : timeout_);
  }

 private:
  nt::dist::Store* s_;
  std::string prefix_;
  int64_t timeout_;
};

// ---------------------------------------------------------------- communication threads' time slice

// Note [short slices]: on a machine whose cores are all busy computing (two ranks on two cores), a communication thread
// that wakes up (data arrived, a send can go on) waits behind the compute thread until that one's time slice ends
// (EEVDF lets the current task run to parity; its slice is 0.7 ms x (1 + log2 CPUs), 1.4 ms on 2 cores), and a ring
// all-reduce wakes up a dozen times per bucket. Linux 6.12+ lets a normal (SCHED_OTHER) thread ask for a shorter slice
// (sched_attr.sched_runtime), and a waking task with a shorter slice may preempt the current one: so the group's worker
// threads and Gloo's I/O thread ask for NODETORCH_GLOO_SLICE_US (default 100 us; 0 leaves them alone). Their CPU share
// does not change (same nice), only how soon they run after a wake-up. Older kernels refuse or ignore the request,
// which changes nothing.
int64_t slice_ns() {
  static int64_t v = [] {
    const char* e = getenv("NODETORCH_GLOO_SLICE_US");
    double us = e ? atof(e) : 100;
    return us > 0 ? (int64_t)(us * 1000) : (int64_t)0;
  }();
  return v;
}
struct SchedAttr {  // linux/sched/types.h's struct sched_attr (that header clashes with glibc's sched.h)
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};
void request_short_slice(pid_t tid) {
  int64_t ns = slice_ns();
  if (ns <= 0) return;
  SchedAttr a{};
  a.size = sizeof a;
  if (syscall(SYS_sched_getattr, tid, &a, sizeof a, 0) != 0 || a.sched_policy != 0 /* SCHED_NORMAL */) return;
  a.size = sizeof a;
  a.sched_flags = 0;  // policy and nice as read above
  a.sched_runtime = (uint64_t)std::max<int64_t>(ns, 100000);  // the kernel's minimum is 100 us
  syscall(SYS_sched_setattr, tid, &a, 0);
}
// Runs once on the Gloo device's I/O (epoll) thread, through an eventfd registered with its loop: asks for the short
// slice there, then unregisters itself (from the loop thread, which does not wait for a loop tick).
class SliceOnLoop : public gloo::transport::tcp::Handler {
 public:
  explicit SliceOnLoop(std::shared_ptr<gloo::transport::tcp::Device> dev) : dev_(std::move(dev)), fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~SliceOnLoop() override { if (fd_ >= 0) ::close(fd_); }
  // true once the I/O thread has run it (false: no eventfd, or the loop did not answer within 5 s)
  bool run() {
    if (fd_ < 0) return false;
    dev_->registerDescriptor(fd_, EPOLLIN, this);
    uint64_t one = 1;
    if (::write(fd_, &one, sizeof one) != (ssize_t)sizeof one) { dev_->unregisterDescriptor(fd_, this); return false; }
    std::unique_lock<std::mutex> l(mu_);
    if (cv_.wait_for(l, std::chrono::seconds(5), [&] { return done_; })) return true;
    l.unlock();
    if (!claimed_.exchange(true)) dev_->unregisterDescriptor(fd_, this);  // the loop never came: take it back
    return false;
  }
  void handleEvents(int) override {
    uint64_t v;
    while (::read(fd_, &v, sizeof v) > 0) {}
    if (claimed_.exchange(true)) return;
    request_short_slice((pid_t)syscall(SYS_gettid));
    dev_->unregisterDescriptor(fd_, this);
    std::lock_guard<std::mutex> l(mu_);
    done_ = true;
    cv_.notify_all();
  }
 private:
  std::shared_ptr<gloo::transport::tcp::Device> dev_;
  int fd_;
  std::atomic<bool> claimed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// ---------------------------------------------------------------- element-wise combine functions

template <typename T> struct Plain {
  static double load(const void* p, size_t i) { return (double)((const T*)p)[i]; }
};
template <typename T, typename F>
void combine_as(void* c, const void* a, const void* b, size_t n, F f) {
  T* o = (T*)c;
  const T* x = (const T*)a;
  const T* y = (const T*)b;
  for (size_t i = 0; i < n; i++) o[i] = f(x[i], y[i]);
}

// NaN propagates through min/max, as torch.minimum/maximum
template <typename T> T tmin(T a, T b) { return (a != a) ? a : (b != b) ? b : (b < a ? b : a); }
template <typename T> T tmax(T a, T b) { return (a != a) ? a : (b != b) ? b : (b > a ? b : a); }

template <typename T>
gloo::AllreduceOptions::Func typed(int op) {
  switch (op) {
    case kSum: case kAvg: return [](void* c, const void* a, const void* b, size_t n) { combine_as<T>(c, a, b, n, [](T x, T y) { return (T)(x + y); }); };
    case kProduct: return [](void* c, const void* a, const void* b, size_t n) { combine_as<T>(c, a, b, n, [](T x, T y) { return (T)(x * y); }); };
    case kMin: return [](void* c, const void* a, const void* b, size_t n) { combine_as<T>(c, a, b, n, tmin<T>); };
    default: return [](void* c, const void* a, const void* b, size_t n) { combine_as<T>(c, a, b, n, tmax<T>); };
  }
}

// float16/bfloat16: computed in float32, rounded back per step (as PyTorch's Gloo backend does for half)
template <float (*Load)(uint16_t), uint16_t (*Store)(float)>
gloo::AllreduceOptions::Func half_typed(int op) {
  switch (op) {
    case kSum: case kAvg: return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint16_t>(c, a, b, n, [](uint16_t x, uint16_t y) { return Store(Load(x) + Load(y)); }); };
    case kProduct: return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint16_t>(c, a, b, n, [](uint16_t x, uint16_t y) { return Store(Load(x) * Load(y)); }); };
    case kMin: return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint16_t>(c, a, b, n, [](uint16_t x, uint16_t y) { return Store(tmin(Load(x), Load(y))); }); };
    default: return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint16_t>(c, a, b, n, [](uint16_t x, uint16_t y) { return Store(tmax(Load(x), Load(y))); }); };
  }
}
uint16_t f2h(float f) { return nt::float_to_half(f); }
float h2f(uint16_t h) { return nt::half_to_float(h); }
uint16_t f2b(float f) { return nt::float_to_bf16(f); }
float b2f(uint16_t h) { return nt::bf16_to_float(h); }

// bool: sum and max are logical or, product and min logical and (as PyTorch's backends treat bool)
gloo::AllreduceOptions::Func bool_typed(int op) {
  if (op == kProduct || op == kMin) return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint8_t>(c, a, b, n, [](uint8_t x, uint8_t y) { return (uint8_t)(x && y); }); };
  return [](void* c, const void* a, const void* b, size_t n) { combine_as<uint8_t>(c, a, b, n, [](uint8_t x, uint8_t y) { return (uint8_t)(x || y); }); };
}

gloo::AllreduceOptions::Func reduce_fn(DType d, int op) {
  switch (d) {
    case DType::F32: return typed<float>(op);
    case DType::F64: return typed<double>(op);
    case DType::F16: return half_typed<h2f, f2h>(op);
    case DType::BF16: return half_typed<b2f, f2b>(op);
    case DType::I64: return typed<int64_t>(op);
    case DType::I32: return typed<int32_t>(op);
    case DType::I16: return typed<int16_t>(op);
    case DType::I8: return typed<int8_t>(op);
    case DType::U8: return typed<uint8_t>(op);
    default: return bool_typed(op);
  }
}

// Calls f with a typed null pointer whose element size is the dtype's (Gloo only uses sizeof(T) to cut buffers, so
// elements are never split between ring segments).
template <typename F>
void by_size(DType d, F f) {
  switch (nt::itemsize(d)) {
    case 8: f((uint64_t*)nullptr); break;
    case 4: f((uint32_t*)nullptr); break;
    case 2: f((uint16_t*)nullptr); break;
    default: f((uint8_t*)nullptr); break;
  }
}

// ---------------------------------------------------------------- work

struct WorkState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string error;
  int source = -1;  // the sender of a completed recv
  // timing (CLOCK_MONOTONIC ns): submitted, started on the group's thread, finished; the thread's CPU time for it
  int64_t t_submit = 0, t_start = 0, t_end = 0, cpu_ns = 0;
  bool has_tsfn = false;
  Napi::ThreadSafeFunction tsfn;

  void finish(std::string err) {
    bool notify = false;
    Napi::ThreadSafeFunction f;
    {
      std::lock_guard<std::mutex> g(mu);
      done = true;
      error = std::move(err);
      if (has_tsfn) { notify = true; f = tsfn; has_tsfn = false; }
    }
    cv.notify_all();
    if (notify) {
      f.BlockingCall();
      f.Release();
    }
  }
};
using WorkPtr = std::shared_ptr<WorkState>;

// Note [worker threads]: as PyTorch's ProcessGroupGloo (Options.threads, default 2), a group runs its collectives on
// two native threads that take them from one queue in submission order, so every rank starts them in the same order
// and two may be in flight at once (each has its own tag, so Gloo keeps their messages apart): DDP's last bucket
// starts its all-reduce as soon as backward ends instead of queueing behind the previous bucket's, and one
// all-reduce's waits on the wire overlap the other's. A barrier first waits for every collective submitted before
// it, as PyTorch's does. NODETORCH_GLOO_THREADS sets the count (1 = strictly one collective at a time).
struct Group {
  int rank = 0, size = 1;
  int64_t timeout_ms = 0;
  std::unique_ptr<nt::dist::Store> store;
  std::shared_ptr<gloo::rendezvous::Context> ctx;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<std::function<void()>, WorkPtr>> q;
  std::vector<std::weak_ptr<WorkState>> outstanding;  // submitted, maybe not finished (pruned at each submission)
  bool stopping = false;
  uint32_t next_tag = 0;
  std::string broken;  // the first failure: later collectives fail at once instead of hanging on a dead peer (under mu)
  std::unique_ptr<SliceOnLoop> slice_on_loop;

  void run() {
    for (;;) {
      std::pair<std::function<void()>, WorkPtr> job;
      std::string err;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return stopping || !q.empty(); });
        if (q.empty()) return;
        job = std::move(q.front());
        q.pop_front();
        if (!broken.empty()) err = "the process group is unusable after an earlier failure: " + broken;
      }
      job.second->t_start = now_ns();
      int64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
      if (err.empty()) {
        try {
          job.first();
        } catch (const std::exception& e) {
          err = e.what();
        } catch (...) {
          err = "unknown failure";
        }
        if (!err.empty()) {
          std::lock_guard<std::mutex> lk(mu);
          if (broken.empty()) broken = err;
        }
      }
      job.second->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
      job.second->t_end = now_ns();
      job.second->finish(err);
    }
  }
};
int worker_threads() {
  const char* e = getenv("NODETORCH_GLOO_THREADS");
  int n = e ? atoi(e) : 2;
  return n < 1 ? 1 : n > 16 ? 16 : n;
}
using GroupPtr = std::shared_ptr<Group>;

struct GroupBox { GroupPtr g; };

using nt::napi_guard::Guarded;

GroupPtr group_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw std::runtime_error("internal: expected a process group handle");
  GroupBox* b = v.As<Napi::External<GroupBox>>().Data();
  if (!b->g) throw std::runtime_error("the process group has been destroyed");
  return b->g;
}
WorkPtr work_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw std::runtime_error("internal: expected a work handle");
  return *v.As<Napi::External<WorkPtr>>().Data();
}
void* ptr_of(const Napi::Value& v) {
  bool lossless = true;
  return (void*)(uintptr_t)v.As<Napi::BigInt>().Uint64Value(&lossless);
}
std::string str_of(const Napi::Object& o, const char* k) { return o.Get(k).IsString() ? o.Get(k).As<Napi::String>().Utf8Value() : std::string(); }
int64_t num_of(const Napi::Object& o, const char* k) { return (int64_t)o.Get(k).As<Napi::Number>().DoubleValue(); }

// The address this host is reached at from the master: the source address of a UDP "connection" to it (no packet
// is sent), so that a multi-homed machine advertises the interface that routes to its peers.
std::string local_address_towards(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), "9", &hints, &res) != 0 || !res) return "";
  std::string out;
  int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (getsockname(fd, (sockaddr*)&ss, &sl) == 0) {
      if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((sockaddr_in*)&ss)->sin_addr, buf, sizeof buf);
      else inet_ntop(AF_INET6, &((sockaddr_in6*)&ss)->sin6_addr, buf, sizeof buf);
      out = buf;
    }
  }
  if (fd >= 0) ::close(fd);
  freeaddrinfo(res);
  return out;
}

// newGroup({ storeKind, storeWhere, storePort, prefix, rank, size, timeoutMs, iface, hostname })
Napi::Value NewGroup(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  auto g = std::make_shared<Group>();
  g->rank = (int)num_of(o, "rank");
  g->size = (int)num_of(o, "size");
  g->timeout_ms = num_of(o, "timeoutMs");
  std::string kind = str_of(o, "storeKind");
  g->store = kind == "file" ? nt::dist::open_file_store(str_of(o, "storeWhere"), g->timeout_ms)
                            : nt::dist::connect_tcp_store(str_of(o, "storeWhere"), (int)num_of(o, "storePort"), g->timeout_ms);
  gloo::transport::tcp::attr attr;
  std::string iface = str_of(o, "iface");
  if (!iface.empty()) attr.iface = iface;
  else {
    std::string h = str_of(o, "hostname");
    std::string a = h.empty() ? "" : local_address_towards(h);
    attr.hostname = a.empty() ? (h.empty() ? "127.0.0.1" : h) : a;
  }
  std::shared_ptr<gloo::transport::Device> dev;
  try {
    dev = gloo::transport::tcp::CreateDevice(attr);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("Gloo: cannot create the TCP device") + (iface.empty() ? " for " + attr.hostname : " on interface " + iface) + ": " + e.what());
  }
  // the device's I/O thread asks for its slice on itself (kept until the group goes: the loop may still be returning
  // from its handler when run() does)
  if (slice_ns() > 0) {
    if (auto tcp = std::dynamic_pointer_cast<gloo::transport::tcp::Device>(dev)) {
      g->slice_on_loop = std::make_unique<SliceOnLoop>(tcp);
      g->slice_on_loop->run();
    }
  }
  g->ctx = std::make_shared<gloo::rendezvous::Context>(g->rank, g->size);
  g->ctx->setTimeout(Ms(g->timeout_ms));
  GlooStore gs(g->store.get(), str_of(o, "prefix"), g->timeout_ms);
  g->ctx->connectFullMesh(gs, dev);
  // the workers are running (with their slice requested) when the group is returned
  int n = worker_threads();
  auto started = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
  auto count = std::make_shared<int>(0);
  for (int i = 0; i < n; i++) {
    std::thread([g, started, count]() {
      request_short_slice((pid_t)syscall(SYS_gettid));
      { std::lock_guard<std::mutex> l(started->first); ++*count; }
      started->second.notify_all();
      g->run();
    }).detach();
  }
  {
    std::unique_lock<std::mutex> l(started->first);
    started->second.wait(l, [&] { return *count == n; });
  }
  return Napi::External<GroupBox>::New(info.Env(), new GroupBox{g}, [](Napi::Env, GroupBox* b) {
    if (b->g) { std::lock_guard<std::mutex> l(b->g->mu); b->g->stopping = true; b->g->cv.notify_all(); }
    delete b;
  });
}

Napi::Value DestroyGroup(const Napi::CallbackInfo& info) {
  GroupBox* b = info[0].As<Napi::External<GroupBox>>().Data();
  if (b->g) {
    { std::lock_guard<std::mutex> l(b->g->mu); b->g->stopping = true; }
    b->g->cv.notify_all();
    b->g.reset();  // the worker thread keeps the group alive until the queued work has run
  }
  return info.Env().Undefined();
}

Napi::Value MakeWork(Napi::Env env, const WorkPtr& w) {
  return Napi::External<WorkPtr>::New(env, new WorkPtr(w), [](Napi::Env, WorkPtr* p) { delete p; });
}

// The collectives submitted before now that have not finished (a barrier waits for them). Called under g->mu.
std::vector<WorkPtr> unfinished(Group& g) {
  std::vector<WorkPtr> out;
  std::vector<std::weak_ptr<WorkState>> keep;
  for (auto& wp : g.outstanding) {
    WorkPtr w = wp.lock();
    if (!w) continue;
    std::lock_guard<std::mutex> l(w->mu);
    if (w->done) continue;
    out.push_back(w);
    keep.push_back(wp);
  }
  g.outstanding.swap(keep);
  return out;
}

// fn receives the collectives submitted before it that were still unfinished (only a barrier looks at them)
Napi::Value Enqueue(Napi::Env env, const GroupPtr& g, std::function<void(const std::vector<WorkPtr>&)> fn) {
  auto w = std::make_shared<WorkState>();
  w->t_submit = now_ns();
  {
    std::lock_guard<std::mutex> l(g->mu);
    if (g->stopping) throw std::runtime_error("the process group has been destroyed");
    auto prior = std::make_shared<std::vector<WorkPtr>>(unfinished(*g));
    g->outstanding.push_back(w);
    g->q.emplace_back([fn = std::move(fn), prior]() { fn(*prior); }, w);
  }
  g->cv.notify_one();
  return MakeWork(env, w);
}

// submit(group, { kind, dtype, op, root, n, ptr, out, ptrs }) -> work
Napi::Value Submit(const Napi::CallbackInfo& info) {
  GroupPtr g = group_of(info[0]);
  Napi::Object o = info[1].As<Napi::Object>();
  std::string kind = str_of(o, "kind");
  DType d = (DType)num_of(o, "dtype");
  int op = o.Has("op") ? (int)num_of(o, "op") : kSum;
  int root = o.Has("root") ? (int)num_of(o, "root") : 0;
  size_t n = o.Has("n") ? (size_t)num_of(o, "n") : 0;
  void* ptr = o.Has("ptr") ? ptr_of(o.Get("ptr")) : nullptr;
  void* out = o.Has("out") ? ptr_of(o.Get("out")) : nullptr;
  std::vector<void*> ptrs;
  if (o.Has("ptrs")) {
    auto a = o.Get("ptrs").As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) ptrs.push_back(ptr_of(a.Get(i)));
  }
  uint32_t tag = g->next_tag++;
  auto ctx = g->ctx;
  Ms timeout(g->timeout_ms);
  std::function<void(const std::vector<WorkPtr>&)> fn;
  if (kind == "allreduce") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::AllreduceOptions opts(ctx);
      by_size(d, [&](auto* t) { opts.setOutput(static_cast<decltype(t)>(ptr), n); });
      opts.setReduceFunction(reduce_fn(d, op));
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::allreduce(opts);
    };
  } else if (kind == "reduce") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::ReduceOptions opts(ctx);
      by_size(d, [&](auto* t) { opts.setOutput(static_cast<decltype(t)>(ptr), n); });
      opts.setRoot(root);
      opts.setReduceFunction(reduce_fn(d, op));
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::reduce(opts);
    };
  } else if (kind == "broadcast") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::BroadcastOptions opts(ctx);
      by_size(d, [&](auto* t) {
        if (ctx->rank == root) opts.setInput(static_cast<decltype(t)>(ptr), n);
        opts.setOutput(static_cast<decltype(t)>(ptr), n);
      });
      opts.setRoot(root);
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::broadcast(opts);
    };
  } else if (kind == "allgather") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::AllgatherOptions opts(ctx);
      by_size(d, [&](auto* t) {
        opts.setInput(static_cast<decltype(t)>(ptr), n);
        opts.setOutput(static_cast<decltype(t)>(out), n * (size_t)ctx->size);
      });
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::allgather(opts);
    };
  } else if (kind == "gather") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::GatherOptions opts(ctx);
      by_size(d, [&](auto* t) {
        opts.setInput(static_cast<decltype(t)>(ptr), n);
        if (ctx->rank == root) opts.setOutput(static_cast<decltype(t)>(out), n * (size_t)ctx->size);
      });
      opts.setRoot(root);
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::gather(opts);
    };
  } else if (kind == "scatter") {
    fn = [=](const std::vector<WorkPtr>&) {
      if (n == 0) return;
      gloo::ScatterOptions opts(ctx);
      by_size(d, [&](auto* t) {
        using T = std::remove_pointer_t<decltype(t)>;
        if (ctx->rank == root) {
          std::vector<T*> in;
          for (void* p : ptrs) in.push_back((T*)p);
          opts.setInputs(in, n);
        }
        opts.setOutput((T*)ptr, n);
      });
      opts.setRoot(root);
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::scatter(opts);
    };
  } else if (kind == "barrier") {
    fn = [=](const std::vector<WorkPtr>& prior) {
      // after every collective submitted before it (another worker thread may still run one)
      for (const WorkPtr& p : prior) {
        std::unique_lock<std::mutex> lk(p->mu);
        p->cv.wait(lk, [&] { return p->done; });
        if (!p->error.empty()) throw std::runtime_error(p->error);
      }
      gloo::BarrierOptions opts(ctx);
      opts.setTag(tag);
      opts.setTimeout(timeout);
      gloo::barrier(opts);
    };
  } else {
    throw std::runtime_error("internal: unknown collective " + kind);
  }
  return Enqueue(info.Env(), g, std::move(fn));
}

// p2p(group, { kind: 'send'|'recv', ptr, nbytes, peer (-1: any source for recv), tag }) -> work
// Posted at once on this thread (Gloo's unbound buffers are asynchronous) and completed on a thread of its own.
Napi::Value P2p(const Napi::CallbackInfo& info) {
  GroupPtr g = group_of(info[0]);
  Napi::Object o = info[1].As<Napi::Object>();
  bool send = str_of(o, "kind") == "send";
  void* ptr = ptr_of(o.Get("ptr"));
  size_t nbytes = (size_t)num_of(o, "nbytes");
  int peer = (int)num_of(o, "peer");
  uint64_t tag = (uint64_t)num_of(o, "tag");
  // a zero-byte message still needs a buffer to carry it
  auto holder = std::make_shared<std::vector<char>>(nbytes == 0 ? 1 : 0);
  void* p = nbytes == 0 ? holder->data() : ptr;
  std::shared_ptr<gloo::transport::UnboundBuffer> buf(g->ctx->createUnboundBuffer(p, nbytes == 0 ? 1 : nbytes).release());
  if (send) buf->send(peer, tag);
  else if (peer >= 0) buf->recv(peer, tag);
  else {
    std::vector<int> all;
    for (int r = 0; r < g->size; r++) if (r != g->rank) all.push_back(r);
    buf->recv(all, tag);
  }
  auto w = std::make_shared<WorkState>();
  Ms timeout(g->timeout_ms);
  std::thread([g, buf, holder, w, send, timeout]() {
    std::string err;
    try {
      int r = -1;
      bool ok = send ? buf->waitSend(&r, timeout) : buf->waitRecv(&r, timeout);
      if (!ok) err = std::string(send ? "send" : "recv") + " was aborted";
      std::lock_guard<std::mutex> l(w->mu);
      w->source = r;
    } catch (const std::exception& e) {
      err = e.what();
    }
    w->finish(err);
  }).detach();
  return MakeWork(info.Env(), w);
}

Napi::Value Source(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::lock_guard<std::mutex> g(w->mu);
  return Napi::Number::New(info.Env(), w->source);
}

// wait(work): blocks until the work completes; throws its error. Returns true.
Napi::Value Wait(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::unique_lock<std::mutex> lk(w->mu);
  w->cv.wait(lk, [&] { return w->done; });
  if (!w->error.empty()) throw std::runtime_error(w->error);
  return Napi::Boolean::New(info.Env(), true);
}
// status(work) -> 0 pending, 1 done, 2 failed (error readable with error(work))
Napi::Value Status(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::lock_guard<std::mutex> g(w->mu);
  return Napi::Number::New(info.Env(), !w->done ? 0 : w->error.empty() ? 1 : 2);
}
// timing(work) -> [submitted, started, finished, thread CPU] in ns (CLOCK_MONOTONIC; 0 while not reached)
Napi::Value Timing(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::lock_guard<std::mutex> g(w->mu);
  Napi::Array a = Napi::Array::New(info.Env(), 4);
  a.Set(0u, Napi::Number::New(info.Env(), (double)w->t_submit));
  a.Set(1u, Napi::Number::New(info.Env(), (double)w->t_start));
  a.Set(2u, Napi::Number::New(info.Env(), (double)w->t_end));
  a.Set(3u, Napi::Number::New(info.Env(), (double)w->cpu_ns));
  return a;
}
// threadCpu() -> the calling thread's CPU time in ns (bench/ddp_profile.js: the JS thread's own share of a phase)
Napi::Value ThreadCpu(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), (double)now_ns(CLOCK_THREAD_CPUTIME_ID)); }
Napi::Value Error(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::lock_guard<std::mutex> g(w->mu);
  return Napi::String::New(info.Env(), w->error);
}
// notify(work, cb): cb() runs on this JS thread once the work completes; false when it is already complete.
Napi::Value Notify(const Napi::CallbackInfo& info) {
  WorkPtr w = work_of(info[0]);
  std::lock_guard<std::mutex> g(w->mu);
  if (w->done) return Napi::Boolean::New(info.Env(), false);
  if (!w->has_tsfn) {
    w->tsfn = Napi::ThreadSafeFunction::New(info.Env(), info[1].As<Napi::Function>(), "nodetorch-gloo-work", 0, 1);
    w->has_tsfn = true;
  }
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("newGroup", Napi::Function::New<Guarded<NewGroup>>(env));
  exports.Set("destroyGroup", Napi::Function::New<Guarded<DestroyGroup>>(env));
  exports.Set("submit", Napi::Function::New<Guarded<Submit>>(env));
  exports.Set("p2p", Napi::Function::New<Guarded<P2p>>(env));
  exports.Set("wait", Napi::Function::New<Guarded<Wait>>(env));
  exports.Set("status", Napi::Function::New<Guarded<Status>>(env));
  exports.Set("threadCpu", Napi::Function::New<Guarded<ThreadCpu>>(env));
  exports.Set("timing", Napi::Function::New<Guarded<Timing>>(env));
  exports.Set("error", Napi::Function::New<Guarded<Error>>(env));
  exports.Set("source", Napi::Function::New<Guarded<Source>>(env));
  exports.Set("notify", Napi::Function::New<Guarded<Notify>>(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(nodetorch_gloo, Init)
