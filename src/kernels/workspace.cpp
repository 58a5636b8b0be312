#include "kernels/workspace.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define XGRAD_WORKSPACE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XGRAD_WORKSPACE_MALLOC 1
#endif
#endif

namespace xgrad::kernels {

namespace {

constexpr int kSlots = int(WorkspaceSlot::Count);
constexpr std::size_t kDefaultLimitMiB = 256;

std::atomic<std::size_t> g_bytes_held{0};
std::atomic<std::size_t> g_allocations{0};

std::atomic<std::size_t>& limit() {
  static std::atomic<std::size_t> bytes{[] {
    const char* v = config::env_workspace_mb();
    if (!v) return kDefaultLimitMiB << 20;
    char* end = nullptr;
    const unsigned long long mib = std::strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end != '\0' || mib > (1ull << 30)) {
      throw std::invalid_argument(std::string("XGRAD_WORKSPACE_MB must be a whole number of MiB, got '") +
                                  v + "'");
    }
    return std::size_t(mib) << 20;
  }()};
  return bytes;
}

std::size_t page_rounded(std::size_t bytes) {
  static const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// mmap, not malloc: the buffers stay out of glibc's heap, so neither its thresholds nor its
// trimming (which a host process may have set) touch them, and freeing one changes neither.
// Under AddressSanitizer, malloc, so that overruns are still caught.
void* take(std::size_t bytes) {
#if defined(XGRAD_WORKSPACE_MALLOC)
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
#else
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#endif
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes_held.fetch_add(bytes, std::memory_order_relaxed);
  return p;
}

void give_back(void* p, std::size_t bytes) {
  if (!p) return;
#if defined(XGRAD_WORKSPACE_MALLOC)
  std::free(p);
#else
  munmap(p, bytes);
#endif
  g_bytes_held.fetch_sub(bytes, std::memory_order_relaxed);
}

struct ThreadWorkspace;

/// Every thread's workspace, for release_workspace(). Never destroyed: threads may exit
/// during static destruction.
struct Registry {
  std::mutex mutex;
  std::vector<ThreadWorkspace*> threads;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

/// One thread's buffers. Its mutex is only contended by release_workspace() from another thread.
struct ThreadWorkspace {
  std::mutex mutex;
  void* data[kSlots] = {};
  std::size_t bytes[kSlots] = {};
  bool leased[kSlots] = {};
  std::size_t held = 0;

  ThreadWorkspace() {
    std::lock_guard<std::mutex> lock(registry().mutex);
    registry().threads.push_back(this);
  }
  ~ThreadWorkspace() {
    {
      std::lock_guard<std::mutex> lock(registry().mutex);
      auto& t = registry().threads;
      t.erase(std::remove(t.begin(), t.end(), this), t.end());
    }
    for (int s = 0; s < kSlots; ++s) drop(s);
  }
  void drop(int s) {  // with mutex held (or at thread exit)
    give_back(data[s], bytes[s]);
    held -= bytes[s];
    data[s] = nullptr;
    bytes[s] = 0;
  }
};

ThreadWorkspace& this_thread() {
  thread_local ThreadWorkspace ws;
  return ws;
}

}  // namespace

WorkspaceLease::WorkspaceLease(WorkspaceSlot slot, std::size_t bytes) : slot_(int(slot)) {
  if (slot_ < 0 || slot_ >= kSlots) throw std::invalid_argument("WorkspaceLease: no such slot");
  limit();  // reads XGRAD_WORKSPACE_MB now: a bad value throws here, not in the destructor
  const std::size_t want = page_rounded(std::max<std::size_t>(bytes, 1));
  ThreadWorkspace& ws = this_thread();
  std::lock_guard<std::mutex> lock(ws.mutex);
  if (ws.leased[slot_]) {  // nested use of a slot: a buffer of its own
    data_ = take(want);
    bytes_ = want;
    return;
  }
  if (ws.bytes[slot_] < want) {
    ws.drop(slot_);  // grow: the old contents need not survive
    ws.data[slot_] = take(want);
    ws.bytes[slot_] = want;
    ws.held += want;
  }
  ws.leased[slot_] = true;
  data_ = ws.data[slot_];
}

WorkspaceLease::~WorkspaceLease() {
  if (bytes_) {
    give_back(data_, bytes_);
    return;
  }
  ThreadWorkspace& ws = this_thread();
  std::lock_guard<std::mutex> lock(ws.mutex);
  ws.leased[slot_] = false;
  if (ws.held > limit().load(std::memory_order_relaxed)) ws.drop(slot_);
}

WorkspaceStats workspace_stats() {
  return {g_bytes_held.load(std::memory_order_relaxed), g_allocations.load(std::memory_order_relaxed)};
}

std::size_t workspace_limit_bytes() { return limit().load(std::memory_order_relaxed); }

void set_workspace_limit_bytes(std::size_t bytes) { limit().store(bytes, std::memory_order_relaxed); }

void release_workspace() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  for (ThreadWorkspace* ws : registry().threads) {
    std::lock_guard<std::mutex> ws_lock(ws->mutex);
    for (int s = 0; s < kSlots; ++s) {
      if (!ws->leased[s]) ws->drop(s);
    }
  }
}

}  // namespace xgrad::kernels
