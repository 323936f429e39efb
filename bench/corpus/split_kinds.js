// Splits three kinds of Debian-shipped text into a lexicon part A and a
// calibration part B that share no file and no long line (unshared.js), for
// tools/approx_accuracy:
//   OUT/ru_{a,b}.txt     fortunes-ru, files by a hash of their text
//   OUT/code_{a,b}.txt   A: the first 1.5 MB of CORPUS/code.txt and 8 MB of
//                        the headers after it; B: its last 1.5 MB
//   OUT/en_{a,b}.txt     Debian copyright files, READMEs and licences,
//                        files by a hash of their text
//   OUT/docs_{ru,code,en}/  120 documents of 1-5 KB cut from each B
// Usage: node split_kinds.js CORPUS_DIR OUT_DIR
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { listFiles, headerFiles, textAfter } = require("./files");
const { dropSeen, unshared } = require("./unshared");

function readText(f) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(fs.readFileSync(f)).replace(/\r\n/g, "\n");
  } catch {
    return null;  // not UTF-8
  }
}

// Files to A or B by a hash of their text, each without the long lines
// (unshared.js) of the files before it, so both halves keep their share of
// the text. By hash, not by turns: /usr/share/doc holds a file for every
// installed package, and with turns one more package (tools/setup installs
// some) moved every file after it to the other half, so the same tool gave
// other numbers on another day. By text, not path: packages of one source
// ship the same copyright file (Boost's, 2 MB, four times), and its copies
// must fall on one side.
//
// A file gives at most its first kMaxPerFile bytes: Boost's copyright file
// alone (a list of 2 MB) would otherwise be half of the English text.
const kMaxPerFile = 256 * 1024;
function split(files, toB, filter = (t) => t) {
  const a = [], b = [];
  const seen = new Set();
  for (const f of files) {
    const t = readText(f);
    if (t === null) continue;
    const kept = Buffer.byteLength(t) > kMaxPerFile ? head(t, kMaxPerFile) : t;
    const half = toB(crypto.createHash("sha256").update(t).digest()[0]) ? b : a;
    half.push(dropSeen(filter(kept).split("\n"), seen).join("\n"));
  }
  return [a.join("\n"), b.join("\n")];
}

// The first and last `n` bytes of `text`, cut at line ends.
function head(text, n) {
  const buf = Buffer.from(text, "utf8");
  return buf.subarray(0, buf.lastIndexOf(0x0a, n) + 1).toString("utf8");
}
function tail(text, n) {
  const buf = Buffer.from(text, "utf8");
  return buf.subarray(buf.indexOf(0x0a, buf.length - n) + 1).toString("utf8");
}

function cutDocuments(text, dir, count, seed) {
  fs.mkdirSync(dir, { recursive: true });
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const start = text.indexOf("\n", x % (text.length - 12000)) + 1;
    const want = 1024 + ((x >> 9) % 4096);
    let end = start;
    while (Buffer.byteLength(text.slice(start, end)) < want) {
      const next = text.indexOf("\n", end + 1);
      if (next < 0) break;
      end = next + 1;
    }
    fs.writeFileSync(path.join(dir, `d${String(i).padStart(3, "0")}.txt`), text.slice(start, end));
  }
}

function main() {
  const [corpus, out] = process.argv.slice(2);
  fs.mkdirSync(out, { recursive: true });
  const write = (name, text) => fs.writeFileSync(path.join(out, name), text);

  const fortunes = listFiles("/usr/share/games/fortunes/ru", (p) => !/\.(dat|u8)$/.test(p));
  const [ruA, ruB] = split(fortunes, (h) => h % 2 === 1,
                           (t) => t.split("\n").filter((l) => l !== "%").join("\n"));

  const code = fs.readFileSync(path.join(corpus, "code.txt"), "utf8");
  // 8 MB of the headers after those in code.txt.
  const more = textAfter(headerFiles(), 3 * 1024 * 1024, 8e6);
  const codeA = head(code, 1500000) + more + "\n", codeB = tail(code, 1500000);

  const docs = listFiles("/usr/share/doc", (p) => /\/(copyright|README(\.md|\.txt)?)$/.test(p))
    .concat(listFiles("/usr/share/common-licenses", () => true));
  // A third of the files to B: calibration documents are cut from B's
  // lines not in A, and the lexicon needs text (English A was 3.6 MB).
  const [enA, enB] = split(docs, (h) => h % 3 === 0);

  for (const [kind, rawA, rawB] of [["ru", ruA, ruB], ["code", codeA, codeB], ["en", enA, enB]]) {
    const [a, b] = unshared(rawA, rawB);
    write(`${kind}_a.txt`, a);
    write(`${kind}_b.txt`, b);
    cutDocuments(b, path.join(out, `docs_${kind}`), 120, 4242);
    console.error(`${kind}: A ${Buffer.byteLength(a)} bytes, B ${Buffer.byteLength(b)} bytes`);
  }
}

main();
