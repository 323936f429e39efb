// Writes tests/golden/golden.json: the ids the reference tokenizers give for
// every text of tests/golden/corpus.json. Run by tools/make_golden; the
// output is committed, and the C++ tests compare against it.
"use strict";
const fs = require("fs");
const path = require("path");
const { loadReferences } = require("./reference");
const { render } = require("./chat_template");

// Reference counts of chat requests rendered with every (tokenizer, chat
// template) pair the catalog uses. A pair whose control tokens are not
// single tokens of the reference tokenizer (Phi-4's, absent from
// cl100k_base) has no reference and is left out.
async function chatGolden(repoRoot, vocabDir) {
  const models = JSON.parse(fs.readFileSync(path.join(repoRoot, "data/models.json"), "utf8")).models;
  const templates = JSON.parse(fs.readFileSync(path.join(repoRoot, "data/chat_templates.json"), "utf8")).templates;
  const convs = JSON.parse(fs.readFileSync(path.join(__dirname, "../conversations.json"), "utf8")).conversations;
  const refs = loadReferences(repoRoot, vocabDir, true);
  const pairs = [...new Set(models.filter((m) => m.tokenizer !== "endpoint").map((m) => m.tokenizer + "/" + m.chat_template))].sort();
  const out = [];
  for (const pair of pairs) {
    const [tok, tmpl] = pair.split("/");
    let ok = true;
    for (const part of render(templates[tmpl], convs[0])) {
      if (part.special && (await refs[tok](part.text)).length !== 1) ok = false;
    }
    if (!ok) {
      console.log(`chat_golden: ${pair} skipped (control tokens are not single tokens of the reference)`);
      continue;
    }
    for (let i = 0; i < convs.length; ++i) {
      const text = render(templates[tmpl], convs[i]).map((p) => p.text).join("");
      out.push({ tokenizer: tok, template: tmpl, conversation: i, tokens: (await refs[tok](text)).length });
    }
  }
  return out;
}

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
  const chat = await chatGolden(repoRoot, vocabDir);
  fs.writeFileSync(path.join(__dirname, "../chat_golden.json"),
                   JSON.stringify({ generator: out.generator, counts: chat }, null, 0) + "\n");
  console.log(`chat_golden.json: ${chat.length} counts`);
}

main().catch((e) => { console.error(e); process.exit(1); });
