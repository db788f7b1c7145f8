// Fits a completion prompt's pieces into its token budget. The extension sends the pieces once, as they are, and the
// backend that serves the request fits them with its own counts: the host with the model's tokenizer, llama-server
// with its /tokenize (fitInfillContextCounted, which counts only the texts its caller has no count for), and servers
// without a tokenizer endpoint with the character estimate. No keystroke waits for a round trip to count tokens
// before the request goes out, and no backend has to take apart a prompt another one put together.
//
// The prompt is the concatenation of separately tokenized units, so its length is exactly the sum of theirs. The text
// around the cursor is cut into blocks that start at document lines divisible by `blockLines`: the kept prefix then
// starts at the same line across keystrokes, and the tokens of the blocks above the cursor stay the same, which is
// what lets the host reuse its KV cache while the user types (fimLayout.ts puts the suffix first for the same reason).
import type { InfillContext, InfillContextPiece, InfillParams } from "../protocol/host";

/** A completion request's prompt: the windows around the cursor, and the other pieces with the budget. */
export type PromptPieces = Pick<InfillParams, "prefix" | "suffix"> & { context: InfillContext };

/**
 * Code averages about 3.5 characters per token with the BPE vocabularies of code models; this
 * errs on the side of more tokens so that the estimate never overflows a budget.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
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

function pathComment(languageId: string, path: string): string {
  return `${commentLine(languageId, `Path: ${path}`)}\n`;
}

/** A piece as it goes into the prompt text: its file's path as a comment, the code, a blank line. */
export function pieceText(languageId: string, piece: InfillContextPiece): string {
  return `${pathComment(languageId, piece.path)}${piece.text.trimEnd()}\n\n`;
}

/** The model's tokenizer, or a stand-in; a unit costs as many tokens as the array it returns. */
export type Tokenize<Token> = (text: string) => readonly Token[];

/** The fitted prompt as text, for a backend that sends text (the remote servers). */
export interface FittedText {
  /** The kept pieces from other files (pieceText), the path comment, cut-off scope headers and the code before the cursor. */
  prefix: string;
  suffix: string;
  /** The pieces from other files that the budget kept, in order; llama-server sends them apart from the prefix. */
  pieces: InfillContextPiece[];
  /** `prefix` after the kept pieces. */
  documentPrefix: string;
}

export interface FittedInfill<Token> {
  /** The same units as text.prefix, in order. */
  prefix: Token[];
  suffix: Token[];
  text: FittedText;
  /** One line per part and what it cost, for the trace log. */
  included: string[];
}

/**
 * The kept prefix starts at a multiple of this many lines, so it moves only after the user has typed about a block's
 * worth of tokens; at most a block's worth of the budget stays unused.
 */
export const blockLines = 8;

/** Splits `text`, whose first line is document line `firstLine`, before each line divisible by blockLines. */
export function blocksOf(text: string, firstLine: number): string[] {
  const blocks: string[] = [];
  let start = 0;
  let line = firstLine;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) {
    line++;
    if (line % blockLines === 0) {
      blocks.push(text.slice(start, at + 1));
      start = at + 1;
    }
  }
  if (start < text.length) blocks.push(text.slice(start));
  return blocks;
}

function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

interface Taken<Token> {
  tokens: Token[];
  /** Characters of the text the tokens cover. */
  chars: number;
}

/** Whole blocks from the start of `blocks` within `budget`, then whole lines of the first block that does not fit. */
function takeFromStart<Token>(blocks: readonly string[], budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  const taken: Taken<Token> = { tokens: [], chars: 0 };
  const take = (text: string): boolean => {
    const tokens = tokenize(text);
    if (taken.tokens.length + tokens.length > budget) return false;
    taken.tokens.push(...tokens);
    taken.chars += text.length;
    return true;
  };
  for (const block of blocks) {
    if (take(block)) continue;
    for (const line of linesOf(block)) if (!take(line)) break;
    break;
  }
  return taken;
}

/**
 * Whole blocks from the end of `blocks` within `budget`. The cursor's own block is cut line by line if it alone is too
 * long, and its last line by characters: the code right before the cursor is the last thing a prompt may lose.
 */
