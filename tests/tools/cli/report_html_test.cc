// The HTML report, rendered by a real headless Chromium (Debian's
// `chromium`, installed by tools/setup): the page lays out its SVG bars
// with non-zero sizes, and a screenshot is kept as a test artifact
// (bazel-testlogs/.../test.outputs/report.png).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/stat.h>

#include "tests/process_util.h"
#include "tests/test_util.h"

namespace tokcost::testing {
namespace {

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

std::vector<std::string> Chromium(const std::string& profile) {
  return {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--user-data-dir=" + Tmp(profile)};
}

TEST_CASE("The HTML report draws its charts in a real browser") {
  struct stat st;
  INFO("chromium is missing: tools/setup installs Debian's chromium package");
  REQUIRE(stat("/usr/bin/chromium", &st) == 0);

  const std::string html = Tmp("report.html");
  ProcessResult report = RunProcess(
      {RunfilePath("tools/cli/tokcost"), "report", "--models",
       "qwen3-235b-a22b,gpt-oss-120b,gemma-3-27b-it,yandexgpt-lite", "--modes", "sync,batch",
       "--count", "hybrid", "--sample", "10", "--format", "html", "-o", html,
       RunfilePath("data/examples/support_chats.jsonl")},
      BaseEnv());
  INFO(report.err);
  // yandexgpt-lite cannot be counted here: its row says so, the rest render.
  REQUIRE(report.exit_code == 3);
  std::ifstream in(html);
  std::stringstream page;
  page << in.rdbuf();
  CHECK(page.str().find("http") == std::string::npos);  // no external assets
  CHECK(page.str().find("class=\"errorbar\"") != std::string::npos);

  std::vector<std::string> dump = Chromium("chromium-dom");
  dump.insert(dump.end(), {"--virtual-time-budget=3000", "--dump-dom", "file://" + html});
  ProcessResult dom = RunProcess(dump);
  REQUIRE(dom.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(dom.out, m, std::regex("data-bars=\"([^\"]*)\"")));
  // Two bars (input, output) per priced row plus the legend's two.
  std::istringstream sizes(m[1].str());
  std::string size;
  int drawn = 0, total = 0;
  while (sizes >> size) {
    ++total;
    int w = std::atoi(size.c_str()), h = std::atoi(size.c_str() + size.find('x') + 1);
    drawn += w > 0 && h > 0;
  }
  CHECK(total >= 8);
  CHECK(drawn >= total / 2);

  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  std::string png = std::string(outputs ? outputs : Tmp("")) + "/report.png";
  std::vector<std::string> shot = Chromium("chromium-shot");
  shot.insert(shot.end(), {"--window-size=1100,1100", "--hide-scrollbars", "--screenshot=" + png,
                           "file://" + html});
  ProcessResult screenshot = RunProcess(shot);
  CHECK(screenshot.exit_code == 0);
  CHECK(stat(png.c_str(), &st) == 0);
  CHECK(st.st_size > 10000);
}

}  // namespace
}  // namespace tokcost::testing
