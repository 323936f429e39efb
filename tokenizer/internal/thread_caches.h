// Per-thread caches keyed by the model they belong to (BpeModel::serial()).
// A thread that alternates between a few models (compare, report) keeps
// each one's cache instead of starting afresh at every switch; beyond kMax
// models the least recently used cache is dropped.
//
//   thread_local ThreadCaches<PieceCountCache> caches;
//   PieceCountCache& cache = caches.Get(model.serial());
//
// Not thread-safe: declare it thread_local.
#ifndef TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_
#define TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_

#include <cstdint>
#include <memory>
#include <utility>

namespace tokcost::tokenizer_internal {

template <typename T, int kMax = 4>
class ThreadCaches {
 public:
  // The cache of model `serial`, made (default-constructed) when missing.
  T& Get(uint64_t serial) {
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
  uint64_t serials_[kMax] = {};
  std::unique_ptr<T> caches_[kMax];
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_THREAD_CACHES_H_
