// Builds the mixed English/Russian text that benchmarks and calibration use,
// from text Debian ships (REFERENCE.md section 6), deterministically:
//   OUT/mixed_en_ru.txt  10 MiB, ~4 KB blocks of Russian (fortunes-ru) and
//                        English (/usr/share/common-licenses, copyright
//                        files, READMEs) in turn.
//   OUT/code.txt         3 MiB of C and C++ headers from /usr/include.
// With --lexicon (tools/make_profiles), instead: text of the same kinds that
// the files above do not contain, to learn the shipped profiles' lexicons:
//   OUT/lexicon_en.txt   8 MB of the English files after those used above;
//   OUT/lexicon_code.txt 8 MB of the headers after the first 3 MiB.
// Files that are not valid UTF-8 are skipped. Nothing here is committed.
"use strict";
const fs = require("fs");
const path = require("path");
const { validUtf8, listFiles, headerFiles, textAfter } = require("./files");

const kTarget = 10 * 1024 * 1024;
const kBlock = 4096;

// Splits text into blocks of about kBlock bytes at line ends; `used.last`
// is the index of the last file read from.
function* blocks(files, used = {}) {
  for (const [i, f] of files.entries()) {
    used.last = i;
    const buf = fs.readFileSync(f);
    if (!validUtf8(buf)) continue;
    const text = buf.toString("utf8").replace(/\r\n/g, "\n");
    let cur = "";
    for (const line of text.split("\n")) {
      cur += line + "\n";
      if (Buffer.byteLength(cur) >= kBlock) {
        yield cur;
        cur = "";
      }
    }
    if (cur.trim()) yield cur;
  }
}

function main() {
  const out = process.argv[2];
  const ru = listFiles("/usr/share/games/fortunes/ru", (p) => !p.endsWith(".dat") && !p.endsWith(".u8"));
  const en = listFiles("/usr/share/common-licenses", () => true).concat(
    listFiles("/usr/share/doc", (p) => /\/(copyright|README(\.md|\.txt)?)$/.test(p)));
  if (ru.length === 0) throw new Error("no Russian text: apt-get install fortunes-ru");
  const enUsed = { last: -1 };
  const ruBlocks = blocks(ru), enBlocks = blocks(en, enUsed);
  const parts = [];
  let size = 0, ruBytes = 0;
  let ruDone = false, enDone = false;
  while (size < kTarget && !(ruDone && enDone)) {
    for (const [gen, isRu] of [[ruBlocks, true], [enBlocks, false]]) {
      const next = gen.next();
      if (next.done) { if (isRu) ruDone = true; else enDone = true; continue; }
      parts.push(next.value);
      const n = Buffer.byteLength(next.value);
      size += n;
      if (isRu) ruBytes += n;
    }
  }
  fs.mkdirSync(out, { recursive: true });
  const codeFiles = headerFiles();
  if (process.argv.includes("--lexicon")) {
    writeLexicon(path.join(out, "lexicon_en.txt"), en.slice(enUsed.last + 1), 0);
    writeLexicon(path.join(out, "lexicon_code.txt"), codeFiles, 3 * 1024 * 1024);
    return;
  }
  const text = parts.join("");
  const bytes = Buffer.from(text, "utf8").subarray(0, kTarget);
  // Cut at a line end so the file stays valid UTF-8.
  const cut = bytes.lastIndexOf(0x0a) + 1;
  fs.writeFileSync(path.join(out, "mixed_en_ru.txt"), bytes.subarray(0, cut));
  console.error(`corpus: ${cut} bytes, ${(100 * ruBytes / size).toFixed(0)}% Russian blocks by bytes`);

  const code = [];
  let codeSize = 0;
  for (const f of codeFiles) {
    if (codeSize >= 3 * 1024 * 1024) break;
    const buf = fs.readFileSync(f);
    if (!validUtf8(buf)) continue;
    code.push(buf.toString("utf8"));
    codeSize += buf.length;
  }
  fs.writeFileSync(path.join(out, "code.txt"), code.join("\n"));
  console.error(`code: ${codeSize} bytes`);
}

function writeLexicon(file, files, skip) {
  const text = textAfter(files, skip, 8e6);
  fs.writeFileSync(file, text);
  console.error(`${path.basename(file)}: ${Buffer.byteLength(text)} bytes`);
}

main();
