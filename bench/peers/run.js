// Side-by-side speed of tokcost and its peers on the same corpus, in one
// run (these machines are noisy: only same-run ratios mean anything).
//
//   node run.js --tokcost-json FILE --corpus FILE [--reps N] [--vocab DIR]
//
// FILE holds tokcost's own timings and counts (bench/count_speed). Every
// peer counts the corpus as one string and as ~4 KB documents; its counts
// are checked against tokcost's, and a peer that disagrees is reported with
// the first differing document. Prints a table of median MB/s and the ratio
// of tokcost (cold: first pass over unseen text) to each peer.
"use strict";
const fs = require("fs");
const path = require("path");

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function documents(text) {
  const docs = [];
  const buf = Buffer.from(text, "utf8");
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, Math.min(buf.length, start + 4096));
    end = end < 0 ? buf.length : end + 1;
    docs.push(buf.subarray(start, end).toString("utf8"));
    start = end;
  }
  return docs;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timeIt(fn) {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

async function main() {
  const ours = JSON.parse(fs.readFileSync(arg("--tokcost-json"), "utf8"));
  const text = fs.readFileSync(arg("--corpus"), "utf8");
  const reps = Number(arg("--reps", "3"));
  const vocab = arg("--vocab");
  const docs = documents(text);
  const mb = Buffer.byteLength(text) / 1e6;

  const peers = [
    ["tiktoken (WASM) 1.0.22", () => {
      const e = require("tiktoken").get_encoding("o200k_base");
      return (t) => e.encode_ordinary(t).length;
    }],
    ["tiktoken-rs-node 1.0.6 (native Rust)", () => {
      const e = require("tiktoken-rs-node-linux-x64-gnu").getEncoding("o200k_base");
      return (t) => e.encode(t).length;
    }],
    ["gpt-tokenizer 4.0.0", () => {
      const e = require("gpt-tokenizer/encoding/o200k_base");
      return (t) => e.countTokens(t);
    }],
    ["ai-tokenizer 1.0.6", () => {
      const { Tokenizer } = require("ai-tokenizer");
      const t = new Tokenizer(require("ai-tokenizer/encoding/o200k_base"));
      return (s) => t.count(s);
    }],
    ["HF tokenizers 0.23.2 (gpt-oss)", () => {
      const { Tokenizer } = require("tokenizers");
      const json = JSON.parse(fs.readFileSync(path.join(vocab, "o200k_harmony/tokenizer.json"), "utf8"));
      const vocabMap = json.model.vocab;
      json.added_tokens = json.added_tokens.filter((t) => !(t.special && t.content in vocabMap));
      for (const t of json.added_tokens) if (t.special) t.content = "\uffff\uffff" + t.content;
      const tok = Tokenizer.fromString(JSON.stringify(json));
      return async (t) => (await tok.encode(t, null, { addSpecialTokens: false })).getIds().length;
    }],
  ];

  const rows = [];
  const oursCold = median(ours.cold.whole_mbps), oursColdDocs = median(ours.cold.docs_mbps);
  rows.push(["tokcost (cold: first pass)", oursCold, oursColdDocs, "reference"]);
  rows.push(["tokcost (warm piece cache)", median(ours.warm.whole_mbps), median(ours.warm.docs_mbps), "same counts"]);
  for (const [name, make] of peers) {
    let count;
    try {
      count = make();
    } catch (e) {
      rows.push([name, NaN, NaN, "not available: " + e.message.split("\n")[0]]);
      continue;
    }
    const whole = [], perDoc = [];
    let wholeCount = 0, docCounts = [];
    for (let r = 0; r < reps; ++r) {
      const w = await timeIt(() => count(text));
      whole.push(mb / w.seconds);
      wholeCount = w.result;
      const d = await timeIt(async () => {
        const out = [];
        for (const doc of docs) out.push(await count(doc));
        return out;
      });
      perDoc.push(mb / d.seconds);
      docCounts = d.result;
    }
    let agree = wholeCount === ours.whole_tokens ? "agrees" : `DISAGREES (whole: ${wholeCount} vs ${ours.whole_tokens})`;
    const k = docCounts.findIndex((c, i) => c !== ours.doc_counts[i]);
    if (k >= 0) {
      agree = `DISAGREES on document ${k} (${docCounts[k]} vs ${ours.doc_counts[k]}): ` +
              JSON.stringify(docs[k].slice(0, 60));
    }
    rows.push([name, median(whole), median(perDoc), agree]);
  }
  const pad = (s, n) => String(s).padEnd(n);
  const fmt = (x) => (Number.isNaN(x) ? "-" : x.toFixed(1));
  console.log(`corpus: ${mb.toFixed(1)} MB mixed English/Russian, o200k; median of ${reps} repetitions; ` +
              `tokcost threads: ${ours.threads}`);
  console.log(pad("implementation", 38) + pad("whole MB/s", 12) + pad("4KB docs MB/s", 15) +
              pad("tokcost x (whole)", 19) + pad("tokcost x (docs)", 18) + "counts");
  for (const [name, w, d, agree] of rows) {
    const rw = Number.isNaN(w) ? "-" : (oursCold / w).toFixed(1) + "x";
    const rd = Number.isNaN(d) ? "-" : (oursColdDocs / d).toFixed(1) + "x";
    console.log(pad(name, 38) + pad(fmt(w), 12) + pad(fmt(d), 15) + pad(rw, 19) + pad(rd, 18) + agree);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
