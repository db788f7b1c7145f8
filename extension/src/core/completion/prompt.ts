// The completion prompt as the extension sends it: the code around the cursor and the pieces from elsewhere, as they
// are. The backend that serves the request fits them into the budget with its own token counts (promptFit.ts).
import type { InfillContextPiece, PromptBudget } from "../protocol/host";
import { blockLines, type PromptPieces } from "./promptFit";
import type { CompletionMode } from "./mode";

export type { PromptBudget };

/** A piece of other code the model should see: the definition of an imported symbol, or a recently edited range. */
export type ContextSnippet = InfillContextPiece;

/** The first line of a function or class that encloses the cursor, and where it starts in the document. */
export interface ScopeHeader {
  offset: number;
  /** The document line of `offset`, 0-based. */
  line: number;
  text: string;
}

export const defaultPromptBudget: PromptBudget = { totalTokens: 1536, suffixShare: 0.25, snippetShare: 0.3 };

/**
 * Characters of code sent per token of the budget: more than code takes (3 to 4 characters a token, more for deep
 * indentation), so a backend's exact fit never runs short of text.
 */
const contextCharsPerToken = 8;

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/**
 * The end of `prefix` that the budget could need, from the start of a line divisible by blockLines (or the start of
 * `prefix`): a window start that moved with every line typed would shift the blocks the fit cuts the prefix into.
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

export interface PromptInput {
  /** The text before and after the cursor; a `prefix` of at most promptWindowChars characters starts the document. */
  prefix: string;
  suffix: string;
  /** The document line of the cursor, 0-based. */
  cursorLine: number;
  languageId: string;
  /** The document's path relative to the workspace, shown to the model as a comment. */
  path: string;
  /** In priority order: imports first. */
  snippets: readonly ContextSnippet[];
  /** Outermost first; those above the kept prefix are kept, so the model still knows where the cursor is. */
  scopeHeaders?: readonly ScopeHeader[];
  budget: PromptBudget;
}

/**
 * The prompt's pieces for the backend to fit: windows around the cursor with more text than the budget holds, the
 * snippets in priority order, and the enclosing scopes.
 */
export function buildPromptPieces(input: PromptInput): PromptPieces {
  const { budget } = input;
  const window = prefixWindow(input.prefix, input.cursorLine, promptWindowChars(budget));
  return {
    prefix: window.text,
    suffix: suffixWindow(input.suffix, Math.ceil(budget.totalTokens * budget.suffixShare) * contextCharsPerToken),
    context: {
      budget,
      prefixFirstLine: window.firstLine,
      languageId: input.languageId,
      path: input.path,
      pieces: input.snippets.map(({ path, text, reason }) => ({ path, text, reason })),
      scopes: (input.scopeHeaders ?? []).map(({ line, text }) => ({ line, text })),
    },
  };
}

/** Single-line requests stop at the line break; multi-line ones get room for a body. */
export function generationLimits(mode: CompletionMode, maxLines: number): { maxTokens: number; stop: string[] } {
  return mode === "singleLine"
    ? { maxTokens: 64, stop: ["\n"] }
    : { maxTokens: Math.min(512, 24 * maxLines), stop: [] };
}
