// Keeps held-out text new to a lexicon. Debian ships the same licence
// texts and headers in many packages: before this, 106 of 119 English
// documents cut for tools/approx_accuracy had every long line somewhere in
// the lexicon text. A line of kLongLine characters or more (compared
// without its indentation) is kept only where it first appears; shorter
// lines ("#endif", "License: GPL-2+") stay, as any text of the kind has
// them.
//
// As a module: dropSeen, unshared. As a command (tools/make_profiles):
//   node unshared.js --calibration FILE... --lexicon FILE...
// rewrites the calibration files without the long lines they repeat (so
// documents drawn from them share none) and the lexicon files without the
// long lines the calibration files have.
"use strict";
const fs = require("fs");

const kLongLine = 24;
const key = (l) => l.trim();

// `lines` without the long lines in `seen`, adding the ones kept to it.
function dropSeen(lines, seen) {
  return lines.filter((l) => {
    if (key(l).length < kLongLine) return true;
    if (seen.has(key(l))) return false;
    seen.add(key(l));
    return true;
  });
}

// [lexicon text without calibration's long lines, calibration without its repeats]
function unshared(lexicon, calibration) {
  const seen = new Set();
  const c = dropSeen(calibration.split("\n"), seen);
  const l = lexicon.split("\n").filter((x) => key(x).length < kLongLine || !seen.has(key(x)));
  return [l.join("\n"), c.join("\n")];
}

function main() {
  const files = { "--calibration": [], "--lexicon": [] };
  let list = null;
  for (const a of process.argv.slice(2)) {
    if (a in files) list = files[a];
    else if (list) list.push(a);
    else throw new Error(`usage: node unshared.js --calibration FILE... --lexicon FILE...`);
  }
  const seen = new Set();
  for (const f of files["--calibration"]) {
    fs.writeFileSync(f, dropSeen(fs.readFileSync(f, "utf8").split("\n"), seen).join("\n"));
  }
  for (const f of files["--lexicon"]) {
    const lines = fs.readFileSync(f, "utf8").split("\n");
    fs.writeFileSync(f, lines.filter((x) => key(x).length < kLongLine || !seen.has(key(x))).join("\n"));
  }
}

module.exports = { dropSeen, unshared };
if (require.main === module) main();
