import type { Node, Tree } from "web-tree-sitter";
import type { Finding, RuleDefinition } from "./types";

/**
 * How many syntax levels the Shield analyses. Tree-sitter's query cursor keeps a 16-bit depth, so matches below
 * about 65,535 levels are silently lost, and the cursor's work grows with the square of the depth well before that
 * (call-in-call JavaScript takes about a second at 4,000 levels). The deepest code measured in real projects,
 * minified bundles and generated parsers included, stays near 100 levels; ten times that is still ordinary.
 */
export const MAX_ANALYSED_DEPTH = 1_000;

/** Rules the engine checks itself, outside the tree-sitter queries; they have no patterns. */
export const TOO_DEEPLY_NESTED: RuleDefinition = {
  id: "shield.too-deeply-nested",
  cwe: "CWE-693",
  severity: "block",
  message: `The code is nested too deeply to analyse (more than ${MAX_ANALYSED_DEPTH} syntax levels).`,
  fixHint: "Flatten the nesting (split the expression, name the intermediate values); no hand-written code needs it.",
  explanation:
    "Past this depth tree-sitter's queries lose matches without a word and take time that grows with the square of " +
    "the depth, so the Shield cannot say the code is safe. It fails closed: nesting this deep is reported and " +
    "blocked instead of passing as clean, which is what an attacker hiding a call under 70,000 brackets would want.",
  patterns: [],
};

export const BIDI_CONTROL: RuleDefinition = {
  id: "shield.bidi-control-character",
  cwe: "CWE-451",
  severity: "block",
  message: "A bidirectional control character can make the code read differently from how it runs (Trojan Source).",
  fixHint: "Remove the character; if right-to-left text is really needed in a string, write it as an escape (\\u202E).",
  explanation:
    "The Unicode bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069) reorder how text is " +
    "displayed, not how it is compiled, so a comment can appear to end where it does not or a string can hide " +
    "code (CVE-2021-42574, Trojan Source). They are flagged anywhere, in code, comments and strings, in every language.",
  patterns: [],
};

export const ENGINE_RULES: readonly RuleDefinition[] = [TOO_DEEPLY_NESTED, BIDI_CONTROL];

/**
 * The outermost node deeper than `limit` levels below the root, if any. A subtree of n nodes is at most n - 1 levels
 * deep, so subtrees too small to reach the limit are skipped whole: ordinary code visits a few hundred nodes, and
 * pathological nesting is walked once, in time linear in its size.
 */
export function nodeBeyondDepth(tree: Tree, limit: number): Node | undefined {
  const cursor = tree.walk();
  try {
    let depth = 0;
    for (;;) {
      const node = cursor.currentNode;
      if (depth > limit) return node;
      const mayReachLimit = depth + node.descendantCount - 1 > limit;
      if (mayReachLimit && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return undefined;
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]+/g;

/**
 * A finding for each run of bidirectional control characters in code[from, to). Needs no grammar, so text in a
 * language the Shield does not parse (an untagged chat code block) is checked too.
 */
export function bidiControlFindings(code: string, from: number, to: number): Finding[] {
  const findings: Finding[] = [];
  let line = 0;
  let lineStart = 0;
  let counted = 0;
  const positionAt = (index: number): { row: number; column: number } => {
    for (let at = code.indexOf("\n", counted); at >= 0 && at < index; at = code.indexOf("\n", at + 1)) {
      line++;
      lineStart = at + 1;
    }
    counted = Math.max(counted, index);
    return { row: line, column: index - lineStart };
  };
  for (const match of code.slice(from, to).matchAll(BIDI_CONTROLS)) {
    const startIndex = from + (match.index ?? 0);
    const endIndex = startIndex + match[0].length;
    const start = positionAt(startIndex);
    const end = positionAt(endIndex);
    findings.push({
      ruleId: BIDI_CONTROL.id,
      cwe: BIDI_CONTROL.cwe,
      severity: BIDI_CONTROL.severity,
      message: BIDI_CONTROL.message,
      fixHint: BIDI_CONTROL.fixHint,
      startLine: start.row,
      startColumn: start.column,
      endLine: end.row,
      endColumn: end.column,
      startIndex,
      endIndex,
    });
  }
  return findings;
}
