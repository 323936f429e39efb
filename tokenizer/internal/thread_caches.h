// Per-thread caches keyed by the model they belong to (BpeModel::serial()).
// A thread that alternates between a few models (compare, report) keeps
// each one's cache instead of starting afresh at every switch; beyond kMax
// models the least recently used cache is dropped.
//
//   thread_local ThreadCaches<LineCountCache> caches;
//   LineCountCache& cache = caches.Get(model.serial());
//
// Not thread-safe: declare it thread_local. ResetAllThreadCaches (any
// thread) empties every thread's, each at its next Get.
#ifndef TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_
#define TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

namespace tokcost::tokenizer_internal {

// Benchmarks time first passes. Emptying only the calling thread's caches
// left a worker pool's threads warm, so `count_speed --threads 2` timed its
// "cold" repetitions after the first as half warm.
inline std::atomic<uint64_t> thread_caches_epoch{0};
inline void ResetAllThreadCaches() { thread_caches_epoch.fetch_add(1, std::memory_order_relaxed); }

template <typename T, int kMax = 4>
class ThreadCaches {
 public:
  // The cache of model `serial`, made (default-constructed) when missing.
  T& Get(uint64_t serial) {
    // Relaxed: a reset reaches another thread's work through whatever hands
    // that work over (WorkerPool's mutex), which orders it.
    if (const uint64_t epoch = thread_caches_epoch.load(std::memory_order_relaxed);
        epoch != epoch_) {
      Clear();
      epoch_ = epoch;
    }
    if (count_ > 0 && serials_[0] == serial) return *caches_[0];  // the usual case
    int i = 0;
    while (i < count_ && serials_[i] != serial) ++i;
    if (i == count_) {
      if (count_ < kMax) ++count_;
      i = count_ - 1;  // a new slot, or the least recently used one
      serials_[i] = serial;
      caches_[i] = std::make_unique<T>();
    }
    // Most recent first.
    for (; i > 0; --i) {
      std::swap(serials_[i], serials_[i - 1]);
      std::swap(caches_[i], caches_[i - 1]);
    }
    return *caches_[0];
  }

  void Clear() {
    for (int i = 0; i < count_; ++i) caches_[i].reset();
    count_ = 0;
  }

 private:
  int count_ = 0;
  uint64_t epoch_ = 0;
  uint64_t serials_[kMax] = {};
  std::unique_ptr<T> caches_[kMax];
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_
