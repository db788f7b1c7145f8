import type { Node, Query, QueryMatch, QueryOptions, Tree, TreeCursor } from "web-tree-sitter";
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
 * A link of a chain rather than a level of nesting: the first child of a node of its own type, as each `+` of
 * `"a" + "b" + "c"` holds the ones before it. Generated tables (the JDK's charset mappings) chain thousands of
 * literals; such code is long rather than deep, and a link counts as a sixteenth of a level. Chains still count,
 * so that one long enough to make the queries slow (their tiles still walk the rest of a chain) is refused too.
 */
function isChainLink(node: Node, parent: Node): boolean {
  return parent.type === node.type && parent.firstChild?.id === node.id;
}

const LEVEL = 16;
const CHAIN_LINK = 1;

/**
 * The outermost node nested deeper than `limit` levels below the root, if any, chain links counted as a sixteenth of
 * a level; only under `statements` (top-level ones) when given, so a check confined to a few statements of a large
 * document walks only those. A subtree of n nodes is at most n - 1 levels deep, so subtrees too small to reach the
 * limit are skipped whole: ordinary code visits a few hundred nodes, and pathological nesting is walked once, in time
 * linear in its size.
 */
export function nodeBeyondDepth(tree: Tree, limit: number, statements?: readonly Node[]): Node | undefined {
  if (!statements) return beyondDepth(tree.walk(), 0, limit);
  for (const statement of statements) {
    const found = beyondDepth(statement.walk(), LEVEL, limit);
    if (found) return found;
  }
  return undefined;
}

function beyondDepth(cursor: TreeCursor, rootDepth: number, limit: number): Node | undefined {
  // The nesting of each node on the cursor's path, in sixteenths of a level.
  const path: number[] = [rootDepth];
  try {
    for (;;) {
      const node = cursor.currentNode;
      const depth = path[path.length - 1] ?? 0;
      if (depth > limit * LEVEL) return node;
      const mayReachLimit = depth + (node.descendantCount - 1) * LEVEL > limit * LEVEL;
      if (mayReachLimit && cursor.gotoFirstChild()) {
        path.push(depth + (isChainLink(cursor.currentNode, node) ? CHAIN_LINK : LEVEL));
        continue;
      }
      for (;;) {
        path.pop();
        if (path.length === 0) return undefined;
        if (cursor.gotoNextSibling()) {
          path.push((path[path.length - 1] ?? 0) + LEVEL);
          break;
        }
        if (!cursor.gotoParent()) return undefined;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Where to report code nested too deeply: the first token outside strings and comments (an opening bracket, an
 * operator) of the outermost node too deep, or of the nearest node around it that has one, so the finding points at
 * the nesting rather than at a literal it begins with.
 */
export function codeAnchor(node: Node): Node {
  for (let around: Node | null = node; around; around = around.parent) {
    const token = firstCodeToken(around);
    if (token) return token;
  }
  return node;
}

const LITERAL_OR_COMMENT = /string|comment|heredoc|nowdoc|char|text/;

function firstCodeToken(node: Node): Node | undefined {
  const cursor = node.walk();
  try {
    for (;;) {
      const current = cursor.currentNode;
      const literal = LITERAL_OR_COMMENT.test(current.type);
      if (!literal && current.childCount === 0 && current.endIndex > current.startIndex) return current;
      if (!literal && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return undefined;
    }
  } finally {
    cursor.delete();
  }
}

/**
 * The depth one query runs to before the levels below are queried as trees of their own. Tree-sitter's query cursor
 * keeps every match in progress across the levels above a node, so its time grows with the square of the depth
 * (a chain of 8,000 concatenated literals took seconds). Matches start only in the top TILE_DEPTH levels of each
 * query, which cuts that time by about TILE_DEPTH; the cursor still follows the levels below for the matches in
 * progress, so the time is not linear, and very long chains are refused (nodeBeyondDepth).
 */
const TILE_DEPTH = 256;

/**
 * Every match of the query in the tree under `root`: a query to TILE_DEPTH levels, then the same again under each node
 * just below that, which finds each match once (the levels a pattern spans below its start are still followed). When
 * the query covers only some top-level `statements`, the tiles below are looked for only under those.
 */
export function tiledMatches(
  query: Query,
  root: Node,
  options: Omit<QueryOptions, "maxStartDepth"> | undefined,
  statements?: readonly Node[],
): QueryMatch[] {
  const matches = query.matches(root, { ...options, maxStartDepth: TILE_DEPTH });
  const pending = statements
    ? statements.flatMap((statement) => nodesAtDepth(statement, TILE_DEPTH))
    : nodesAtDepth(root, TILE_DEPTH + 1);
  for (let tile = pending.pop(); tile; tile = pending.pop()) {
    matches.push(...query.matches(tile, { ...options, maxStartDepth: TILE_DEPTH }));
    pending.push(...nodesAtDepth(tile, TILE_DEPTH + 1));
  }
  return matches;
}

/** The nodes exactly `depth` levels below `root`, skipping subtrees too small to reach that depth. */
function nodesAtDepth(root: Node, depth: number): Node[] {
  const found: Node[] = [];
  const cursor = root.walk();
  try {
    let level = 0;
    for (;;) {
      const node = cursor.currentNode;
      if (level === depth) found.push(node);
      else if (level + node.descendantCount - 1 >= depth && cursor.gotoFirstChild()) {
        level++;
        continue;
      }
      for (;;) {
        if (level === 0) return found;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        level--;
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
