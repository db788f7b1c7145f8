import type { ChatParams } from "../protocol/host";
import type { SurroundingContext } from "./context";
import { outputOf, presetInstruction, type PresetInstructionInput } from "./presets";

export interface RefactorPromptInput extends PresetInstructionInput {
  target: string;
  context: SurroundingContext;
  /** The model's context size in tokens (HostInfo's chat model, else the setting). */
  contextSize: number;
}

export type PromptPlan =
  | { kind: "ready"; params: ChatParams; estimatedPromptTokens: number }
  | { kind: "tooLarge"; estimatedTokens: number; contextSize: number };

const rewriteSystemPrompt = [
  "You are a careful code refactoring tool inside an editor.",
  "The user gives you code and an instruction. Apply the instruction to the code.",
  "Answer with exactly one fenced code block that holds the complete rewritten code and nothing else: no explanation before or after it.",
  'Rewrite only the code under "Code to rewrite"; the context is there for reference and must not be repeated.',
  "Keep the code's language, names, indentation style and behaviour unless the instruction asks otherwise.",
].join("\n");

const newFileSystemPrompt = [
  "You are a careful programming assistant inside an editor.",
  "The user gives you code and an instruction to write new code for it.",
  "Answer with exactly one fenced code block that holds the complete new file and nothing else.",
].join("\n");

const proseSystemPrompt = [
  "You are a careful programming assistant inside an editor.",
  "The user gives you code and a question about it. Answer in concise Markdown; quote code only where it helps.",
].join("\n");

/**
 * A deliberately pessimistic token estimate (about 3 characters per token; code tokenises worse than prose) so that
 * a selection that cannot fit is refused before the request, not cut off in the middle of the answer.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Room kept for the chat template's own tokens and the answer's fences. */
const templateOverheadTokens = 64;

export function planRefactorPrompt(input: RefactorPromptInput): PromptPlan {
  // Context is a help, the target is the point: drop the definitions, then all context, before refusing.
  const fallbacks: SurroundingContext[] = [input.context, { ...input.context, definitions: [] }, { imports: [] }];
  let plan = planWithContext(input);
  for (const context of fallbacks.slice(1)) {
    if (plan.kind === "ready") return plan;
    plan = planWithContext({ ...input, context });
  }
  return plan;
}

function planWithContext(input: RefactorPromptInput): PromptPlan {
  const output = outputOf(input.preset);
  const systemPrompt =
    output === "replace" ? rewriteSystemPrompt : output === "newFile" ? newFileSystemPrompt : proseSystemPrompt;
  const userTurn = userMessage(input, output === "replace" ? "Code to rewrite" : "Code");
  const promptTokens = estimateTokens(systemPrompt) + estimateTokens(userTurn) + templateOverheadTokens;
  // A rewrite is about as long as the original, plus a little for added types or comments; tests are longer.
  const targetTokens = estimateTokens(input.target);
  const answerTokens = output === "replace" ? Math.ceil(targetTokens * 1.5) + 64 : Math.max(512, targetTokens * 2);
  const needed = promptTokens + (output === "replace" ? targetTokens + 64 : Math.min(answerTokens, 256));
  if (needed > input.contextSize) return { kind: "tooLarge", estimatedTokens: needed, contextSize: input.contextSize };
  const maxTokens = Math.max(64, Math.min(answerTokens, input.contextSize - promptTokens));
  return {
    kind: "ready",
    params: { systemPrompt, turns: [{ role: "user", text: userTurn }], maxTokens, temperature: 0 },
    estimatedPromptTokens: promptTokens,
  };
}

/** A fence longer than any backtick run in the code, so code that holds ``` cannot end the block early. */
function fenceFor(code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(longest + 1);
}

function fenced(code: string, languageId: string): string {
  const fence = fenceFor(code);
  return `${fence}${languageId}\n${code.replace(/\r\n/g, "\n").replace(/\n$/, "")}\n${fence}`;
}

function userMessage(input: RefactorPromptInput, codeHeading: string): string {
  const parts = [`Language: ${input.languageId}`, `File: ${input.sourceFileName}`];
  if (input.context.imports.length > 0)
    parts.push("", "The file's imports (do not rewrite):", fenced(input.context.imports.join("\n"), input.languageId));
  for (const definition of input.context.definitions ?? []) {
    parts.push(
      "",
      `Defined in ${definition.path} (for reference, do not rewrite):`,
      fenced(definition.text, input.languageId),
    );
  }
  if (input.context.enclosingClassHeader !== undefined)
    parts.push("", `The code is inside \`${input.context.enclosingClassHeader}\`; keep its indentation.`);
  parts.push(
    "",
    `${codeHeading}:`,
    fenced(input.target, input.languageId),
    "",
    `Instruction: ${presetInstruction(input)}`,
  );
  return parts.join("\n");
}
