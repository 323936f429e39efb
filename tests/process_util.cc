#include "tests/process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/test_util.h"

extern char** environ;

namespace tokcost::testing {
namespace {

std::vector<std::string> MergedEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (std::string& s : v) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

}  // namespace

std::map<std::string, std::string> BaseEnv() {
  return {{"TOKCOST_DATA_DIR", RunfilePath("data")}, {"TOKCOST_VOCAB_DIR", VocabDir()}};
}

pid_t StartProcess(const std::vector<std::string>& argv_in,
                   const std::map<std::string, std::string>& env_in, const std::string& out_path) {
  std::vector<std::string> argv = argv_in, env = MergedEnv(env_in);
  std::vector<char*> a = Pointers(argv), e = Pointers(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (out_path + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, a[0], &actions, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env) {
  static int counter = 0;
  std::string out = TmpDir() + "/proc" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  pid_t pid = StartProcess(argv, env, out);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(out + ".err");
  return r;
}

LocalServer::LocalServer(const std::vector<std::string>& flags) {
  static int counter = 0;
  std::string out = TmpDir() + "/server" + std::to_string(counter++);
  std::vector<std::string> argv = {RunfilePath("tools/server/tokenize_server"), "--port", "0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  pid_ = StartProcess(argv, BaseEnv(), out);
  for (int i = 0; i < 300 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string line = Slurp(out);
    size_t colon = line.rfind(':');
    if (line.find("listening on") != std::string::npos && colon != std::string::npos) {
      port_ = std::atoi(line.c_str() + colon + 1);
    }
  }
  INFO(Slurp(out + ".err"));
  REQUIRE(port_ > 0);
}

LocalServer::~LocalServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
}

namespace {

long Stat(int port, const char* key) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/stats");
  REQUIRE(res);
  return nlohmann::json::parse(res->body)[key].get<long>();
}

}  // namespace

long LocalServer::Requests() const { return Stat(port_, "requests"); }

long LocalServer::Faults() const { return Stat(port_, "faults"); }

}  // namespace tokcost::testing
