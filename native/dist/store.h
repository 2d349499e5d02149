// store.h - the key-value stores of torch.distributed's rendezvous (PyTorch's TCPStore and FileStore).
// Plain C++ (POSIX sockets, flock), no N-API and no Gloo: the core addon binds it for JavaScript and the Gloo addon
// compiles it again to give Gloo's rendezvous a store, so the NCCL backend and DDP never need Gloo.
// Note [store server thread]: the TCP server answers on native threads (one per connection), never inside a JS event
// loop, so a rank blocked in a synchronous collective cannot stall the rendezvous of the others.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace nt {
namespace dist {

// A failure of the store (timeout, lost server, bad file); the binding turns it into a TorchError.
struct StoreError : std::runtime_error {
  explicit StoreError(const std::string& m) : std::runtime_error(m) {}
};

class Store {
 public:
  virtual ~Store() = default;
  virtual void set(const std::string& key, const std::vector<char>& value) = 0;
  // blocks until the key exists; StoreError after timeout_ms
  virtual std::vector<char> get(const std::string& key, int64_t timeout_ms) = 0;
  // the counter's new value; a counter is stored as its decimal text, as PyTorch's
  virtual int64_t add(const std::string& key, int64_t delta) = 0;
  // sets `desired` when the current value is `expected` (or the key is missing and `expected` is empty); returns the
  // value after the call (`expected` itself when the key is missing and `expected` is not empty), as PyTorch's
  virtual std::vector<char> compare_set(const std::string& key, const std::vector<char>& expected,
                                        const std::vector<char>& desired) = 0;
  virtual bool check(const std::vector<std::string>& keys) = 0;
  virtual void wait(const std::vector<std::string>& keys, int64_t timeout_ms) = 0;
  virtual bool delete_key(const std::string& key) = 0;
  virtual int64_t num_keys() = 0;
};

// A client of a TCPStore server; retries connecting until timeout_ms (the server may start later).
std::unique_ptr<Store> connect_tcp_store(const std::string& host, int port, int64_t timeout_ms);
// A store in one append-only file shared by every rank (file:// rendezvous); the last user to close removes it.
std::unique_ptr<Store> open_file_store(const std::string& path, int64_t timeout_ms);

// The TCPStore server. start() binds host:port (port 0: any free port) and returns the port; the server then runs
// on its own threads until stop() or process exit.
class TcpStoreServer {
 public:
  struct State;
  TcpStoreServer() = default;
  ~TcpStoreServer();
  int start(const std::string& host, int port);
  void stop();
  int port() const { return port_; }

 private:
  std::shared_ptr<State> st_;
  int port_ = 0;
};

}  // namespace dist
}  // namespace nt
