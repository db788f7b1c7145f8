// Explain asks the chat, not a one-off prompt: the target goes in as an attachment chip, the instruction as the user's
// message, so the answer is a conversation turn the user can follow up on.
import type { AskInChatRequest, StoredAttachment } from "../chat/conversation";
import type { SurroundingContext } from "./context";
import { presetInstruction } from "./presets";

export interface ExplainTarget {
  /** The file as the user knows it (workspace-relative). */
  relativePath: string;
  languageId: string;
  code: string;
  /** 1-based, inclusive: the lines the chip names. */
  firstLine: number;
  lastLine: number;
  context: SurroundingContext;
}

/** The imports, the enclosing class and other files' definitions, as one reference attachment; none when empty. */
function contextAttachment(target: ExplainTarget): StoredAttachment | undefined {
  const { imports, enclosingClassHeader, definitions = [] } = target.context;
  const parts: string[] = [];
  if (imports.length > 0) parts.push(imports.join("\n"));
  if (enclosingClassHeader !== undefined) parts.push(enclosingClassHeader);
  // Bare code: naming each definition's file in a comment would need every language's comment syntax.
  for (const definition of definitions) parts.push(definition.text);
  if (parts.length === 0) return undefined;
  return { label: `${target.relativePath} (context)`, languageId: target.languageId, content: parts.join("\n\n") };
}

export function explainRequest(target: ExplainTarget): AskInChatRequest {
  const lines = target.firstLine === target.lastLine ? `${target.firstLine}` : `${target.firstLine}-${target.lastLine}`;
  const code: StoredAttachment = {
    label: `${target.relativePath}:${lines}`,
    languageId: target.languageId,
    content: target.code,
  };
  const context = contextAttachment(target);
  return {
    prompt: presetInstruction({
      preset: "explain",
      languageId: target.languageId,
      instruction: "",
      diagnostics: [],
      sourceFileName: target.relativePath,
    }),
    // The code last: the chat takes the last attachment's language for the answer's unlabelled code blocks.
    attachments: context === undefined ? [code] : [context, code],
  };
}
