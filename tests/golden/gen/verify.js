// Differential check of tokcost against the reference tokenizers on text
// that is not in the repository: documents cut from files given on the
// command line (the Debian-derived corpus in tools/test) and seeded random
// strings drawn from characters that stress pre-tokenizers.
//
//   node verify.js --tokcost BIN [--docs N] [--random N] [--seed S] FILE...
//
// Prints one line per tokenizer and a closing "reference: N passed, N
// failed" (one check per tokenizer: passed when every document's ids, and
// its count from the count-only path, are identical); exits 1 on any mismatch, naming the first differing document
// and token position.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");
const { loadReferences } = require("./reference");

function parseArgs(argv) {
  const a = { docs: 200, random: 300, seed: 1, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--tokcost") a.tokcost = argv[++i];
    else if (argv[i] === "--docs") a.docs = Number(argv[++i]);
    else if (argv[i] === "--random") a.random = Number(argv[++i]);
    else if (argv[i] === "--seed") a.seed = Number(argv[++i]);
    else a.files.push(argv[i]);
  }
  if (!a.tokcost) throw new Error("--tokcost BIN is required");
  return a;
}

// Cuts ~1-6 KB documents at line ends, spread evenly over the files.
function documentsFrom(files, wanted) {
  const docs = [];
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const per = Math.max(1, Math.floor(wanted / files.length));
    const stride = Math.max(1, Math.floor(text.length / per));
    for (let k = 0; k < per; ++k) {
      let start = text.indexOf("\n", k * stride) + 1;
      const len = 1000 + ((k * 7919) % 5000);
      let end = text.indexOf("\n", start + len);
      if (end < 0) end = text.length;
      if (start > 0 && end > start) docs.push(text.slice(start, end + 1));
    }
  }
  return docs;
}

// xorshift32: deterministic across Node versions.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const kPool = [
  ..."abcxyzABCXYZ", ..."абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЖЯ", ..."әғқңөұүһіӘҒҚ",
  // The edges of the Cyrillic ranges tokcost's scanners read without
  // decoding (U+0400-U+045F, U+0400-U+047F) and the characters around them.
  "\u0400", "\u042f", "\u0430", "\u044f", "\u0450", "\u045f", "\u0460", "\u0461", "\u03ff",
  "\u047f", "\u0480", "\u0482", "\u0483",
  ..."0123456789", "١", "٢", "४", "½", "²", "Ⅻ", " ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r",
  "\u00a0", "\u3000", "\u2028", "\u0085", "'", "'s", "'S", "'ll", "'VE", "'ſ", "ſ", "’",
  ..."!?.,;:-_()[]{}<>/\\|@#$%^&*+=~`\"", "…", "—", "«", "»", "€", "₽", "∑", "≈",
  "\u0301", "\u0308", "\u0306", "é", "ǅ", "ǈ", "ʰ", "ᵃ", "ª", "º", "ß", "İ", "ı",
  "日本", "語", "ひらがな", "カタカナ", "中文", "한국어", "ภาษาไทย", "हिन्दी", "مرحبا", "שלום", "Ελλάδα",
  "😀", "👨‍👩‍👧", "🇷🇺", "👍🏽", "1️⃣", "\u200d", "\u200b", "\ufeff", "\u0000", "\u0007", "\u001b",
  "<|endoftext|>", "<think>", "</think>", "<bos>", "<unused3>", "<｜User｜>", "<|im_start|>",
  "XMLHttpRequest", "camelCase", "snake_case", "http://x.y/z", "2026-11-28", "3.14",
  "    ", "\t\t", " \n ", "aaaaaaaa", "........", "𝐁𝐨𝐥𝐝", "ＡＢＣ",
  // SentencePiece's space mark, and Gemma 3's one token with a mark inside
  // (">▁</"): tokcost cuts Gemma's text into words before marks, except there.
  "\u2581", "\u2581\u2581", ">\u2581</", "> </", "</", "><",
];

function randomDocs(n, seed) {
  const next = rng(seed);
  const docs = [];
  for (let i = 0; i < n; ++i) {
    const len = 1 + Math.floor(next() * 60);
    let s = "";
    for (let k = 0; k < len; ++k) s += kPool[Math.floor(next() * kPool.length)];
    docs.push(s);
  }
  return docs;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = path.resolve(__dirname, "../../..");
  const vocabDir = process.env.TOKCOST_VOCAB_DIR || path.join(repoRoot, ".cache/vocab");
  console.log(`seed ${args.seed}, ${args.docs} corpus documents, ${args.random} random strings`);
  const docs = documentsFrom(args.files, args.docs).concat(randomDocs(args.random, args.seed));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokcost-verify-"));
  const names = docs.map((d, i) => {
    const p = path.join(dir, `doc${String(i).padStart(5, "0")}.txt`);
    fs.writeFileSync(p, d);
    return p;
  });
  const refs = loadReferences(repoRoot, vocabDir);
  let passed = 0, failed = 0;
  for (const [tok, encode] of Object.entries(refs)) {
    const out = execFileSync(args.tokcost, ["count", "--tokenizer", tok, "--json", "--ids", ...names],
                             { maxBuffer: 1 << 30, env: { ...process.env, TOKCOST_VOCAB_DIR: vocabDir } });
    const rows = out.toString().trim().split("\n").map((l) => JSON.parse(l));
    // The count-only path (piece and pair caches, no ids) must agree too.
    const counted = execFileSync(args.tokcost, ["count", "--tokenizer", tok, "--json", ...names],
                                 { maxBuffer: 1 << 30, env: { ...process.env, TOKCOST_VOCAB_DIR: vocabDir } })
        .toString().trim().split("\n").map((l) => JSON.parse(l).tokens);
    let bad = 0, first = "";
    for (let i = 0; i < docs.length; ++i) {
      const want = await encode(docs[i]);
      const got = rows[i].ids;
      const same = want.length === got.length && want.every((v, k) => v === got[k]);
      if (same && counted[i] === want.length) continue;
      ++bad;
      if (!first && same) {
        first = ` first: ${names[i]}: count-only path says ${counted[i]}, want ${want.length}`;
      } else if (!first) {
        let k = 0;
        while (k < want.length && want[k] === got[k]) ++k;
        first = ` first: ${names[i]} at token ${k} (want ${want.slice(k, k + 4)}, got ${got.slice(k, k + 4)}): ${JSON.stringify(docs[i].slice(0, 120))}`;
      }
    }
    if (bad) ++failed; else ++passed;
    console.log(`${tok}: ${docs.length - bad}/${docs.length} documents identical${first}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`reference: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
