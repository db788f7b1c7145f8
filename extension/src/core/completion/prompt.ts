import type { InfillContext, InfillContextPiece, PromptBudget } from "../protocol/host";
import { blockLines } from "./promptFit";
import type { CompletionMode } from "./mode";

export type { PromptBudget };

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
  /** The document line of `offset`, 0-based. */
  line: number;
  text: string;
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

/** A snippet as it goes into the prompt: its file's path as a comment, the code, a blank line. */
export function contextPiece(languageId: string, snippet: ContextSnippet): InfillContextPiece {
  return { text: `${commentLine(languageId, `Path: ${snippet.path}`)}\n${snippet.text.trimEnd()}\n\n`, label: `${snippet.path} (${snippet.reason})` };
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
    const piece = contextPiece(input.languageId, snippet);
    const cost = countTokens(piece.text);
    if (cost > snippetBudget) {
      included.push(`skipped ${piece.label}: ${cost} tokens over the snippet budget`);
      continue;
    }
    snippetBudget -= cost;
    remaining -= cost;
    snippetBlocks.push(piece.text);
    included.push(`${piece.label}: ${cost} tokens`);
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

/**
 * Characters of code sent per token of the budget: more than code takes (3 to 4 characters a token, more for deep
 * indentation), so the host's exact fit never runs short of text.
 */
const contextCharsPerToken = 8;

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/**
 * The end of `prefix` that the budget could need, from the start of a line divisible by blockLines (or the start of
 * `prefix`): a window start that moved with every line typed would shift the blocks the host cuts the prefix into.
 */
function prefixWindow(prefix: string, cursorLine: number, chars: number): { text: string; firstLine: number } {
  if (prefix.length <= chars) return { text: prefix, firstLine: cursorLine - countNewlines(prefix) };
  let start = prefix.length - chars;
  const lineEnd = prefix.indexOf("\n", start - 1);
  // A cursor line longer than the window: the window starts inside it.
  if (lineEnd >= 0) start = lineEnd + 1;
  let firstLine = cursorLine - countNewlines(prefix.slice(start));
  while (firstLine % blockLines !== 0) {
    const next = prefix.indexOf("\n", start);
    if (next < 0) break;
    start = next + 1;
    firstLine++;
  }
  return { text: prefix.slice(start), firstLine };
}

/** Characters on each side of the cursor that the prompt can use, at most, with this budget. */
export function promptWindowChars(budget: PromptBudget): number {
  return budget.totalTokens * contextCharsPerToken;
}

/** The start of `suffix` that the budget could need, up to a line end. */
function suffixWindow(suffix: string, chars: number): string {
  if (suffix.length <= chars) return suffix;
  const lineEnd = suffix.indexOf("\n", chars);
  return lineEnd < 0 ? suffix : suffix.slice(0, lineEnd + 1);
}

/**
 * The prompt's pieces for a backend that fits them with the model's tokenizer (fitInfillContext): windows around the
 * cursor with more text than the budget holds, the snippets in priority order, and the enclosing scopes. A `prefix`
 * of at most promptWindowChars characters is taken to start the document, so a window must be longer than that.
 */
export function buildInfillContext(input: Omit<PromptInput, "countTokens">, cursorLine: number): InfillContext {
  const { budget } = input;
  const window = prefixWindow(input.prefix, cursorLine, promptWindowChars(budget));
  return {
    budget,
    prefix: window.text,
    prefixFirstLine: window.firstLine,
    suffix: suffixWindow(input.suffix, Math.ceil(budget.totalTokens * budget.suffixShare) * contextCharsPerToken),
    pathComment: `${commentLine(input.languageId, `Path: ${input.path}`)}\n`,
    pieces: input.snippets.map((snippet) => contextPiece(input.languageId, snippet)),
    scopes: (input.scopeHeaders ?? []).map((scope) => ({ line: scope.line, text: scope.text })),
  };
}

/** Single-line requests stop at the line break; multi-line ones get room for a body. */
export function generationLimits(mode: CompletionMode, maxLines: number): { maxTokens: number; stop: string[] } {
  return mode === "singleLine" ? { maxTokens: 64, stop: ["\n"] } : { maxTokens: Math.min(512, 24 * maxLines), stop: [] };
}
