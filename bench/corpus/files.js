// File helpers shared by the corpus scripts.
"use strict";
const fs = require("fs");
const path = require("path");

function validUtf8(buf) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

// Files under `dir` (sorted by name, recursively) for which pred(path) holds.
function listFiles(dir, pred) {
  let out = [];
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(listFiles(p, pred));
    else if (e.isFile() && pred(p)) out.push(p);
  }
  return out;
}

// The C and C++ headers both scripts take code from, in order.
function headerFiles() {
  return listFiles("/usr/include", (p) => /\.(h|hpp|tcc)$/.test(p) || /c\+\+\/12\/[a-z_]+$/.test(p));
}

// The text of the valid UTF-8 `files` that come after the first `skip`
// bytes of them (a file is skipped while less than `skip` came before it,
// the rule make_corpus.js uses to fill code.txt, so the two never share a
// file), joined by newlines, up to `limit` bytes.
function textAfter(files, skip, limit) {
  const parts = [];
  let seen = 0, size = 0;
  for (const f of files) {
    if (size >= limit) break;
    const buf = fs.readFileSync(f);
    if (!validUtf8(buf)) continue;
    const before = seen;
    seen += buf.length;
    if (before < skip) continue;
    parts.push(buf.toString("utf8").replace(/\r\n/g, "\n"));
    size += buf.length;
  }
  return parts.join("\n");
}

module.exports = { validUtf8, listFiles, headerFiles, textAfter };
