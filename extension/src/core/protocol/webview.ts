// The one protocol between the extension and its webview views. The webview bundle compiles this file too, so it
// imports nothing but types.
import type { HostState } from "./host";

export type ToWebview = {
  kind: "hostState";
  state: HostState;
  modelConfigured: boolean;
  /** Pre-formatted detail lines for a ready host, so the webview does not duplicate the formatting. */
  details: string[];
};

export type FromWebview = { kind: "ready" } | { kind: "restartHost" } | { kind: "showLog" } | { kind: "chooseModel" };

const fromWebviewKinds: ReadonlySet<string> = new Set<FromWebview["kind"]>([
  "ready",
  "restartHost",
  "showLog",
  "chooseModel",
]);

/** Webview messages are untrusted input: narrow them before acting. */
export function isFromWebview(value: unknown): value is FromWebview {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    fromWebviewKinds.has((value as { kind: string }).kind)
  );
}

// ---- The chat view ----

/** What the webview may show of a Shield finding; the rest stays in the extension. */
export interface CodeFindingView {
  ruleId: string;
  cwe: string;
  severity: "block" | "warn";
  message: string;
}

/**
 * The Shield's word on one code block of an answer. `key` is codeKey() of the block the extension scanned: the webview
 * shows a block only when its own block at `index` has the same key.
 */
export interface CodeVerdictView {
  index: number;
  key: string;
  action: "show" | "withhold";
  findings: CodeFindingView[];
  /** Set when the scan itself failed (the block is withheld in block mode). */
  failure?: string;
}

/**
 * Llama Guard's word on a message. `checking`: an answer is streaming and its text so far is not checked yet.
 * `unsafe` and `notChecked` withhold an answer (the user may still reveal it) and stop a user message from being sent.
 */
export interface GuardVerdictView {
  state: "checking" | "safe" | "unsafe" | "notChecked";
  /** The categories as "S2 Non-Violent Crimes". */
  categories: string[];
  /** The banner's text; empty for checking and safe. */
  message: string;
}

export type ChatMessageStatus = "complete" | "streaming" | "stopped" | "error";

/** A retrieved chunk of workspace code that went into an answer's prompt, cited under the answer. */
export interface SourceView {
  /** "src/auth.ts:12" */
  label: string;
  /** Tooltip: the symbols it defines and its line range. */
  detail: string;
}

export interface ChatMessageView {
  id: string;
  role: "user" | "assistant";
  text: string;
  status: ChatMessageStatus;
  /** Labels of the context the user attached to this message. */
  attachments: string[];
  verdicts: CodeVerdictView[];
  /** On an answer: the workspace code retrieved for its question, in rank order. */
  sources?: SourceView[];
  error?: string;
  guard?: GuardVerdictView;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
}

export type MentionKind = "file" | "folder" | "symbol" | "problems" | "selection" | "changes";

export interface AttachmentChip {
  id: string;
  kind: MentionKind;
  label: string;
  /** Tooltip: the file path and line range. */
  detail: string;
  /** What the attachment costs of the model's context, estimated from its length. */
  tokens: number;
}

/** One choice in the @-mention list. */
export interface MentionItem {
  kind: MentionKind;
  label: string;
  detail: string;
  /** What attachMention sends back: a path, a symbol's name and path, "file" or "workspace" for problems. */
  value: string;
  /** Set for a choice that narrows the mention rather than attaching: the text that replaces the typed "@…". */
  complete?: string;
}

export interface TokenBudgetView {
  /** Tokens of the last prompt plus its answer, counted by the host's tokenizer; undefined before the first answer. */
  usedTokens?: number;
  contextSize?: number;
  /** Earliest messages left out of the model's context to fit the budget. */
  droppedMessages: number;
}

export type HostAvailability = "ready" | "starting" | "restarting" | "stopped" | "failed";

export type ChatToWebview =
  | {
      kind: "conversation";
      conversationId: string;
      title: string;
      messages: ChatMessageView[];
      budget: TokenBudgetView;
      busy: boolean;
    }
  | { kind: "conversationList"; conversations: ConversationSummary[]; activeId: string }
  | { kind: "messageAdded"; message: ChatMessageView }
  | { kind: "answerDelta"; messageId: string; text: string }
  | { kind: "codeVerdict"; messageId: string; verdict: CodeVerdictView }
  | { kind: "sources"; messageId: string; sources: SourceView[] }
  /** Whether questions bring workspace code (the retrieval switch). */
  | { kind: "retrieval"; enabled: boolean }
  | { kind: "guardVerdict"; messageId: string; verdict: GuardVerdictView }
  | { kind: "answerEnded"; messageId: string; status: ChatMessageStatus; error?: string }
  | { kind: "messageRemoved"; messageId: string }
  | { kind: "budget"; budget: TokenBudgetView }
  | { kind: "attachments"; chips: AttachmentChip[] }
  | { kind: "mentionMatches"; query: string; items: MentionItem[] }
  | { kind: "hostAvailability"; availability: HostAvailability; message: string }
  | { kind: "notice"; level: "info" | "warning" | "error"; text: string }
  | { kind: "restoreDraft"; text: string };

