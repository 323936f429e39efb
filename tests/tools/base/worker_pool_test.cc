// WorkerPool: every index once, the same threads from call to call (so
// thread-local caches carry over), and concurrent callers taking turns.
#include "tools/base/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace tokcost {
namespace {

TEST_CASE("Run calls f once for every index and returns after all") {
  WorkerPool pool;
  for (size_t n : {1u, 2u, 3u, 8u}) {
    std::vector<std::atomic<int>> calls(n);
    pool.Run(n, [&](size_t i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(i % 3));
      ++calls[i];
    });
    for (size_t i = 0; i < n; ++i) CHECK(calls[i] == 1);
  }
  CHECK(pool.size() == 7);  // n - 1 for the largest n; the caller takes one
  pool.Run(0, [](size_t) { FAIL("no index"); });
}

TEST_CASE("Run with fewer workers than tasks uses at most that many threads") {
  WorkerPool pool;
  pool.Run(4, [](size_t) {});  // the pool has 3 threads now
  for (size_t workers : {1u, 2u}) {
    std::mutex m;
    std::vector<std::thread::id> threads;
    std::vector<std::atomic<int>> calls(16);
    pool.Run(16, workers, [&](size_t i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ++calls[i];
      std::lock_guard<std::mutex> lock(m);
      if (std::find(threads.begin(), threads.end(), std::this_thread::get_id()) == threads.end()) {
        threads.push_back(std::this_thread::get_id());
      }
    });
    for (size_t i = 0; i < calls.size(); ++i) CHECK(calls[i] == 1);
    CHECK(threads.size() <= workers);
    CHECK(std::find(threads.begin(), threads.end(), std::this_thread::get_id()) != threads.end());
  }
  CHECK(pool.size() == 3);  // none started: the pool had enough
}

TEST_CASE("Pool threads and their thread-local state outlive a Run") {
  WorkerPool pool;
  thread_local int runs_on_this_thread = 0;
  std::mutex m;
  // (thread, its runs so far) of each call of f.
  auto run = [&] {
    std::vector<std::pair<std::thread::id, int>> seen;
    pool.Run(4, [&](size_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // all four busy at once
      const int runs = ++runs_on_this_thread;
      std::lock_guard<std::mutex> lock(m);
      seen.emplace_back(std::this_thread::get_id(), runs);
    });
    return seen;
  };
  run();
  const std::vector<std::pair<std::thread::id, int>> second = run();
  CHECK(pool.size() == 3);  // none started for the second Run
  // A pool thread (not the caller) ran in both, and kept its state.
  bool carried_over = false;
  for (const auto& [id, runs] : second) {
    carried_over = carried_over || (id != std::this_thread::get_id() && runs >= 2);
  }
  CHECK(carried_over);
}

TEST_CASE("Concurrent Runs take turns and each completes") {
  WorkerPool pool;
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int r = 0; r < 50; ++r) pool.Run(3, [&](size_t) { ++total; });
    });
  }
  for (std::thread& t : callers) t.join();
  CHECK(total == 4 * 50 * 3);
}

}  // namespace
}  // namespace tokcost
