// Token layout of a fill-in-the-middle prompt, chosen for KV-cache reuse while the user types.
//
// The model's own order is PREFIX, SUFFIX, MIDDLE ("PSM"). Typing at the cursor changes the end of the prefix, so in
// that order everything after the cursor (the whole suffix) must be evaluated again on every keystroke. We place the
// suffix first instead: <suffix>SUFFIX<prefix>PREFIX<middle> (the "SPM" variant that FIM training covers, with the
// same three control tokens). What changes while typing is then only the last few tokens before <middle>, and the
// cached suffix and the long unchanged prefix are reused.
//
// When the prompt must be cut, the prefix loses tokens at its start in whole steps, so the start stays the same
// across many keystrokes instead of sliding by one token each time (which would invalidate the whole cache).

export interface FimControlTokens<Token extends number> {
  prefix: Token;
  suffix: Token;
  middle: Token;
}

export interface FimBudget {
  /** Prompt tokens the request may use: the context size minus room for the answer. */
  maxPromptTokens: number;
  /** Upper bound for the suffix, so a long file tail never crowds out the prefix, which matters more. */
  maxSuffixTokens: number;
  /** The prefix is cut at its start in multiples of this many tokens. */
  prefixTrimStep: number;
}

export interface FimLayout<Token extends number> {
  tokens: Token[];
  prefixTokensKept: number;
  suffixTokensKept: number;
}

export class FimBudgetError extends Error {}

/**
 * Lays out a fill-in-the-middle prompt; without FIM tokens (`fim` undefined) it is the prefix alone.
 * `leading` goes first unchanged (a BOS token for models that want one).
 */
export function layoutFimPrompt<Token extends number>(
  prefix: readonly Token[],
  suffix: readonly Token[],
  fim: FimControlTokens<Token> | undefined,
  leading: readonly Token[],
  budget: FimBudget,
): FimLayout<Token> {
  const fixedTokens = leading.length + (fim === undefined ? 0 : 3);
  const available = budget.maxPromptTokens - fixedTokens;
  // One prefix token is the least a useful completion needs.
  if (available < 1)
    throw new FimBudgetError(
      `the context leaves room for ${budget.maxPromptTokens} prompt tokens, fewer than the ${fixedTokens + 1} needed`,
    );

  const suffixKept =
    fim === undefined ? [] : suffix.slice(0, Math.max(0, Math.min(budget.maxSuffixTokens, Math.floor(available / 2))));
  const prefixRoom = available - suffixKept.length;
  const prefixKept = prefix.slice(prefixCutIndex(prefix.length, prefixRoom, budget.prefixTrimStep));

  const tokens =
    fim === undefined
      ? [...leading, ...prefixKept]
      : [...leading, fim.suffix, ...suffixKept, fim.prefix, ...prefixKept, fim.middle];
  return { tokens, prefixTokensKept: prefixKept.length, suffixTokensKept: suffixKept.length };
}

/** Where the kept part of a prefix starts: 0 when it fits, else the smallest whole step that makes it fit. */
export function prefixCutIndex(prefixLength: number, room: number, step: number): number {
  if (prefixLength <= room) return 0;
  const excess = prefixLength - room;
  const stepped = Math.ceil(excess / Math.max(1, step)) * Math.max(1, step);
  return stepped <= prefixLength ? stepped : excess;
}

/** Cuts `text` at the earliest stop string; `stopped` tells whether one occurred. */
export function cutAtStopStrings(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  let cut = -1;
  for (const stop of stops) {
    if (stop.length === 0) continue;
    const at = text.indexOf(stop);
    if (at !== -1 && (cut === -1 || at < cut)) cut = at;
  }
  return cut === -1 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}
