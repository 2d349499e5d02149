// store.cc - TCPStore (server + client) and FileStore; see store.h.
// Wire format of the TCP store: a request is one command byte followed by its fields; strings are a u32 length and
// the bytes, integers little-endian i64. A blocking request (get, wait) carries its timeout and the server answers
// when the keys exist or the timeout passes, so a client never has to guess whether the server is alive or slow.
#include "store.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace nt {
namespace dist {

namespace {

using Clock = std::chrono::steady_clock;
enum Cmd : uint8_t { kSet = 1, kGet = 2, kAdd = 3, kCompareSet = 4, kCheck = 5, kWait = 6, kDelete = 7, kNumKeys = 8 };

std::string errstr(int e) { return std::string(strerror(e)); }

int64_t ms_left(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
}

// Waits until fd is readable (or writable); false on timeout. deadline_ms < 0: no deadline.
bool wait_fd(int fd, short events, Clock::time_point deadline, bool has_deadline) {
  for (;;) {
    int t = -1;
    if (has_deadline) {
      int64_t left = ms_left(deadline);
      if (left <= 0) return false;
      t = (int)std::min<int64_t>(left, 1 << 30);
    }
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, t);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let the read/write report the error
  }
}

// Both return false when the peer closed or an error happened; throw on timeout only through the caller.
bool send_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { pollfd q{fd, POLLOUT, 0}; poll(&q, 1, 1000); continue; }
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

// 1: ok, 0: closed/error, -1: timed out
int recv_all(int fd, char* p, size_t n, Clock::time_point deadline, bool has_deadline) {
  while (n) {
    if (!wait_fd(fd, POLLIN, deadline, has_deadline)) return -1;
    ssize_t r = ::recv(fd, p, n, 0);
    if (r == 0) return 0;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return 0;
    }
    p += r;
    n -= (size_t)r;
  }
  return 1;
}

struct Writer {
  std::vector<char> b;
  void u8(uint8_t v) { b.push_back((char)v); }
  void i64(int64_t v) { const char* p = (const char*)&v; b.insert(b.end(), p, p + 8); }
  void bytes(const char* p, size_t n) {
    uint32_t l = (uint32_t)n;
    const char* q = (const char*)&l;
    b.insert(b.end(), q, q + 4);
    b.insert(b.end(), p, p + n);
  }
  void str(const std::string& s) { bytes(s.data(), s.size()); }
  void vec(const std::vector<char>& v) { bytes(v.data(), v.size()); }
};

// Reads fields off a socket; any failure sets ok=false (the connection is then dropped).
struct SockReader {
  int fd;
  Clock::time_point deadline;
  bool has_deadline;
  int status = 1;
  bool raw(char* p, size_t n) {
    if (status != 1) return false;
    status = recv_all(fd, p, n, deadline, has_deadline);
    return status == 1;
  }
  uint8_t u8() { uint8_t v = 0; raw((char*)&v, 1); return v; }
  int64_t i64() { int64_t v = 0; raw((char*)&v, 8); return v; }
  std::vector<char> vec() {
    uint32_t l = 0;
    if (!raw((char*)&l, 4)) return {};
    if (l > (1u << 30)) { status = 0; return {}; }
    std::vector<char> v(l);
    if (l) raw(v.data(), l);
    return v;
  }
  std::string str() { auto v = vec(); return std::string(v.begin(), v.end()); }
};

std::vector<char> to_vec(const std::string& s) { return std::vector<char>(s.begin(), s.end()); }

