// Approximate counts of `count`'s inputs, read in pieces cut at line starts
// (ApproxStream): a file or stdin streamed in bounded memory, or a text in
// memory cut the same way, so that both give the same estimate to the
// token.
//
//   StatusOr<std::vector<ApproxCount>> r = StreamApprox(ctx, {&profile}, "big.txt");
//   ApproxCount same = ApproxOfText(profile, text_of_big_txt, size_of_big_txt);
#ifndef TOKCOST_TOOLS_CLI_APPROX_INPUT_H_
#define TOKCOST_TOOLS_CLI_APPROX_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/approx.h"
#include "tools/base/status.h"
#include "tools/cli/context.h"

namespace tokcost::cli {

// One input's estimate under one profile.
struct ApproxCount {
  ApproxEstimate estimate;
  uint64_t bytes = 0;
  int64_t ceiling = 0;  // TokenCeiling, from the features
  double lexicon_share = 1;  // ApproxStream::LexiconShare
};

// An input (a file, or "-" for stdin), streamed a piece at a time, through
// the approximation of each of `profiles` at once. With `check_utf8`,
// invalid UTF-8 is an error, as counting would make it (ValidateUtf8).
StatusOr<std::vector<ApproxCount>> StreamApprox(const Context& ctx,
                                                const std::vector<const ApproxProfile*>& profiles,
                                                const std::string& name, bool check_utf8 = false);

// A text in memory, cut into the same pieces as when streamed, so that its
// estimate is the same to the token; `total` as streaming would see it
// (-1 for a pipe).
ApproxCount ApproxOfText(const ApproxProfile& profile, std::string_view text, int64_t total);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_APPROX_INPUT_H_
