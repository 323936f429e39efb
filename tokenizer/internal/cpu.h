// What the CPU can run beyond baseline x86-64, for the few loops that pick
// an AVX2 version at run time (the binary itself targets baseline x86-64).
//
//   TOKCOST_AVX2 int Fast(...);   // compiled for AVX2
//   static const bool avx2 = Avx2Available();
//   return avx2 ? Fast(...) : Portable(...);
#ifndef TOKCOST_TOKENIZER_INTERNAL_CPU_H_
#define TOKCOST_TOKENIZER_INTERNAL_CPU_H_

namespace tokcost::tokenizer_internal {

// AVX2 with the bit-manipulation extensions every AVX2 CPU has.
inline bool Avx2Available() {
  __builtin_cpu_init();  // may run before other static initializers
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("lzcnt") &&
         __builtin_cpu_supports("popcnt");
}

}  // namespace tokcost::tokenizer_internal

#define TOKCOST_AVX2 __attribute__((target("avx2,bmi,bmi2,lzcnt,popcnt")))

#endif  // TOKCOST_TOKENIZER_INTERNAL_CPU_H_
