import type { CompletionMode } from "./mode";

/** A piece of other code the model should see: the definition of an imported symbol, or a recently edited range. */
export interface ContextSnippet {
  path: string;
  text: string;
  /** Why it is in the prompt, for the trace log. */
  reason: string;
}

/** The first line of a function or class that encloses the cursor, and where it starts in the document. */
export interface ScopeHeader {
  offset: number;
  text: string;
}

export interface PromptBudget {
  /** Tokens for everything: prefix, suffix and snippets. */
  totalTokens: number;
  /** At most this share of the total goes to the suffix. */
  suffixShare: number;
  /** At most this share of the total goes to snippets from other files. */
  snippetShare: number;
}

export const defaultPromptBudget: PromptBudget = { totalTokens: 1536, suffixShare: 0.25, snippetShare: 0.3 };

export type TokenCounter = (text: string) => number;

/**
 * Code averages about 3.5 characters per token with the BPE vocabularies of code models; this
 * errs on the side of more tokens so that the estimate never overflows a budget.
 */
export const estimateTokens: TokenCounter = (text) => Math.ceil(text.length / 3);

export interface InfillPrompt {
  prefix: string;
  suffix: string;
  /** One line per piece and what it cost, for the trace log. */
  included: string[];
}

const lineCommentByLanguage: Readonly<Record<string, string>> = {
  python: "#",
  ruby: "#",
  shellscript: "#",
  perl: "#",
  r: "#",
  yaml: "#",
  dockerfile: "#",
  makefile: "#",
  powershell: "#",
  lua: "--",
  sql: "--",
  haskell: "--",
};

/** A line comment in the document's language; C-style covers the rest of the languages served. */
export function commentLine(languageId: string, text: string): string {
  return `${lineCommentByLanguage[languageId] ?? "//"} ${text}`;
}

/** Lines from the end of `text` that fit in `budget` tokens; never splits a line except the cursor's own. */
function tailWithin(text: string, budget: number, count: TokenCounter): string {
  let start = text.length;
  let used = 0;
  while (start > 0) {
    const lineStart = text.lastIndexOf("\n", start - 2) + 1;
    const cost = count(text.slice(lineStart, start));
    if (used + cost > budget) break;
    used += cost;
    start = lineStart;
  }
  return text.slice(start);
}

function headWithin(text: string, budget: number, count: TokenCounter): string {
  let end = 0;
  let used = 0;
  while (end < text.length) {
    const next = text.indexOf("\n", end);
    const lineEnd = next < 0 ? text.length : next + 1;
    const cost = count(text.slice(end, lineEnd));
    if (used + cost > budget) break;
    used += cost;
    end = lineEnd;
  }
  return text.slice(0, end);
}

export interface PromptInput {
  prefix: string;
  suffix: string;
  languageId: string;
  /** The document's path relative to the workspace, shown to the model as a comment. */
  path: string;
  snippets: readonly ContextSnippet[];
  /** Outermost first; those above the prefix window are kept, so the model still knows where the cursor is. */
  scopeHeaders?: readonly ScopeHeader[];
  budget: PromptBudget;
  countTokens: TokenCounter;
}

/**
 * Builds the infill prefix and suffix within the token budget: the suffix first gets its share,
 * snippets theirs (in the order given: imports first), and the code before the cursor the rest,
 * since it predicts the next tokens best.
 */
export function buildInfillPrompt(input: PromptInput): InfillPrompt {
  const { budget, countTokens } = input;
  const included: string[] = [];
  const suffix = headWithin(input.suffix, Math.floor(budget.totalTokens * budget.suffixShare), countTokens);
  let remaining = budget.totalTokens - countTokens(suffix);
  included.push(`suffix: ${suffix.length} chars`);

  let snippetBudget = Math.floor(budget.totalTokens * budget.snippetShare);
  const snippetBlocks: string[] = [];
  for (const snippet of input.snippets) {
    const block = `${commentLine(input.languageId, `Path: ${snippet.path}`)}\n${snippet.text.trimEnd()}\n\n`;
    const cost = countTokens(block);
    if (cost > snippetBudget) {
      included.push(`skipped ${snippet.path} (${snippet.reason}): ${cost} tokens over the snippet budget`);
      continue;
    }
    snippetBudget -= cost;
    remaining -= cost;
    snippetBlocks.push(block);
    included.push(`${snippet.path} (${snippet.reason}): ${cost} tokens`);
  }

  const header = `${commentLine(input.languageId, `Path: ${input.path}`)}\n`;
  remaining -= countTokens(header);
  let prefix = tailWithin(input.prefix, Math.max(0, remaining), countTokens);
  const windowStart = input.prefix.length - prefix.length;
  const cutScopes = (input.scopeHeaders ?? []).filter((scope) => scope.offset < windowStart).map((scope) => `${scope.text}\n`);
  if (cutScopes.length > 0) {
    // The headers replace lines at the top of the window, so the total stays within the budget.
    prefix = tailWithin(input.prefix, Math.max(0, remaining - countTokens(cutScopes.join(""))), countTokens);
    included.push(`enclosing scopes above the window: ${cutScopes.length}`);
  }
  included.push(`prefix: ${prefix.length} of ${input.prefix.length} chars`);
  return { prefix: snippetBlocks.join("") + header + cutScopes.join("") + prefix, suffix, included };
}

/** Single-line requests stop at the line break; multi-line ones get room for a body. */
export function generationLimits(mode: CompletionMode, maxLines: number): { maxTokens: number; stop: string[] } {
  return mode === "singleLine" ? { maxTokens: 64, stop: ["\n"] } : { maxTokens: Math.min(512, 24 * maxLines), stop: [] };
}
