// The reference tokenizers, configured as tokcost counts by default:
// ordinary text, no BOS/EOS, special tokens not matched.
//  - tiktoken@1.0.22 (OpenAI's Rust core in WASM): encode_ordinary.
//  - tokenizers@0.23.2 (Hugging Face, native): encode(text, null,
//    {addSpecialTokens: false}), with the "special": true added tokens made
//    unmatchable, so that text looking like them counts as plain text.
"use strict";
const fs = require("fs");
const path = require("path");
const { get_encoding } = require("tiktoken");
const { Tokenizer } = require("tokenizers");

function loadSpecs(repoRoot) {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, "data/tokenizers.json"), "utf8")).tokenizers;
}

function vocabPath(spec, vocabDir) {
  return path.join(vocabDir, spec.name, path.basename(spec.file));
}

// Returns {name: async (text) => ids[]} for every tokenizer in data/;
// with `withSpecials`, special tokens in the text are recognized (as a chat
// template's control tokens are).
function loadReferences(repoRoot, vocabDir, withSpecials = false) {
  const refs = {};
  for (const spec of loadSpecs(repoRoot)) {
    if (spec.format === "tiktoken") {
      const enc = get_encoding(spec.name);
      refs[spec.name] = withSpecials
        ? async (text) => Array.from(enc.encode(text, "all"))
        : async (text) => Array.from(enc.encode_ordinary(text));
    } else {
      const json = JSON.parse(fs.readFileSync(vocabPath(spec, vocabDir), "utf8"));
      // Special tokens must count as plain text. Hugging Face re-numbers the
      // added tokens that are not in the model's vocabulary on load, so
      // dropping those would shift the ids of the rest: their content is made
      // unmatchable instead (U+FFFF, a noncharacter). Special tokens that are
      // in the model's vocabulary keep their ids without the added entry.
      const vocab = json.model.vocab;
      if (!withSpecials) json.added_tokens = json.added_tokens.filter((t) => !(t.special && t.content in vocab));
      if (!withSpecials) for (const t of json.added_tokens) if (t.special) t.content = "\uffff\uffff" + t.content;
      const tok = Tokenizer.fromString(JSON.stringify(json));
      refs[spec.name] = async (text) =>
        (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
    }
  }
  return refs;
}

module.exports = { loadReferences, loadSpecs };
