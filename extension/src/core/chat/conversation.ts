// The conversation as stored and as sent to the host. Attachments keep their content so an answer can be regenerated
// after a reload.
import type { ChatTurn } from "../protocol/host";
import type { GuardVerdictView } from "../protocol/webview";

export interface StoredAttachment {
  label: string;
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

/** The user's message as the model sees it: attached context first, then what they typed. */
export function userTurnText(message: StoredMessage): string {
  if (message.attachments.length === 0) return message.text;
  const parts = message.attachments.map((attachment) => {
    const fence = fenceFor(attachment.content);
    return `${attachment.label}:\n${fence}${attachment.languageId}\n${attachment.content}\n${fence}`;
  });
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
