// Zero-filled memory straight from the kernel, for the per-thread caches:
// pages are zeroed lazily as they are first touched, so a short run pays
// only for the pages it uses, and an all-zero slot can mean "empty".
//
//   AnonymousMemory memory(16 << 20, AnonymousMemory::kHugePages);
//   auto* slots = static_cast<Slot*>(memory.data());
//
// Owns the mapping (unmapped on destruction); not copyable.
#ifndef TOKCOST_TOKENIZER_INTERNAL_ANONYMOUS_MEMORY_H_
#define TOKCOST_TOKENIZER_INTERNAL_ANONYMOUS_MEMORY_H_

#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <new>

namespace tokcost::tokenizer_internal {

class AnonymousMemory {
 public:
  enum Pages { kSmallPages, kHugePages };

  // kHugePages asks for 2 MB pages where the kernel allows them (a table
  // whose lookups land anywhere in megabytes otherwise misses the TLB).
  AnonymousMemory(size_t bytes, Pages pages) : bytes_(bytes) {
    data_ = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data_ == MAP_FAILED) throw std::bad_alloc();
    if (pages == kHugePages) madvise(data_, bytes, MADV_HUGEPAGE);
  }
  ~AnonymousMemory() { munmap(data_, bytes_); }
  AnonymousMemory(const AnonymousMemory&) = delete;
  AnonymousMemory& operator=(const AnonymousMemory&) = delete;

  void* data() const { return data_; }

 private:
  void* data_;
  size_t bytes_;
};

// A std::vector allocator that maps arrays of 1 MB or more straight from
// the kernel, in huge pages where it allows them: on the VMs tokcost runs
// on, the first touch of a small page costs microseconds, and a lexicon's
// 4 MB of slots, filled at load, took a thousand of them.
//
//   std::vector<Slot, HugePageAllocator<Slot>> slots(n);
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kThreshold = size_t{1} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kThreshold) return std::allocator<T>().allocate(n);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, bytes, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kThreshold) {
      std::allocator<T>().deallocate(p, n);
    } else {
      munmap(p, bytes);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_ANONYMOUS_MEMORY_H_
