// Side-by-side speed of tokcost and its peers on the same corpus, in one
// run (these machines are noisy: only same-run ratios mean anything).
//
//   node run.js --tokcost-bin BIN --corpus FILE [--tokenizer o200k_base|cl100k_base]
//               [--reps N] [--vocab DIR] [--threads N]
//
// BIN is bench/count_speed. The run is N rounds; each round times tokcost
// (one repetition of BIN, which prints its timings and counts, after
// keeping the CPU busy for a while, as the peers' Node process is) and then
// every peer, so that a slow spell of the machine hits all of them alike.
// Every peer counts the corpus as one string and as ~4 KB documents; its
// counts are checked against tokcost's, and a peer that disagrees is
// reported with the first differing document. Prints median MB/s and the
// median over rounds of the ratio of tokcost (cold: first pass over unseen
// text) to each peer.
"use strict";
const { execFileSync } = require("child_process");
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
  const text = fs.readFileSync(arg("--corpus"), "utf8");
  const reps = Number(arg("--reps", "3"));
  const vocab = arg("--vocab");
  const threads = arg("--threads", "1");
  const encoding = arg("--tokenizer", "o200k_base");
  if (encoding !== "o200k_base" && encoding !== "cl100k_base") {
    throw new Error(`--tokenizer ${encoding}: the peers are compared on o200k_base or cl100k_base`);
  }
  const docs = documents(text);
  const mb = Buffer.byteLength(text) / 1e6;
  const runOurs = () => JSON.parse(execFileSync(arg("--tokcost-bin"), [
    "--tokenizer", encoding, "--corpus", arg("--corpus"), "--reps", "1", "--threads", threads,
  ], { maxBuffer: 1 << 26 }).toString());

  const peers = [
    ["tiktoken (WASM) 1.0.22", () => {
      const e = require("tiktoken").get_encoding(encoding);
      return (t) => e.encode_ordinary(t).length;
    }],
    ["tiktoken-rs-node 1.0.6 (native Rust)", () => {
      const e = require("tiktoken-rs-node-linux-x64-gnu").getEncoding(encoding);
      return (t) => e.encode(t).length;
    }],
    ["gpt-tokenizer 4.0.0", () => {
      const e = require(`gpt-tokenizer/encoding/${encoding}`);
      return (t) => e.countTokens(t);
    }],
    ["ai-tokenizer 1.0.6", () => {
      const { Tokenizer } = require("ai-tokenizer");
      const t = new Tokenizer(require(`ai-tokenizer/encoding/${encoding}`));
      return (s) => t.count(s);
    }],
    ["HF tokenizers 0.23.2 (gpt-oss)", () => {
      // gpt-oss's tokenizer.json is o200k's ranks; there is none for cl100k.
      if (encoding !== "o200k_base") throw new Error("no cl100k tokenizer.json among the vocabularies");
      const { Tokenizer } = require("tokenizers");
      const json = JSON.parse(fs.readFileSync(path.join(vocab, "o200k_harmony/tokenizer.json"), "utf8"));
      const vocabMap = json.model.vocab;
      json.added_tokens = json.added_tokens.filter((t) => !(t.special && t.content in vocabMap));
      for (const t of json.added_tokens) if (t.special) t.content = "\uffff\uffff" + t.content;
      const tok = Tokenizer.fromString(JSON.stringify(json));
      return async (t) => (await tok.encode(t, null, { addSpecialTokens: false })).getIds().length;
    }],
  ].map(([name, make]) => {
    try {
      return { name, count: make(), whole: [], perDoc: [], ratioWhole: [], ratioDocs: [] };
    } catch (e) {
      return { name, error: "not available: " + e.message.split("\n")[0] };
    }
  });

  const ours = { cold: { whole: [], perDoc: [] }, warm: { whole: [], perDoc: [] } };
  let reference = null;
  const firstPasses = [];  // per round: "MB/s (kernel ms)"
  for (let r = 0; r < reps; ++r) {
    const o = runOurs();
    reference = o;
    firstPasses.push(`${o.cold.whole_mbps[0].toFixed(1)} (${o.first_pass.system_ms.toFixed(0)} ms)`);
    for (const kind of ["cold", "warm"]) {
      ours[kind].whole.push(o[kind].whole_mbps[0]);
      ours[kind].perDoc.push(o[kind].docs_mbps[0]);
    }
    for (const p of peers) {
      if (p.error) continue;
      const w = await timeIt(() => p.count(text));
      const d = await timeIt(async () => {
        const out = [];
        for (const doc of docs) out.push(await p.count(doc));
        return out;
      });
      p.whole.push(mb / w.seconds);
      p.perDoc.push(mb / d.seconds);
      p.ratioWhole.push(o.cold.whole_mbps[0] / (mb / w.seconds));
      p.ratioDocs.push(o.cold.docs_mbps[0] / (mb / d.seconds));
      p.wholeCount = w.result;
      p.docCounts = d.result;
    }
  }

  const rows = [];
  rows.push(["tokcost (cold: first pass)", median(ours.cold.whole), median(ours.cold.perDoc), 1, 1, "reference"]);
  rows.push(["tokcost (warm: same text again)", median(ours.warm.whole), median(ours.warm.perDoc),
             NaN, NaN, "same counts"]);
  for (const p of peers) {
    if (p.error) {
      rows.push([p.name, NaN, NaN, NaN, NaN, p.error]);
      continue;
    }
    let agree = p.wholeCount === reference.whole_tokens
        ? "agrees" : `DISAGREES (whole: ${p.wholeCount} vs ${reference.whole_tokens})`;
    const k = p.docCounts.findIndex((c, i) => c !== reference.doc_counts[i]);
    if (k >= 0) {
      agree = `DISAGREES on document ${k} (${p.docCounts[k]} vs ${reference.doc_counts[k]}): ` +
              JSON.stringify(docs[k].slice(0, 60));
    }
    rows.push([p.name, median(p.whole), median(p.perDoc), median(p.ratioWhole), median(p.ratioDocs), agree]);
  }
  const pad = (s, n) => String(s).padEnd(n);
  const fmt = (x) => (Number.isNaN(x) ? "-" : x.toFixed(1));
  const fmtx = (x) => (Number.isNaN(x) ? "-" : x.toFixed(1) + "x");
  console.log(`corpus: ${mb.toFixed(1)} MB mixed English/Russian, ${encoding}; ${reps} rounds ` +
              `(tokcost, then each peer); medians; tokcost threads: ${threads}`);
  console.log(pad("implementation", 38) + pad("whole MB/s", 12) + pad("4KB docs MB/s", 15) +
              pad("tokcost x (whole)", 19) + pad("tokcost x (docs)", 18) + "counts");
  for (const [name, w, d, rw, rd, agree] of rows) {
    console.log(pad(name, 38) + pad(fmt(w), 12) + pad(fmt(d), 15) + pad(fmtx(rw), 19) +
                pad(fmtx(rd), 18) + agree);
  }
  console.log("tokcost x: median over rounds of (tokcost cold MB/s / peer MB/s) in the same round");
  console.log(`tokcost cold: a first pass in a new process after a ${reference.warmup_ms} ms CPU warm-up ` +
              "(see bench/count_speed.cc)");
  console.log(`tokcost first passes by round, MB/s (kernel time): ${firstPasses.join(", ")}; ` +
              `RSS +${reference.first_pass.rss_growth_mb.toFixed(1)} MB (memory new to a ` +
              "process can cost milliseconds per MB of kernel time on a VM)");
  console.log("tokcost warm: the same text again, its lines and pieces cached (the corpus repeats " +
              "lines within itself too, which a cold pass also uses; see README.md, Speed)");
}

main().catch((e) => { console.error(e); process.exit(1); });
