#include "tokenizer/internal/sentencepiece_backend.h"

#include <sentencepiece_processor.h>

#include <new>
#include <utility>

#include "tools/base/shared_library.h"

// libsentencepiece is opened at the first SentencePiece model, not linked
// (tools/base/shared_library.h says why): linked, its 2,000 symbol
// relocations and its static initializers (protobuf's, abseil's flags)
// cost every start of tokcost about a millisecond, and only
// --tokenizer-file with a .model uses it: a one-line o200k `count` took
// 6.69M instructions with it linked, 4.78M without (cachegrind,
// 2026-12-06; README.md, Speed, has the wall times).
//
// The processor's Load and Encode are virtual: called through the
// library's vtable, they need no symbol. The three functions that are not
// virtual are looked up by their mangled names, which spell out their
// classes and parameters, so a library whose interface changed fails to
// load, naming the missing symbol, instead of being called wrongly. They
// are member functions without parameters: `this` is their one argument.
namespace tokcost::tokenizer_internal {

using sentencepiece::SentencePieceProcessor;
using sentencepiece::util::Status;

struct SentencePieceApi {
  void (*construct)(void* processor);                // SentencePieceProcessor()
  void (*destroy_status)(void* status);              // util::Status::~Status()
  const char* (*error_message)(const void* status);  // util::Status::error_message()
};

namespace {

StatusOr<SentencePieceApi> LoadApi() {
  StatusOr<void*> lib = OpenSharedLibrary("libsentencepiece.so.0", "libsentencepiece0");
  if (!lib.ok()) return lib.status();
  SentencePieceApi api{};
  for (tokcost::Status s : {
           LoadSymbol(*lib, "_ZN13sentencepiece22SentencePieceProcessorC1Ev", &api.construct),
           LoadSymbol(*lib, "_ZN13sentencepiece4util6StatusD1Ev", &api.destroy_status),
           LoadSymbol(*lib, "_ZNK13sentencepiece4util6Status13error_messageEv",
                      &api.error_message),
       }) {
    if (!s.ok()) return s.WithContext("libsentencepiece.so.0");
  }
  return api;
}

StatusOr<const SentencePieceApi*> GetApi() {
  static const StatusOr<SentencePieceApi> api = LoadApi();
  if (!api.ok()) return api.status();
  return &*api;
}

// A util::Status that a library call returned, built in place (no copy:
// the call's result initializes it directly) and destroyed by the
// library's destructor.
class CallStatus {
 public:
  template <typename Call>
  CallStatus(const SentencePieceApi& api, Call&& call) : api_(api) {
    new (storage_) Status(std::forward<Call>(call)());
  }
  ~CallStatus() { api_.destroy_status(storage_); }
  CallStatus(const CallStatus&) = delete;
  CallStatus& operator=(const CallStatus&) = delete;

  bool ok() const { return std::launder(reinterpret_cast<const Status*>(storage_))->ok(); }
  std::string message() const {
    const char* m = api_.error_message(storage_);
    return m != nullptr ? m : "unknown error";
  }

 private:
  const SentencePieceApi& api_;
  alignas(Status) unsigned char storage_[sizeof(Status)];
};

}  // namespace

void SentencePieceBackend::ProcessorDeleter::operator()(SentencePieceProcessor* p) const {
  p->~SentencePieceProcessor();  // virtual: the library's destructor
  ::operator delete(p);
}

SentencePieceBackend::SentencePieceBackend() = default;
SentencePieceBackend::~SentencePieceBackend() = default;

StatusOr<std::unique_ptr<SentencePieceBackend>> SentencePieceBackend::Load(const std::string& path) {
  StatusOr<const SentencePieceApi*> api = GetApi();
  if (!api.ok()) return api.status();
  std::unique_ptr<SentencePieceBackend> b(new SentencePieceBackend());
  // Freed by hand until constructed (the constructor may throw bad_alloc).
  std::unique_ptr<void, void (*)(void*)> memory(::operator new(sizeof(SentencePieceProcessor)),
                                                [](void* p) { ::operator delete(p); });
  (*api)->construct(memory.get());
  b->processor_.reset(static_cast<SentencePieceProcessor*>(memory.release()));
  const CallStatus status(**api, [&] { return b->processor_->Load(path); });
  if (!status.ok()) {
    return InvalidArgumentError(path + ": not a SentencePiece model: " + status.message());
  }
  b->api_ = *api;
  return b;
}

StatusOr<std::vector<uint32_t>> SentencePieceBackend::Encode(std::string_view text) const {
  std::vector<int> ids;
  const CallStatus status(*api_, [&] { return processor_->Encode(text, &ids); });
  if (!status.ok()) return InvalidArgumentError("sentencepiece: " + status.message());
  return std::vector<uint32_t>(ids.begin(), ids.end());
}

}  // namespace tokcost::tokenizer_internal
