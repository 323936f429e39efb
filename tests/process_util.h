// Running the real binaries from tests: a child process with captured
// output, and a tokenize_server on a free port.
#ifndef TOKCOST_TESTS_PROCESS_UTIL_H_
#define TOKCOST_TESTS_PROCESS_UTIL_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace tokcost::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` to completion with `env` added to the environment.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {});

// Starts `argv` in the background; returns its pid (stdout/stderr to files).
pid_t StartProcess(const std::vector<std::string>& argv,
                   const std::map<std::string, std::string>& env, const std::string& out_path);

// A tokenize_server child on 127.0.0.1 and a free port; stopped on
// destruction.
class LocalServer {
 public:
  explicit LocalServer(const std::vector<std::string>& flags);
  ~LocalServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // GET /stats "requests" and "faults" (requests answered with an injected
  // fault: failures, dropped connections, malformed bodies).
  long Requests() const;
  long Faults() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Environment every tokcost child needs (data and vocabulary dirs).
std::map<std::string, std::string> BaseEnv();

}  // namespace tokcost::testing

#endif  // TOKCOST_TESTS_PROCESS_UTIL_H_
