/**
 * The words a pattern cannot match without: for each positive `#eq?` / `#any-of?` predicate on a capture that every
 * match has (one occurrence, outside alternations and quantified groups), the node's text is one of the predicate's
 * strings, and so the scanned text contains one of them. A pattern whose requirement is unmet cannot match, and its
 * query need not be compiled for that text. Anything less certain yields no requirement: the pattern is always kept.
 */
export function requiredWords(query: string): readonly (readonly string[])[] {
  const requirements: string[][] = [];
  for (const predicate of query.matchAll(/\(#(eq|any-of)\?\s+@([\w.-]+)((?:\s+"(?:[^"\\]|\\.)*")+)\s*\)/g)) {
    const capture = predicate[2] ?? "";
    const words = [...(predicate[3] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? "");
    if (words.some((word) => word === "" || word.includes("\\"))) continue;
    if (isGuaranteedCapture(query, capture)) requirements.push(words);
  }
  return requirements;
}

/** The capture occurs once, on a node without a quantifier, and no group around it is an alternation or quantified. */
function isGuaranteedCapture(query: string, capture: string): boolean {
  const uses = [...query.matchAll(new RegExp(`@${capture.replace(/[.-]/g, "\\$&")}(?![\\w.-])`, "g"))];
  const definitions = uses.filter((use) => !isInsidePredicate(query, use.index ?? 0));
  if (definitions.length !== 1) return false;
  const at = definitions[0]?.index ?? 0;
  // A quantifier right before the capture applies to the captured node itself: `(identifier)? @name`.
  if (/[?*+]\s*$/.test(query.slice(Math.max(0, at - 8), at))) return false;
  const open: { char: string; index: number }[] = [];
  for (let index = 0; index < at; index++) {
    const char = query[index];
    if (char === '"') {
      index = skipString(query, index);
    } else if (char === ";") {
      const end = query.indexOf("\n", index);
      index = end < 0 ? query.length : end;
    } else if (char === "(" || char === "[") {
      open.push({ char, index });
    } else if (char === ")" || char === "]") {
      open.pop();
    }
  }
  return open.every((group) => group.char === "(" && !isQuantified(query, group.index));
}

function isInsidePredicate(query: string, at: number): boolean {
  const start = query.lastIndexOf("(", at);
  return start >= 0 && query[start + 1] === "#";
}

function skipString(query: string, start: number): number {
  let index = start + 1;
  while (index < query.length && query[index] !== '"') index += query[index] === "\\" ? 2 : 1;
  return index;
}

/** Whether the group opened at `start` is followed by a quantifier once it closes. */
function isQuantified(query: string, start: number): boolean {
  let depth = 0;
  for (let index = start; index < query.length; index++) {
    const char = query[index];
    if (char === '"') index = skipString(query, index);
    else if (char === "(" || char === "[") depth++;
    else if (char === ")" || char === "]") {
      depth--;
      if (depth === 0) return /^\s*[?*+]/.test(query.slice(index + 1, index + 8));
    }
  }
  return true;
}
