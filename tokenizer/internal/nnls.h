// Non-negative least squares, for fitting approximation coefficients
// (tokenizer/approx.h) and the sampled lexicon's regression
// (ApproxStream).
#ifndef TOKCOST_TOKENIZER_INTERNAL_NNLS_H_
#define TOKCOST_TOKENIZER_INTERNAL_NNLS_H_

#include <vector>

namespace tokcost::tokenizer_internal {

// argmin |rows * x - target| subject to x >= 0, by cyclic coordinate
// descent on the normal equations with scaled columns (a few dozen
// features: converges in a few hundred sweeps). All rows have one length.
std::vector<double> Nnls(const std::vector<std::vector<double>>& rows,
                         const std::vector<double>& target);

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_NNLS_H_
