// Writes tests/golden/golden.json: the ids the reference tokenizers give for
// every text of tests/golden/corpus.json. Run by tools/make_golden; the
// output is committed, and the C++ tests compare against it.
"use strict";
const fs = require("fs");
const path = require("path");
const { loadReferences } = require("./reference");

async function main() {
  const repoRoot = path.resolve(__dirname, "../../..");
  const vocabDir = process.env.TOKCOST_VOCAB_DIR || path.join(repoRoot, ".cache/vocab");
  const corpus = JSON.parse(fs.readFileSync(path.join(__dirname, "../corpus.json"), "utf8"));
  const refs = loadReferences(repoRoot, vocabDir);
  const cases = [];
  for (const c of corpus.cases) {
    const ids = {};
    for (const [name, encode] of Object.entries(refs)) ids[name] = await encode(c.text);
    cases.push({ name: c.name, ids });
  }
  const deps = require("./package.json").dependencies;
  const out = { generator: `tests/golden/gen/generate.js with tiktoken@${deps.tiktoken}, tokenizers@${deps.tokenizers}`, cases };
  const lines = JSON.stringify(out, null, 0);
  fs.writeFileSync(path.join(__dirname, "../golden.json"), lines + "\n");
  console.log(`golden.json: ${cases.length} cases x ${Object.keys(refs).length} tokenizers`);
}

main().catch((e) => { console.error(e); process.exit(1); });
