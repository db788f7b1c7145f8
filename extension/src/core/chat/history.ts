// The chat history file's format: validated on read (the file is ours, but disks and older versions are not to be
// trusted), and bounded in count and bytes on write.
import type { Conversation, StoredAttachment, StoredMessage, StoredSource } from "./conversation";

export const historyVersion = 1;

export interface HistoryLimits {
  maxConversations: number;
  maxBytes: number;
}

export type HistoryParse =
  { ok: true; conversations: Conversation[]; skipped: number } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isAttachment(value: unknown): value is StoredAttachment {
  return (
    isRecord(value) &&
    typeof value.label === "string" &&
    typeof value.languageId === "string" &&
    typeof value.content === "string"
  );
}

function isSource(value: unknown): value is StoredSource {
  return (
    isRecord(value) &&
    typeof value.path === "string" &&
    typeof value.label === "string" &&
    Number.isInteger(value.startLine) &&
    Number.isInteger(value.endLine) &&
    Array.isArray(value.symbols) &&
    value.symbols.every((symbol) => typeof symbol === "string") &&
    typeof value.languageId === "string" &&
    typeof value.content === "string"
  );
}

function isMessage(value: unknown): value is StoredMessage {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    value.id !== "" &&
    (value.role === "user" || value.role === "assistant") &&
    typeof value.text === "string" &&
    (value.status === "complete" || value.status === "stopped" || value.status === "error") &&
    Array.isArray(value.attachments) &&
    value.attachments.every(isAttachment) &&
    (value.sources === undefined || (Array.isArray(value.sources) && value.sources.every(isSource))) &&
    (value.error === undefined || typeof value.error === "string") &&
    (value.guard === undefined || isGuardVerdict(value.guard))
  );
}

function isGuardVerdict(value: unknown): boolean {
  return (
    isRecord(value) &&
    (value.state === "checking" ||
      value.state === "safe" ||
      value.state === "unsafe" ||
      value.state === "notChecked") &&
    Array.isArray(value.categories) &&
    value.categories.every((category) => typeof category === "string") &&
    typeof value.message === "string"
  );
}

export function isConversation(value: unknown): value is Conversation {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    value.id !== "" &&
    typeof value.title === "string" &&
    isTime(value.createdAt) &&
    isTime(value.updatedAt) &&
    Array.isArray(value.messages) &&
    value.messages.every(isMessage) &&
    (value.usedTokens === undefined || isTime(value.usedTokens))
  );
}

/** Whole-file problems fail the parse; single bad conversations are skipped and counted. */
export function parseHistory(text: string): HistoryParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isRecord(data) || !Array.isArray(data.conversations))
    return { ok: false, problem: "it has no conversation list" };
  if (data.version !== historyVersion)
    return { ok: false, problem: `it has format version ${String(data.version)}, not ${historyVersion}` };
  const conversations = data.conversations.filter(isConversation);
  const seen = new Set<string>();
  const unique = conversations.filter((conversation) => !seen.has(conversation.id) && seen.add(conversation.id));
  return { ok: true, conversations: unique, skipped: data.conversations.length - unique.length };
}

export function serializeHistory(conversations: readonly Conversation[]): string {
  return JSON.stringify({ version: historyVersion, conversations });
}

const encoder = new TextEncoder();

function byteSize(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/**
 * The newest conversations that fit the limits. The newest one is kept even when it alone is too big: its oldest
 * messages go instead, so the chat in progress never disappears.
 */
export function boundHistory(conversations: readonly Conversation[], limits: HistoryLimits): Conversation[] {
  const newestFirst = [...conversations]
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .slice(0, Math.max(1, limits.maxConversations));
  // The file's own wrapper ({"version":1,"conversations":[…]}) and the commas between entries.
  let budget = limits.maxBytes - byteSize({ version: historyVersion, conversations: [] });
  const kept: Conversation[] = [];
  for (const conversation of newestFirst) {
    const size = byteSize(conversation) + (kept.length > 0 ? 1 : 0);
    if (size <= budget) {
      kept.push(conversation);
      budget -= size;
      continue;
    }
    if (kept.length === 0) kept.push(trimToFit(conversation, budget));
    break;
  }
  return kept;
}

function trimToFit(conversation: Conversation, budget: number): Conversation {
  const sizes = conversation.messages.map((message) => byteSize(message) + 1);
  let total = byteSize({ ...conversation, messages: [] }) + sizes.reduce((sum, size) => sum + size, 0);
  let start = 0;
  while (total > budget && start < sizes.length) total -= sizes[start++];
  return { ...conversation, messages: conversation.messages.slice(start) };
}