int64_t parse_counter(const std::vector<char>& v, const std::string& key) {
  std::string s(v.begin(), v.end());
  char* end = nullptr;
  errno = 0;
  long long x = strtoll(s.c_str(), &end, 10);
  if (s.empty() || errno || !end || *end) throw StoreError("store.add('" + key + "'): the key holds a value that is not a counter");
  return (int64_t)x;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

// ---------------------------------------------------------------- server

struct TcpStoreServer::State {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<char>> kv;
  std::atomic<bool> stopping{false};
  int listen_fd = -1;
  std::set<int> clients;  // open connections, shut down by stop()
  std::atomic<int> threads{0};
};

namespace {

bool all_present(const std::map<std::string, std::vector<char>>& kv, const std::vector<std::string>& keys) {
  for (const auto& k : keys) if (!kv.count(k)) return false;
  return true;
}

// Waits (holding lk between checks) until every key exists; false on timeout or shutdown.
bool server_wait(TcpStoreServer::State& st, std::unique_lock<std::mutex>& lk, const std::vector<std::string>& keys, int64_t timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (!all_present(st.kv, keys)) {
    if (st.stopping) return false;
    if (timeout_ms >= 0 && Clock::now() >= deadline) return false;
    st.cv.wait_for(lk, std::chrono::milliseconds(100));
  }
  return true;
}

void serve_client(std::shared_ptr<TcpStoreServer::State> st, int fd) {
  set_nodelay(fd);
  for (;;) {
    SockReader r{fd, Clock::now(), false};
    uint8_t cmd = r.u8();
    if (r.status != 1) break;
    Writer w;
    bool ok = true;
    switch (cmd) {
      case kSet: {
        std::string k = r.str();
        std::vector<char> v = r.vec();
        if (r.status != 1) { ok = false; break; }
        { std::lock_guard<std::mutex> g(st->mu); st->kv[k] = std::move(v); }
        st->cv.notify_all();
        w.u8(0);
        break;
      }
      case kGet: {
        std::string k = r.str();
        int64_t t = r.i64();
        if (r.status != 1) { ok = false; break; }
        std::unique_lock<std::mutex> lk(st->mu);
        if (server_wait(*st, lk, {k}, t)) { w.u8(0); w.vec(st->kv[k]); }
        else w.u8(1);
        break;
      }
      case kAdd: {
        std::string k = r.str();
        int64_t d = r.i64();
        if (r.status != 1) { ok = false; break; }
        int64_t nv = 0;
        bool bad = false;
        {
          std::lock_guard<std::mutex> g(st->mu);
          auto it = st->kv.find(k);
          int64_t cur = 0;
          if (it != st->kv.end()) {
            try { cur = parse_counter(it->second, k); } catch (const StoreError&) { bad = true; }
          }
          if (!bad) { nv = cur + d; st->kv[k] = to_vec(std::to_string(nv)); }
        }
        st->cv.notify_all();
        w.u8(bad ? 1 : 0);
        w.i64(nv);
        break;
      }
      case kCompareSet: {
        std::string k = r.str();
        std::vector<char> expected = r.vec(), desired = r.vec();
        if (r.status != 1) { ok = false; break; }
        std::vector<char> out;
        {
          std::lock_guard<std::mutex> g(st->mu);
          auto it = st->kv.find(k);
          if (it == st->kv.end()) {
            if (expected.empty()) { st->kv[k] = desired; out = desired; }
            else out = expected;
          } else if (it->second == expected) {
            it->second = desired;
            out = desired;
          } else {
            out = it->second;
          }
        }
        st->cv.notify_all();
        w.vec(out);
        break;
      }
      case kCheck: case kWait: {
        int64_t n = r.i64();
        if (r.status != 1 || n < 0 || n > (1 << 20)) { ok = false; break; }
        std::vector<std::string> keys;
        for (int64_t i = 0; i < n; i++) keys.push_back(r.str());
        int64_t t = cmd == kWait ? r.i64() : 0;
        if (r.status != 1) { ok = false; break; }
        std::unique_lock<std::mutex> lk(st->mu);
        if (cmd == kCheck) w.u8(all_present(st->kv, keys) ? 0 : 1);
        else w.u8(server_wait(*st, lk, keys, t) ? 0 : 1);
        break;
      }
      case kDelete: {
        std::string k = r.str();
        if (r.status != 1) { ok = false; break; }
        std::lock_guard<std::mutex> g(st->mu);
        w.u8(st->kv.erase(k) ? 0 : 1);
        break;
      }
      case kNumKeys: {
        std::lock_guard<std::mutex> g(st->mu);
        w.i64((int64_t)st->kv.size());
        break;
      }
      default:
        ok = false;
    }
    if (!ok || !send_all(fd, w.b.data(), w.b.size())) break;
  }
  {
    std::lock_guard<std::mutex> g(st->mu);
    st->clients.erase(fd);
  }
  ::close(fd);
  st->threads--;
}

int resolve_and_bind(const std::string& host, int port, std::string* err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string ps = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), ps.c_str(), &hints, &res);
  if (rc != 0) { *err = std::string("cannot resolve ") + host + ": " + gai_strerror(rc); return -1; }
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) { *err = errstr(errno); continue; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 512) == 0) break;
    *err = errstr(errno);
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

}  // namespace

