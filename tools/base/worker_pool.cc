#include "tools/base/worker_pool.h"

#include <algorithm>

namespace tokcost {

WorkerPool& WorkerPool::Shared() {
  static WorkerPool pool;
  return pool;
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

size_t WorkerPool::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_.size();
}

void WorkerPool::Run(size_t tasks, size_t workers, const std::function<void(size_t)>& f) {
  if (tasks == 0) return;
  workers = std::max<size_t>(1, std::min(workers, tasks));
  std::lock_guard<std::mutex> turn(run_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (threads_.size() + 1 < workers) threads_.emplace_back([this] { Work(); });
    job_ = &f;
    next_ = 1;
    end_ = tasks;
    running_ = 0;
    joiners_ = workers - 1;
    ++generation_;
  }
  wake_.notify_all();
  f(0);
  std::unique_lock<std::mutex> lock(mutex_);
  RunTasks(lock);  // what pool threads have not taken yet (they may be slow to wake)
  done_.wait(lock, [this] { return running_ == 0; });
  job_ = nullptr;
}

void WorkerPool::RunTasks(std::unique_lock<std::mutex>& lock) {
  while (next_ < end_) {
    const size_t i = next_++;
    ++running_;
    const std::function<void(size_t)>& f = *job_;
    lock.unlock();
    f(i);
    lock.lock();
    if (--running_ == 0 && next_ >= end_) done_.notify_all();
  }
}

void WorkerPool::Work() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    if (joiners_ == 0) continue;  // enough threads for this Run
    --joiners_;
    RunTasks(lock);
  }
}

}  // namespace tokcost
