// The JavaScript twin of tokenizer/chat_template.cc's Render, used only to
// produce reference counts: the rendered request as one string, encoded by
// the reference tokenizer with its special tokens recognized.
"use strict";

function substitute(pattern, role, content) {
  return pattern.replace(/\{role\}|\{content\}/g, (m) => (m === "{role}" ? role : content));
}

// Returns [{special: bool, text}], adjacent text merged.
function render(template, messages) {
  let msgs = messages.map((m) => ({ role: m.role, content: m.text }));
  if (template.system === "merge_into_first_user") {
    const system = msgs.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
    msgs = msgs.filter((m) => m.role !== "system");
    if (system) {
      const u = msgs.find((m) => m.role === "user");
      if (u) u.content = system + "\n\n" + u.content;
      else msgs.unshift({ role: "user", content: system });
    }
  }
  const out = [];
  const add = (p) => {
    if (!p.special && out.length && !out[out.length - 1].special) out[out.length - 1].text += p.text;
    else if (p.special || p.text) out.push({ ...p });
  };
  for (const p of template.begin || []) add({ special: "special" in p, text: p.special ?? p.text });
  for (const m of msgs) {
    const parts = (template.roles && template.roles[m.role]) || template.message;
    const role = (template.role_names && template.role_names[m.role]) || m.role;
    for (const p of parts) {
      if ("special" in p) add({ special: true, text: p.special });
      else add({ special: false, text: substitute(p.text, role, m.content) });
    }
  }
  for (const p of template.generation || []) add({ special: "special" in p, text: p.special ?? p.text });
  return out;
}

module.exports = { render };
