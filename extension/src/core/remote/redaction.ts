// Secrets never leave the machine: every request to a server off this machine passes through here first, and what the
// Shield's secret search finds is replaced by a placeholder. Completions, chat, refactor and retrieved workspace code
// all reach a remote server as InfillParams or ChatParams, so these two are the whole boundary.
import type { ChatParams, ChatTurn, InfillContext, InfillParams } from "../protocol/host";
import { isShieldLanguage, languageForFileName } from "../shield/languages";
import { type Redacted, findSecretSpans, redactSecrets, redactionPlaceholder } from "../shield/secretSpans";
import type { Shield, ShieldLanguage } from "../shield/types";

export interface RedactedRequest<Params> {
  params: Params;
  /** How many secrets were replaced by the placeholder. */
  redacted: number;
}

export interface RemoteRedaction {
  infill(params: InfillParams): Promise<RedactedRequest<InfillParams>>;
  chat(params: ChatParams): Promise<RedactedRequest<ChatParams>>;
}

/** The language of a fence's info string ("ts", "typescript") or a file name, where the Shield has a grammar for it. */
function languageOf(word: string): ShieldLanguage | undefined {
  const lower = word.toLowerCase();
  return isShieldLanguage(lower) ? lower : languageForFileName(`code.${lower}`);
}

const fenceOpener = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*$/;

/**
 * Text with fenced code blocks (chat turns: attachments and retrieved chunks go in as fences tagged with their
 * language): each block is searched as code of its language, the prose around it as plain text.
 */
function redactMarkdown(text: string, shield: Shield | undefined): Redacted {
  const lines = text.split("\n");
  const out: string[] = [];
  let redacted = 0;
  let prose: string[] = [];
  const flushProse = (): void => {
    if (prose.length === 0) return;
    const result = redactSecrets(prose.join("\n"), { shield, language: undefined });
    out.push(result.text);
    redacted += result.redacted;
    prose = [];
  };
  for (let index = 0; index < lines.length; index++) {
    const opener = fenceOpener.exec(lines[index]);
    if (opener === null) {
      prose.push(lines[index]);
      continue;
    }
    const fence = opener[1];
    const closer = lines.findIndex(
      (line, at) =>
        at > index && line.trim().startsWith(fence) && /^[`~]+$/.test(line.trim()) && line.trim()[0] === fence[0],
    );
    // An unclosed fence runs to the end of the text, as markdown reads it.
    const end = closer < 0 ? lines.length : closer;
    prose.push(lines[index]);
    flushProse();
    const code = redactSecrets(lines.slice(index + 1, end).join("\n"), { shield, language: languageOf(opener[2]) });
    if (end > index + 1) out.push(code.text);
    redacted += code.redacted;
    if (closer >= 0) prose.push(lines[closer]);
    index = end;
  }
  flushProse();
  return { text: out.join("\n"), redacted };
}

/**
 * Parts of one text that are searched together, so a secret's syntax around the cut is seen whole (the prefix and
 * suffix around the cursor). A secret across the cut leaves its placeholder in the part where it starts.
 */
function redactJoined(
  parts: readonly string[],
  shield: Shield | undefined,
  language: ShieldLanguage | undefined,
): { parts: string[]; redacted: number } {
  const text = parts.join("");
  const spans = findSecretSpans(text, { shield, language });
  let partStart = 0;
  const redactedParts = parts.map((part) => {
    const partEnd = partStart + part.length;
    let result = "";
    let at = partStart;
    for (const span of spans) {
      if (span.endIndex <= partStart || span.startIndex >= partEnd) continue;
      result += text.slice(at, Math.max(at, span.startIndex));
      if (span.startIndex >= partStart) result += redactionPlaceholder;
      at = Math.min(partEnd, span.endIndex);
    }
    result += text.slice(at, partEnd);
    partStart = partEnd;
    return result;
  });
  return { parts: redactedParts, redacted: spans.length };
}

function redactContext(
  context: InfillContext,
  shield: Shield | undefined,
  language: ShieldLanguage | undefined,
): RedactedRequest<InfillContext> {
  let redacted = 0;
  const pieces = context.pieces.map((piece) => {
    const result = redactSecrets(piece.text, { shield, language: languageForFileName(piece.path) });
    redacted += result.redacted;
    return { ...piece, text: result.text };
  });
  const scopes = context.scopes.map((scope) => {
    const result = redactSecrets(scope.text, { shield, language });
    redacted += result.redacted;
    return { ...scope, text: result.text };
  });
  return { params: { ...context, pieces, scopes }, redacted };
}

/** The redaction step for requests to servers off this machine; the Shield is awaited, since it parses the code. */
export function createRemoteRedaction(loadShield: () => Promise<Shield | undefined>): RemoteRedaction {
  return {
    async infill(params) {
      const shield = await loadShield();
      const { context } = params;
      const languageId = context?.languageId ?? "";
      const language = isShieldLanguage(languageId) ? languageId : undefined;
      const around = redactJoined([params.prefix, params.suffix], shield, language);
      const [prefix, suffix] = around.parts;
      if (context === undefined) return { params: { ...params, prefix, suffix }, redacted: around.redacted };
      const fitted = redactContext(context, shield, language);
      return {
        params: { ...params, prefix, suffix, context: fitted.params },
        redacted: around.redacted + fitted.redacted,
      };
    },
    async chat(params) {
      const shield = await loadShield();
      const system = redactMarkdown(params.systemPrompt, shield);
      let redacted = system.redacted;
      const turns = params.turns.map((turn): ChatTurn => {
        const result = redactMarkdown(turn.text, shield);
        redacted += result.redacted;
        return { ...turn, text: result.text };
      });
      return { params: { ...params, systemPrompt: system.text, turns }, redacted };
    },
  };
}
