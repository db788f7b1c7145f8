// The conversation as stored and as sent to the host. Attachments keep their content so an answer can be regenerated
// after a reload.
import type { ChatTurn } from "../protocol/host";
import type { GuardVerdictView } from "../protocol/webview";

export interface StoredAttachment {
  label: string;
  languageId: string;
  content: string;
}

/** Workspace code retrieved for a question and sent with it; the answer cites it. */
export interface StoredSource {
  /** Absolute path of the file, which the citation opens. */
  path: string;
  /** The path inside the workspace with the first line, 1-based: "src/auth.ts:12". */
  label: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  symbols: string[];
  languageId: string;
  content: string;
}

/** A question another feature puts to the chat (Explain): asked as a normal turn, with its code shown as chips. */
export interface AskInChatRequest {
  prompt: string;
  attachments: StoredAttachment[];
}

export type StoredMessageStatus = "complete" | "stopped" | "error";

export interface StoredMessage {
  id: string;
  role: "user" | "assistant";
  text: string;
  status: StoredMessageStatus;
  attachments: StoredAttachment[];
  /**
   * A question's retrieved workspace code, in rank order: undefined until retrieval ran (or where it was off), so that
   * regenerating an answer sends the same sources, less those the user dropped.
   */
  sources?: StoredSource[];
  error?: string;
  /** Llama Guard's verdict, when the guard was on; a message it did not pass is never sent to the model again. */
  guard?: GuardVerdictView;
}

/** Whether Llama Guard held this message back: flagged, or not checked. */
export function heldBackByGuard(message: StoredMessage): boolean {
  return message.guard !== undefined && (message.guard.state === "unsafe" || message.guard.state === "notChecked");
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: StoredMessage[];
  /** The last exchange's prompt plus answer, counted by the host. */
  usedTokens?: number;
}

export const systemPrompt = [
  "You are Llama Assist, a coding assistant that runs on the user's own machine inside their code editor.",
  "The code, files and selections in this conversation are the user's own work, shared with you to get help.",
  "Answer precisely and briefly. Put code in fenced markdown blocks tagged with their language.",
  "Do not invent APIs; say so when you are unsure.",
].join(" ");

const maxTitleLength = 60;

export function titleFrom(text: string): string {
  const firstLine = text.trim().split("\n")[0]?.trim() ?? "";
  if (firstLine === "") return "New chat";
  return firstLine.length > maxTitleLength ? `${firstLine.slice(0, maxTitleLength - 1)}…` : firstLine;
}

/** A fence longer than any backtick run inside the content, so attached code cannot end its own block early. */
function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

function quoted(label: string, languageId: string, content: string): string {
  const fence = fenceFor(content);
  return `${label}:\n${fence}${languageId}\n${content}\n${fence}`;
}

export const sourcesHeading = "Code from the workspace that may be relevant (found by search; cite it as path:line):";

/** A retrieved chunk as the prompt quotes it. */
export function sourceText(source: StoredSource): string {
  return quoted(source.label, source.languageId, source.content);
}

/** The user's message as the model sees it: attached context and retrieved code first, then what they typed. */
export function userTurnText(message: StoredMessage): string {
  const parts = message.attachments.map((attachment) =>
    quoted(attachment.label, attachment.languageId, attachment.content),
  );
  if (message.sources !== undefined && message.sources.length > 0)
    parts.push([sourcesHeading, ...message.sources.map(sourceText)].join("\n\n"));
  if (parts.length === 0) return message.text;
  return `${parts.join("\n\n")}\n\n${message.text}`;
}

/** The turns of a conversation for the host; failed answers without text are not part of it. */
export function chatTurnsOf(messages: readonly StoredMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const message of messages) {
    if (heldBackByGuard(message)) continue;
    if (message.role === "user") turns.push({ role: "user", text: userTurnText(message) });
    else if (message.text !== "") turns.push({ role: "assistant", text: message.text });
  }
  return turns;
}