export type CodeAction = "copy" | "insert" | "apply" | "newFile";

export type ChatFromWebview =
  | { kind: "ready" }
  | { kind: "send"; text: string }
  /** The unsent text, kept by the extension so it survives the view being hidden (the webview is then discarded). */
  | { kind: "draftChanged"; text: string }
  | { kind: "stop" }
  | { kind: "regenerate" }
  | { kind: "newChat" }
  | { kind: "openConversation"; conversationId: string }
  | { kind: "renameConversation"; conversationId: string }
  | { kind: "deleteConversation"; conversationId: string }
  | { kind: "attachCurrentFile" }
  | { kind: "attachSelection" }
  /** What follows the "@" being typed, as typed: "app", "folder:src", "symbol:parse". */
  | { kind: "searchMentions"; query: string }
  | { kind: "attachMention"; mention: { kind: MentionKind; value: string } }
  | { kind: "removeAttachment"; attachmentId: string }
  | { kind: "codeAction"; action: CodeAction; messageId: string; index: number }
  | { kind: "openLink"; href: string }
  /** A cited source of an answer, by its place under the answer: the extension opens the file it knows, at the line. */
  | { kind: "openSource"; messageId: string; index: number }
  /** Leave a cited source out and answer the question again. */
  | { kind: "dropSource"; messageId: string; index: number }
  | { kind: "setRetrieval"; enabled: boolean };

/** Longest user message the view accepts; longer context belongs in attachments. */
export const maxChatInputLength = 100_000;
const maxIdLength = 100;
const maxPathLength = 4_096;

/** Messages arrive structured-cloned, so anything but a plain object is not one of ours. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isShortText(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length <= maxLength;
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxIdLength;
}

const mentionKinds: ReadonlySet<string> = new Set<MentionKind>([
  "file",
  "folder",
  "symbol",
  "problems",
  "selection",
  "changes",
]);

const namedMentionKinds: ReadonlySet<string> = new Set<MentionKind>(["file", "folder", "symbol"]);

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

const codeActions: ReadonlySet<string> = new Set<CodeAction>(["copy", "insert", "apply", "newFile"]);

/** Chat webview messages are untrusted input: every field is checked, not just `kind`. */
export function isChatFromWebview(value: unknown): value is ChatFromWebview {
  if (!isRecord(value) || typeof value.kind !== "string") return false;
  switch (value.kind) {
    case "ready":
    case "stop":
    case "regenerate":
    case "newChat":
    case "attachCurrentFile":
    case "attachSelection":
      return true;
    case "send":
      return isShortText(value.text, maxChatInputLength) && value.text.trim() !== "";
    case "draftChanged":
      return isShortText(value.text, maxChatInputLength);
    case "openConversation":
    case "renameConversation":
    case "deleteConversation":
      return isId(value.conversationId);
    case "searchMentions":
      return isShortText(value.query, maxPathLength);
    case "attachMention":
      return (
        isRecord(value.mention) &&
        typeof value.mention.kind === "string" &&
        mentionKinds.has(value.mention.kind) &&
        isShortText(value.mention.value, maxPathLength) &&
        // A file, a folder and a symbol are named; the other kinds take what the editor holds.
        (value.mention.value !== "" || !namedMentionKinds.has(value.mention.kind))
      );
    case "removeAttachment":
      return isId(value.attachmentId);
    case "codeAction":
      return (
        typeof value.action === "string" &&
        codeActions.has(value.action) &&
        isId(value.messageId) &&
        typeof value.index === "number" &&
        Number.isInteger(value.index) &&
        value.index >= 0
      );
    case "openLink":
      return isShortText(value.href, maxPathLength);
    case "openSource":
    case "dropSource":
      return isId(value.messageId) && isIndex(value.index);
    case "setRetrieval":
      return typeof value.enabled === "boolean";
    default:
      return false;
  }
}
