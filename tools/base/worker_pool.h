// Threads kept for the life of the process. Counting keeps per-thread
// caches (line chunks, pieces, pair merges); threads started for one call
// and joined after it took their caches with them, so `count -j 2` of a
// large file began every 8 MB block cold and ran slower than one thread.
//
//   WorkerPool::Shared().Run(parts.size(), threads,
//                            [&](size_t i) { counts[i] = Count(parts[i]); });
//
// Run is thread-safe: concurrent calls take turns. f must not throw.
#ifndef TOKCOST_TOOLS_BASE_WORKER_POOL_H_
#define TOKCOST_TOOLS_BASE_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tokcost {

class WorkerPool {
 public:
  // The process's pool; its threads are joined at exit.
  static WorkerPool& Shared();

  WorkerPool() = default;
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Calls f(i) for every i in [0, tasks) on `workers` threads: the calling
  // thread and up to workers - 1 pool threads (started on first need, then
  // kept), each taking the next untaken i until none is left, so parts of
  // uneven cost even out. Returns when all calls have returned.
  void Run(size_t tasks, size_t workers, const std::function<void(size_t)>& f);
  // One thread per task.
  void Run(size_t n, const std::function<void(size_t)>& f) { Run(n, n, f); }

  // Pool threads started so far.
  size_t size() const;

 private:
  void Work();
  // Runs the current Run's untaken indices, `lock` held on mutex_ between them.
  void RunTasks(std::unique_lock<std::mutex>& lock);

  std::mutex run_mutex_;  // one Run at a time
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> threads_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t next_ = 0;     // the next index to hand out
  size_t end_ = 0;      // n of the current Run
  size_t running_ = 0;  // handed out and not yet returned
  size_t joiners_ = 0;  // pool threads that may still join the current Run
  uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_WORKER_POOL_H_