function takeFromEnd<Token>(blocks: readonly string[], budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  const parts: (readonly Token[])[] = [];
  let used = 0;
  let chars = 0;
  const prepend = (text: string): boolean => {
    const tokens = tokenize(text);
    if (used + tokens.length > budget) return false;
    parts.unshift(tokens);
    used += tokens.length;
    chars += text.length;
    return true;
  };
  for (let index = blocks.length - 1; index >= 0; index--) {
    if (prepend(blocks[index])) continue;
    if (index === blocks.length - 1) {
      const lines = linesOf(blocks[index]);
      for (let lineIndex = lines.length - 1; lineIndex >= 0; lineIndex--) {
        if (prepend(lines[lineIndex])) continue;
        if (lineIndex === lines.length - 1) {
          const tail = longestTailWithin(lines[lineIndex], budget, tokenize);
          parts.unshift(tail.tokens);
          chars += tail.chars;
        }
        break;
      }
    }
    break;
  }
  return { tokens: parts.flat(), chars };
}

/** The longest end of `line` within `budget` tokens, found by bisection: one line longer than a whole budget is rare. */
function longestTailWithin<Token>(line: string, budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  let best: Taken<Token> = { tokens: [], chars: 0 };
  let low = 1;
  let high = line.length;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const tokens = tokenize(line.slice(line.length - middle));
    if (tokens.length <= budget) {
      best = { tokens: [...tokens], chars: middle };
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
}

/**
 * The prompt within its budget: the suffix first gets up to its share, pieces from other files theirs (in the order
 * given, skipping one that does not fit), and the code before the cursor the rest, since it predicts the next tokens
 * best. Headers of enclosing scopes the kept prefix starts inside replace some of its first lines. Each piece is
 * counted as pieceText renders it, whichever way the backend sends it, so every backend keeps the same pieces for the
 * same counts. `countedWith` ends the trace's last line: where the counts came from.
 */
export function fitInfillContext<Token>(
  prompt: PromptPieces,
  tokenize: Tokenize<Token>,
  countedWith = "counted with the model's tokenizer",
): FittedInfill<Token> {
  const { context } = prompt;
  const { budget } = context;
  const included: string[] = [];
  const cursorLine = context.prefixFirstLine + newlines(prompt.prefix);

  const suffix = takeFromStart(
    blocksOf(prompt.suffix, cursorLine),
    Math.floor(budget.totalTokens * budget.suffixShare),
    tokenize,
  );
  included.push(`suffix: ${newlines(prompt.suffix.slice(0, suffix.chars))} lines, ${suffix.tokens.length} tokens`);
  let remaining = budget.totalTokens - suffix.tokens.length;

  let pieceBudget = Math.min(remaining, Math.floor(budget.totalTokens * budget.snippetShare));
  const pieceTokens: Token[] = [];
  const keptPieces: InfillContextPiece[] = [];
  let piecesText = "";
  for (const piece of context.pieces) {
    const text = pieceText(context.languageId, piece);
    const tokens = tokenize(text);
    const label = `${piece.path} (${piece.reason})`;
    if (tokens.length > pieceBudget) {
      included.push(`skipped ${label}: ${tokens.length} tokens over the budget for other files`);
      continue;
    }
    pieceBudget -= tokens.length;
    pieceTokens.push(...tokens);
    keptPieces.push(piece);
    piecesText += text;
    included.push(`${label}: ${tokens.length} tokens`);
  }
  remaining -= pieceTokens.length;

  const pathText = pathComment(context.languageId, context.path);
  const pathTokens = tokenize(pathText);
  const keepsPathComment = pathTokens.length <= remaining;
  const pathCommentTokens = keepsPathComment ? pathTokens : [];
  remaining -= pathCommentTokens.length;

  const blocks = blocksOf(prompt.prefix, context.prefixFirstLine);
  let prefix = takeFromEnd(blocks, remaining, tokenize);
  const firstKeptLine = (kept: Taken<Token>): number => {
    const start = prompt.prefix.length - kept.chars;
    const startsLine = start === 0 || prompt.prefix[start - 1] === "\n";
    return context.prefixFirstLine + newlines(prompt.prefix.slice(0, start)) + (startsLine ? 0 : 1);
  };
  const cutScopes = context.scopes.filter((scope) => scope.line < firstKeptLine(prefix));
  const scopes = cutScopes.flatMap((scope) => [...tokenize(`${scope.text}\n`)]);
  let scopesText = "";
  if (cutScopes.length > 0 && scopes.length <= remaining) {
    scopesText = cutScopes.map((scope) => `${scope.text}\n`).join("");
    // The headers replace lines at the top of the window, so the total stays within the budget.
    prefix = takeFromEnd(blocks, remaining - scopes.length, tokenize);
    included.push(`enclosing scopes above the window: ${cutScopes.length}, ${scopes.length} tokens`);
  } else scopes.length = 0;
  included.push(`prefix: from line ${firstKeptLine(prefix) + 1}, ${prefix.tokens.length} tokens`);

  const prefixTokens = [...pieceTokens, ...pathCommentTokens, ...scopes, ...prefix.tokens];
  included.push(
    `prompt: ${prefixTokens.length + suffix.tokens.length} of ${budget.totalTokens} tokens, ${countedWith}`,
  );
  const documentPrefix =
    (keepsPathComment ? pathText : "") + scopesText + prompt.prefix.slice(prompt.prefix.length - prefix.chars);
  return {
    prefix: prefixTokens,
    suffix: suffix.tokens,
    text: {
      prefix: piecesText + documentPrefix,
      suffix: prompt.suffix.slice(0, suffix.chars),
      pieces: keptPieces,
      documentPrefix,
    },
    included,
  };
}

/** The fit by the character estimate, for a backend that cannot count the model's tokens. */
export function fitInfillContextEstimated(prompt: PromptPieces, countedWith: string): FittedInfill<null> {
  return fitInfillContext(prompt, (text) => placeholderTokens(estimateTokens(text)), countedWith);
}

/** Counts the tokens of each text, in order, with a tokenizer behind a round trip (llama-server's /tokenize). */
export type CountTokens = (texts: readonly string[]) => Promise<readonly number[]>;

/**
 * A stand-in for a count not known yet: low, so a run with it looks at least as far as the exact run will (a unit that
 * costs more only stops the walk sooner). Code rarely packs more than 6 characters into a token.
 */
export function lowTokenEstimate(text: string): number {
  return Math.floor(text.length / 6);
}

/**
 * fitInfillContext with a tokenizer that only counts, behind a round trip: the same fit, with no round trip per unit.
 * Each run uses the counts known so far (`known`, the caller's cache, and what this call has counted) and a low stand-in
 * for the rest; the units the run met uncounted are counted together, and it runs again until it met none, so the
 * result is exact. While the user types, the blocks above the cursor are known, so one round counts the cursor's block.
 * `count` rejects to end the fit (an abort, a failed request). The server tokenizes the joined text, whose merges across
 * the units' boundaries (a blank line after a block) make it, in practice, no longer than the sum of the units.
 * `standIn` trades requests for rounds: the lower, the more units the first run counts that the exact one skips; a
 * stand-in above a unit's count costs another round, never exactness.
 */
export async function fitInfillContextCounted(
  prompt: PromptPieces,
  known: (text: string) => number | undefined,
  count: CountTokens,
  countedWith: string,
  standIn: (text: string) => number = lowTokenEstimate,
): Promise<FittedInfill<null>> {
  const counted = new Map<string, number>();
  for (;;) {
    const uncounted = new Set<string>();
    const fitted = fitInfillContext(
      prompt,
      (text) => {
        const tokens = counted.get(text) ?? known(text);
        if (tokens !== undefined) return placeholderTokens(tokens);
        uncounted.add(text);
        return placeholderTokens(standIn(text));
      },
      countedWith,
    );
    if (uncounted.size === 0) return fitted;
    const texts = [...uncounted];
    const counts = await count(texts);
    if (counts.length !== texts.length) throw new Error(`asked for ${texts.length} token counts, got ${counts.length}`);
    texts.forEach((text, index) => counted.set(text, counts[index]));
  }
}

/** Tokens that stand for a count, for a tokenizer that only counts: the fit needs only how many there are. */
export function placeholderTokens(count: number): null[] {
  return new Array<null>(count).fill(null);
}
