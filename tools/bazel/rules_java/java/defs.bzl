"""Re-exports the native Java rules that @bazel_tools refers to; no Java is built."""

java_import = native.java_import
java_runtime = native.java_runtime
java_toolchain = native.java_toolchain
