#include "tokenizer/internal/nnls.h"

#include <algorithm>
#include <cmath>

namespace tokcost::tokenizer_internal {

std::vector<double> Nnls(const std::vector<std::vector<double>>& rows,
                         const std::vector<double>& target) {
  const size_t n = rows.empty() ? 0 : rows[0].size();
  std::vector<double> scale(n, 0);
  for (const auto& r : rows) {
    for (size_t j = 0; j < n; ++j) scale[j] += r[j] * r[j];
  }
  for (double& s : scale) s = s > 0 ? std::sqrt(s) : 1;
  std::vector<std::vector<double>> g(n, std::vector<double>(n, 0));
  std::vector<double> c(n, 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < n; ++j) {
      double xj = rows[i][j] / scale[j];
      c[j] += xj * target[i];
      for (size_t k = 0; k < n; ++k) g[j][k] += xj * rows[i][k] / scale[k];
    }
  }
  std::vector<double> x(n, 0);
  for (int sweep = 0; sweep < 5000; ++sweep) {
    double change = 0;
    for (size_t j = 0; j < n; ++j) {
      if (g[j][j] <= 0) continue;
      double grad = -c[j];
      for (size_t k = 0; k < n; ++k) grad += g[j][k] * x[k];
      double next = std::max(0.0, x[j] - grad / g[j][j]);
      change = std::max(change, std::abs(next - x[j]));
      x[j] = next;
    }
    if (change < 1e-12) break;
  }
  for (size_t j = 0; j < n; ++j) x[j] /= scale[j];
  return x;
}

}  // namespace tokcost::tokenizer_internal