TcpStoreServer::~TcpStoreServer() { stop(); }

int TcpStoreServer::start(const std::string& host, int port) {
  if (st_) throw StoreError("TCPStore server: already started");
  std::string err;
  // bind every interface unless a specific non-loopback address was asked for, as PyTorch's server does
  int fd = resolve_and_bind(host, port, &err);
  if (fd < 0) throw StoreError("TCPStore: the server socket could not bind to " + host + ":" + std::to_string(port) + " (" + err + ")");
  sockaddr_storage ss{};
  socklen_t sl = sizeof ss;
  getsockname(fd, (sockaddr*)&ss, &sl);
  port_ = ss.ss_family == AF_INET6 ? ntohs(((sockaddr_in6*)&ss)->sin6_port) : ntohs(((sockaddr_in*)&ss)->sin_port);
  st_ = std::make_shared<State>();
  st_->listen_fd = fd;
  std::shared_ptr<State> st = st_;
  st->threads++;
  std::thread([st, fd]() {
    for (;;) {
      int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (st->stopping) break;
        if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
          if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        break;
      }
      if (st->stopping) { ::close(c); break; }
      {
        std::lock_guard<std::mutex> g(st->mu);
        st->clients.insert(c);
      }
      st->threads++;
      std::thread(serve_client, st, c).detach();
    }
    st->threads--;
  }).detach();
  return port_;
}

void TcpStoreServer::stop() {
  if (!st_) return;
  st_->stopping = true;
  ::shutdown(st_->listen_fd, SHUT_RDWR);
  {
    std::lock_guard<std::mutex> g(st_->mu);
    for (int c : st_->clients) ::shutdown(c, SHUT_RDWR);
  }
  st_->cv.notify_all();
  // the threads own the state through shared_ptr; give them a moment to leave so the port is free again
  for (int i = 0; i < 200 && st_->threads > 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (st_->threads == 0) ::close(st_->listen_fd);
  st_.reset();
}

// ---------------------------------------------------------------- TCP client

namespace {

class TcpClient : public Store {
 public:
  TcpClient(const std::string& host, int port, int64_t timeout_ms) : host_(host), port_(port), timeout_(timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string last = "no attempt";
    for (;;) {
      fd_ = try_connect(&last);
      if (fd_ >= 0) break;
      if (Clock::now() >= deadline) {
        throw StoreError("TCPStore: could not connect to the server at " + where() + " within " + std::to_string(timeout_ms) +
                         " ms (" + last + "); is rank 0 (or the launcher) running and MASTER_ADDR/MASTER_PORT right?");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    set_nodelay(fd_);
  }
  ~TcpClient() override { if (fd_ >= 0) ::close(fd_); }

  void set(const std::string& k, const std::vector<char>& v) override {
    Writer w; w.u8(kSet); w.str(k); w.vec(v);
    auto r = call(w, "set", k, -1);
    r.u8();
    done(r, "set", k);
  }
  std::vector<char> get(const std::string& k, int64_t t) override {
    Writer w; w.u8(kGet); w.str(k); w.i64(t);
    auto r = call(w, "get", k, t);
    uint8_t s = r.u8();
    if (r.status == 1 && s != 0) throw StoreError("TCPStore.get('" + k + "'): timed out after " + std::to_string(t) + " ms waiting for the key (server " + where() + ")");
    auto v = r.vec();
    done(r, "get", k);
    return v;
  }
  int64_t add(const std::string& k, int64_t d) override {
    Writer w; w.u8(kAdd); w.str(k); w.i64(d);
    auto r = call(w, "add", k, -1);
    uint8_t s = r.u8();
    int64_t v = r.i64();
    done(r, "add", k);
    if (s != 0) throw StoreError("TCPStore.add('" + k + "'): the key holds a value that is not a counter");
    return v;
  }
  std::vector<char> compare_set(const std::string& k, const std::vector<char>& e, const std::vector<char>& d) override {
    Writer w; w.u8(kCompareSet); w.str(k); w.vec(e); w.vec(d);
    auto r = call(w, "compareSet", k, -1);
    auto v = r.vec();
    done(r, "compareSet", k);
    return v;
  }
  bool check(const std::vector<std::string>& keys) override {
    Writer w; w.u8(kCheck); w.i64((int64_t)keys.size());
    for (const auto& k : keys) w.str(k);
    auto r = call(w, "check", "", -1);
    uint8_t s = r.u8();
    done(r, "check", "");
    return s == 0;
  }
  void wait(const std::vector<std::string>& keys, int64_t t) override {
    Writer w; w.u8(kWait); w.i64((int64_t)keys.size());
    for (const auto& k : keys) w.str(k);
    w.i64(t);
    auto r = call(w, "wait", "", t);
    uint8_t s = r.u8();
    done(r, "wait", "");
    if (s != 0) {
      std::string ks;
      for (const auto& k : keys) ks += (ks.empty() ? "'" : ", '") + k + "'";
      throw StoreError("TCPStore.wait([" + ks + "]): timed out after " + std::to_string(t) + " ms (server " + where() + ")");
    }
  }
  bool delete_key(const std::string& k) override {
    Writer w; w.u8(kDelete); w.str(k);
    auto r = call(w, "deleteKey", k, -1);
    uint8_t s = r.u8();
    done(r, "deleteKey", k);
    return s == 0;
  }
  int64_t num_keys() override {
    Writer w; w.u8(kNumKeys);
    auto r = call(w, "numKeys", "", -1);
    int64_t n = r.i64();
    done(r, "numKeys", "");
    return n;
  }

 private:
  std::string where() const { return host_ + ":" + std::to_string(port_); }
  int try_connect(std::string* err) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string ps = std::to_string(port_);
    int rc = getaddrinfo(host_.c_str(), ps.c_str(), &hints, &res);
    if (rc != 0) { *err = std::string("cannot resolve ") + host_ + ": " + gai_strerror(rc); return -1; }
    int fd = -1;
    for (addrinfo* a = res; a; a = a->ai_next) {
      fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) { *err = errstr(errno); continue; }
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
      *err = errstr(errno);
      ::close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    return fd;
  }
  // sends a request and returns a reader of the reply; blocking requests get their own timeout plus a margin
  SockReader call(const Writer& w, const char* op, const std::string& k, int64_t blocking_ms) {
    std::lock_guard<std::mutex> g(mu_);
    if (fd_ < 0) throw StoreError(std::string("TCPStore.") + op + ": the connection to the server at " + where() + " was lost earlier");
    if (!send_all(fd_, w.b.data(), w.b.size())) { lost(); throw StoreError(std::string("TCPStore.") + op + "('" + k + "'): the connection to the server at " + where() + " was lost"); }
    int64_t t = (blocking_ms >= 0 ? blocking_ms : 0) + std::max<int64_t>(timeout_, 1000) + 5000;
    return SockReader{fd_, Clock::now() + std::chrono::milliseconds(t), true};
  }
  void done(const SockReader& r, const char* op, const std::string& k) {
    if (r.status == 1) return;
    std::lock_guard<std::mutex> g(mu_);
    lost();
    throw StoreError(std::string("TCPStore.") + op + (k.empty() ? "" : "('" + k + "')") + ": " +
                     (r.status < 0 ? "no answer from the server at " + where() + " in time" : "the connection to the server at " + where() + " was lost"));
  }
  void lost() { if (fd_ >= 0) { ::close(fd_); fd_ = -1; } }

  std::string host_;
  int port_;
  int64_t timeout_;
  int fd_ = -1;
  std::mutex mu_;
};

// ---------------------------------------------------------------- file store

// Record: u32 key length, key, i32 value length (-1: deleted), value. Appends under flock(LOCK_EX); readers take
// LOCK_SH, so a reader never sees half a record.
class FileStore : public Store {
 public:
  FileStore(const std::string& path, int64_t timeout_ms) : path_(path), timeout_(timeout_ms) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw StoreError("FileStore: cannot open " + path + ": " + errstr(errno));
    struct stat sb;
    if (fstat(fd_, &sb) != 0 || !S_ISREG(sb.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      throw StoreError("FileStore: " + path + " is not a regular file");
    }
    add(kUsers, 1);
  }
  ~FileStore() override {
    if (fd_ < 0) return;
    try {
      if (add(kUsers, -1) <= 0) ::unlink(path_.c_str());
    } catch (...) {
    }
    ::close(fd_);
  }
  void set(const std::string& k, const std::vector<char>& v) override {
    Lock l(fd_, LOCK_EX, path_);
    append(k, v.data(), (int32_t)v.size());
  }
  std::vector<char> get(const std::string& k, int64_t t) override {
    wait({k}, t);
    std::lock_guard<std::mutex> g(mu_);
    return kv_[k];
  }
  int64_t add(const std::string& k, int64_t d) override {
    Lock l(fd_, LOCK_EX, path_);
    refresh_locked();
    int64_t cur = 0;
    { std::lock_guard<std::mutex> g(mu_); auto it = kv_.find(k); if (it != kv_.end()) cur = parse_counter(it->second, k); }
    std::string s = std::to_string(cur + d);
    append(k, s.data(), (int32_t)s.size());
    return cur + d;
  }
  std::vector<char> compare_set(const std::string& k, const std::vector<char>& e, const std::vector<char>& d) override {
    Lock l(fd_, LOCK_EX, path_);
    refresh_locked();
    std::lock_guard<std::mutex> g(mu_);
    auto it = kv_.find(k);
    if (it == kv_.end()) {
      if (!e.empty()) return e;
    } else if (it->second != e) {
      return it->second;
    }
    append_nolock(k, d.data(), (int32_t)d.size());
    return d;
  }
  bool check(const std::vector<std::string>& keys) override {
    refresh();
    std::lock_guard<std::mutex> g(mu_);
    return all_present(kv_, keys);
  }
  void wait(const std::vector<std::string>& keys, int64_t t) override {
    auto deadline = Clock::now() + std::chrono::milliseconds(t < 0 ? 0 : t);
    for (;;) {
      if (check(keys)) return;
      if (t >= 0 && Clock::now() >= deadline) {
        std::string ks;
        for (const auto& k : keys) ks += (ks.empty() ? "'" : ", '") + k + "'";
        throw StoreError("FileStore.wait([" + ks + "]): timed out after " + std::to_string(t) + " ms (file " + path_ + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  bool delete_key(const std::string& k) override {
    Lock l(fd_, LOCK_EX, path_);
    refresh_locked();
    std::lock_guard<std::mutex> g(mu_);
    if (!kv_.count(k)) return false;
    append_nolock(k, nullptr, -1);
    return true;
  }
  int64_t num_keys() override {
    refresh();
    std::lock_guard<std::mutex> g(mu_);
    return (int64_t)kv_.size() - (kv_.count(kUsers) ? 1 : 0);
  }

 private:
  static constexpr const char* kUsers = "/nodetorch/filestore/users";
  struct Lock {
    int fd;
    Lock(int f, int how, const std::string& p) : fd(f) {
      while (flock(fd, how) != 0) {
        if (errno != EINTR) throw StoreError("FileStore: cannot lock " + p + ": " + errstr(errno));
      }
    }
    ~Lock() { flock(fd, LOCK_UN); }
  };
  void refresh() {
    Lock l(fd_, LOCK_SH, path_);
    refresh_locked();
  }
  // reads the records appended since the last read (the file lock is held by the caller)
  void refresh_locked() {
    std::lock_guard<std::mutex> g(mu_);
    struct stat sb;
    if (fstat(fd_, &sb) != 0) throw StoreError("FileStore: cannot stat " + path_ + ": " + errstr(errno));
    if ((int64_t)sb.st_size < pos_) throw StoreError("FileStore: " + path_ + " was truncated by someone else");
    if ((int64_t)sb.st_size == pos_) return;
    std::vector<char> buf((size_t)(sb.st_size - pos_));
    size_t got = 0;
    while (got < buf.size()) {
      ssize_t r = pread(fd_, buf.data() + got, buf.size() - got, pos_ + (off_t)got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw StoreError("FileStore: cannot read " + path_ + ": " + errstr(errno));
      got += (size_t)r;
    }
    size_t i = 0;
    while (i + 8 <= buf.size()) {
      uint32_t kl;
      memcpy(&kl, &buf[i], 4);
      if (i + 4 + kl + 4 > buf.size()) break;
      std::string k(&buf[i + 4], kl);
      int32_t vl;
      memcpy(&vl, &buf[i + 4 + kl], 4);
      size_t end = i + 8 + kl + (vl > 0 ? (size_t)vl : 0);
      if (end > buf.size()) break;
      if (vl < 0) kv_.erase(k);
      else kv_[k] = std::vector<char>(buf.begin() + (long)(i + 8 + kl), buf.begin() + (long)end);
      i = end;
    }
    pos_ += (int64_t)i;
  }
  void append(const std::string& k, const char* v, int32_t vl) {
    std::lock_guard<std::mutex> g(mu_);
    append_nolock(k, v, vl);
  }
  void append_nolock(const std::string& k, const char* v, int32_t vl) {
    std::vector<char> rec;
    uint32_t kl = (uint32_t)k.size();
    rec.insert(rec.end(), (const char*)&kl, (const char*)&kl + 4);
    rec.insert(rec.end(), k.begin(), k.end());
    rec.insert(rec.end(), (const char*)&vl, (const char*)&vl + 4);
    if (vl > 0) rec.insert(rec.end(), v, v + vl);
    off_t end = lseek(fd_, 0, SEEK_END);
    size_t put = 0;
    while (put < rec.size()) {
      ssize_t w = pwrite(fd_, rec.data() + put, rec.size() - put, end + (off_t)put);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw StoreError("FileStore: cannot write " + path_ + ": " + errstr(errno));
      put += (size_t)w;
    }
  }

  std::string path_;
  int64_t timeout_;
  int fd_ = -1;
  int64_t pos_ = 0;
  std::map<std::string, std::vector<char>> kv_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<Store> connect_tcp_store(const std::string& host, int port, int64_t timeout_ms) {
  return std::unique_ptr<Store>(new TcpClient(host, port, timeout_ms));
}
std::unique_ptr<Store> open_file_store(const std::string& path, int64_t timeout_ms) {
  return std::unique_ptr<Store>(new FileStore(path, timeout_ms));
}

}  // namespace dist
}  // namespace nt
