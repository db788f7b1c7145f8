// The chat view's UI. It holds no state of its own: the extension sends the conversation after every (re)load and keeps
// the unsent draft, so both survive the view being hidden and the window being reloaded. Neither setState nor
// retainContextWhenHidden is used: the extension has all of it already, and a retained hidden view costs memory for
// nothing. (The blank view after a reload in code-server was VS Code's own webview bootstrap; see test/e2e/chat.e2e.ts.)
import "@vscode/codicons/dist/codicon.css";
import "./chat.css";
import type {
  AttachmentChip,
  ChatFromWebview,
  ChatMessageView,
  ChatToWebview,
  ConversationSummary,
  HostAvailability,
  MentionItem,
  MentionKind,
  SourceView,
  TokenBudgetView,
} from "../../../extension/src/core/protocol/webview";
import { maxChatInputLength } from "../../../extension/src/core/protocol/webview";
import { mentionAt } from "../../../extension/src/core/chat/mentions";
import { AnswerView, renderGuardBanner } from "./render";

interface VsCodeApi {
  postMessage(message: ChatFromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const conversationSelect = byId<HTMLSelectElement>("conversation-select");
const messagesElement = byId<HTMLElement>("messages");
const emptyElement = byId<HTMLElement>("empty");
const hostBanner = byId<HTMLElement>("host-banner");
const noticeElement = byId<HTMLElement>("notice");
const budgetElement = byId<HTMLElement>("budget");
const chipsElement = byId<HTMLElement>("chips");
const retrievalSwitch = byId<HTMLInputElement>("retrieval");
const mentionList = byId<HTMLUListElement>("mentions");
const input = byId<HTMLTextAreaElement>("input");
const sendButton = byId<HTMLButtonElement>("send");
const stopButton = byId<HTMLButtonElement>("stop");
const regenerateButton = byId<HTMLButtonElement>("regenerate");

const answers = new Map<string, AnswerView>();
let busy = false;
let activeConversationId = "";
let mentionMatches: MentionItem[] = [];
let mentionSelected = 0;
let mentionQuery: string | undefined;

function post(message: ChatFromWebview): void {
  vscode.postMessage(message);
}

/** Follows the stream only while the user is at the bottom; reading further up is not interrupted. */
function nearBottom(): boolean {
  return messagesElement.scrollHeight - messagesElement.scrollTop - messagesElement.clientHeight < 40;
}

let stickToBottom = true;
messagesElement.addEventListener("scroll", () => {
  stickToBottom = nearBottom();
});

function scrollIfFollowing(): void {
  if (stickToBottom) messagesElement.scrollTop = messagesElement.scrollHeight;
}

function userMessageElement(message: ChatMessageView): HTMLElement {
  const node = element("div", "message user");
  node.dataset.message = message.id;
  if (message.attachments.length > 0) {
    const list = element("div", "message-attachments");
    for (const label of message.attachments) {
      const chip = element("span", "chip static");
      chip.append(element("span", "codicon codicon-file"), element("span", undefined, ` ${label}`));
      list.append(chip);
    }
    node.append(list);
  }
  node.append(element("div", "message-text", message.text), element("div", "guard-slot"));
  if (message.guard !== undefined) setUserGuard(node, message.guard);
  return node;
}

/** The workspace code an answer's prompt carried: each opens its file at the line, and can be dropped to ask again. */
function renderSources(messageId: string, sources: readonly SourceView[]): void {
  const answer = answers.get(messageId)?.element;
  if (answer === undefined) return;
  answer.querySelector(".message-sources")?.remove();
  if (sources.length === 0) return;
  const list = element("div", "message-sources");
  list.append(element("span", "sources-title", "Sources:"));
  sources.forEach((source, index) => {
    const chip = element("span", "chip source");
    const open = element("a", "source-link", source.label);
    open.title = `Open ${source.label} (${source.detail})`;
    open.setAttribute("role", "link");
    open.tabIndex = 0;
    open.dataset.message = messageId;
    open.dataset.openSource = String(index);
    const drop = element("button", "icon-button chip-remove");
    drop.type = "button";
    drop.title = "Leave this source out and ask again";
    drop.setAttribute("aria-label", `Leave ${source.label} out and ask again`);
    drop.dataset.message = messageId;
    drop.dataset.dropSource = String(index);
    drop.append(element("span", "codicon codicon-close"));
    chip.append(open, drop);
    list.append(chip);
  });
  answer.append(list);
}

function setUserGuard(node: Element, verdict: ChatMessageView["guard"]): void {
  const banner = verdict === undefined ? undefined : renderGuardBanner(verdict, undefined);
  node.querySelector(".guard-slot")?.replaceChildren(...(banner === undefined ? [] : [banner]));
}

function addMessage(message: ChatMessageView): void {
  if (message.role === "user") {
    messagesElement.append(userMessageElement(message));
  } else {
    const view = new AnswerView(message.id, message.text, message.status, message.verdicts, scrollIfFollowing);
    if (message.status === "error" || message.status === "stopped") view.finish(message.status, message.error);
    view.setGuard(message.guard);
    answers.set(message.id, view);
    messagesElement.append(view.element);
    renderSources(message.id, message.sources ?? []);
  }
  emptyElement.hidden = true;
  scrollIfFollowing();
}

function setBusy(value: boolean): void {
  busy = value;
  sendButton.hidden = value;
  stopButton.hidden = !value;
  regenerateButton.disabled =
    value || ![...messagesElement.children].some((child) => child.classList.contains("assistant"));
}

function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

function renderBudget(budget: TokenBudgetView): void {
  const used = budget.usedTokens === undefined ? "–" : formatCount(budget.usedTokens);
  const total = budget.contextSize === undefined ? "–" : formatCount(budget.contextSize);
  let text = `${used} / ${total} tokens`;
  if (budget.droppedMessages > 0) {
    text += ` · ${budget.droppedMessages} earlier message${budget.droppedMessages === 1 ? " is" : "s are"} left out of the model's context`;
  }
  budgetElement.textContent = text;
  budgetElement.classList.toggle("over", budget.droppedMessages > 0);
}

function renderList(conversations: ConversationSummary[], activeId: string): void {
  activeConversationId = activeId;
  conversationSelect.replaceChildren(
    ...conversations.map((conversation) => {
      const option = element("option", undefined, conversation.title);
      option.value = conversation.id;
      option.selected = conversation.id === activeId;
      return option;
    }),
  );
}

const chipIcons: Readonly<Record<MentionKind, string>> = {
  file: "codicon-file",
  folder: "codicon-folder",
  symbol: "codicon-symbol-method",
  problems: "codicon-warning",
  selection: "codicon-selection",
  changes: "codicon-git-compare",
};

function renderChips(chips: AttachmentChip[]): void {
  chipsElement.replaceChildren(
    ...chips.map((chip) => {
      const node = element("span", "chip");
      node.title = chip.detail;
      node.dataset.kind = chip.kind;
      node.append(
        element("span", `codicon ${chipIcons[chip.kind]}`),
        element("span", "chip-label", ` ${chip.label} `),
        element("span", "chip-tokens", `~${formatCount(chip.tokens)} tokens`),
      );
      const remove = element("button", "icon-button chip-remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${chip.label}`);
      remove.title = "Remove";
      remove.dataset.attachment = chip.id;
      remove.append(element("span", "codicon codicon-close"));
      node.append(remove);
      return node;
    }),
  );
  chipsElement.hidden = chips.length === 0;
}

const availabilityText: Record<HostAvailability, string> = {
  ready: "",
  starting: "The inference host is starting; your message waits for it.",
  restarting: "The inference host stopped and is restarting; your message waits for it.",
  stopped: "The inference host is stopped; sending a message starts it.",
  failed: "The inference host is not available.",
};

function renderHost(availability: HostAvailability, message: string): void {
  const text = availability === "failed" ? `${availabilityText.failed} ${message}` : availabilityText[availability];
  hostBanner.textContent = text;
  hostBanner.hidden = text === "";
  hostBanner.className = `banner ${availability === "failed" ? "error" : "info"}`;
}

function showNotice(level: "info" | "warning" | "error", text: string): void {
  noticeElement.textContent = text;
  noticeElement.className = `banner ${level}`;
  noticeElement.hidden = false;
}

function resetConversation(messages: ChatMessageView[]): void {
  answers.clear();
  messagesElement.replaceChildren();
  for (const message of messages) addMessage(message);
  emptyElement.hidden = messages.length > 0;
  stickToBottom = true;
  scrollIfFollowing();
}

function onMessage(message: ChatToWebview): void {
  switch (message.kind) {
    case "conversation":
      resetConversation(message.messages);
      renderBudget(message.budget);
      setBusy(message.busy);
      break;
    case "conversationList":
      renderList(message.conversations, message.activeId);
      break;
    case "messageAdded":
      addMessage(message.message);
      if (message.message.status === "streaming") setBusy(true);
      break;
    case "answerDelta":
      answers.get(message.messageId)?.append(message.text);
      break;
    case "codeVerdict":
      answers.get(message.messageId)?.setVerdict(message.verdict);
      break;
    case "sources":
      renderSources(message.messageId, message.sources);
      scrollIfFollowing();
      break;
    case "retrieval":
      retrievalSwitch.checked = message.enabled;
      break;
    case "guardVerdict": {
      const answer = answers.get(message.messageId);
      if (answer !== undefined) answer.setGuard(message.verdict);
      else {
        const node = messagesElement.querySelector(`.message.user[data-message="${CSS.escape(message.messageId)}"]`);
        if (node !== null) setUserGuard(node, message.verdict);
      }
      scrollIfFollowing();
      break;
    }
    case "answerEnded":
      answers.get(message.messageId)?.finish(message.status, message.error);
      setBusy(false);
      scrollIfFollowing();
      break;
    case "messageRemoved":
      messagesElement.querySelector(`[data-message="${CSS.escape(message.messageId)}"]`)?.remove();
      answers.delete(message.messageId);
      setBusy(false);
      emptyElement.hidden = messagesElement.children.length > 0;
      break;
    case "budget":
      renderBudget(message.budget);
      break;
    case "attachments":
      renderChips(message.chips);
      break;
    case "mentionMatches":
      if (message.query === mentionQuery) showMentions(message.items);
      break;
    case "hostAvailability":
      renderHost(message.availability, message.message);
      break;
    case "notice":
      showNotice(message.level, message.text);
      break;
    case "restoreDraft":
      if (input.value.trim() === "") {
        input.value = message.text;
      }
      input.focus();
      break;
  }
}

function send(): void {
  const text = input.value;
  if (busy || text.trim() === "") return;
  noticeElement.hidden = true;
  post({ kind: "send", text });
  input.value = "";
  reportDraft();
  stickToBottom = true;
}

// ---- @ mentions: "@part" before the cursor asks the extension for the kinds, files, folders or symbols it matches ----

/** The mention before the cursor, with `typed`: everything after its "@", as the extension's search takes it. */
function mentionBeforeCursor(): { start: number; typed: string } | undefined {
  const before = input.value.slice(0, input.selectionStart);
  const mention = mentionAt(before);
  return mention === undefined ? undefined : { start: mention.start, typed: before.slice(mention.start + 1) };
}

function searchMentions(): void {
  const mention = mentionBeforeCursor();
  if (mention === undefined) {
    hideMentions();
    return;
  }
  mentionQuery = mention.typed;
  post({ kind: "searchMentions", query: mention.typed });
}

function hideMentions(): void {
  mentionQuery = undefined;
  mentionMatches = [];
  mentionList.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
}

function showMentions(items: MentionItem[]): void {
  mentionMatches = items;
  mentionSelected = 0;
  mentionList.replaceChildren(
    ...items.map((mention, index) => {
      const item = element("li", "mention");
      item.append(
        element("span", `codicon ${chipIcons[mention.kind]}`),
        element("span", "mention-label", ` ${mention.label}`),
        element("span", "mention-detail", ` ${mention.detail}`),
      );
      item.title = mention.detail;
      item.id = `mention-${index}`;
      item.setAttribute("role", "option");
      item.dataset.index = String(index);
      return item;
    }),
  );
  mentionList.hidden = items.length === 0;
  input.setAttribute("aria-expanded", String(items.length > 0));
  highlightMention();
}

function highlightMention(): void {
  for (const item of mentionList.children)
    item.setAttribute("aria-selected", String(Number((item as HTMLElement).dataset.index) === mentionSelected));
  if (mentionMatches.length > 0) input.setAttribute("aria-activedescendant", `mention-${mentionSelected}`);
}

/** A kind that needs an argument (`@folder:`) goes into the input and searches on; anything else is attached. */
function pickMention(index: number): void {
  const picked = mentionMatches[index];
  const mention = mentionBeforeCursor();
  if (picked === undefined || mention === undefined) return;
  const replacement = picked.complete ?? "";
  input.value = input.value.slice(0, mention.start) + replacement + input.value.slice(input.selectionStart);
  input.selectionStart = input.selectionEnd = mention.start + replacement.length;
  if (picked.complete !== undefined) {
    searchMentions();
    return;
  }
  post({ kind: "attachMention", mention: { kind: picked.kind, value: picked.value } });
  hideMentions();
}

let draftTimer: ReturnType<typeof setTimeout> | undefined;
function reportDraft(): void {
  if (draftTimer !== undefined) clearTimeout(draftTimer);
  draftTimer = setTimeout(() => post({ kind: "draftChanged", text: input.value.slice(0, maxChatInputLength) }), 300);
}

input.addEventListener("input", () => {
  reportDraft();
  searchMentions();
});

input.addEventListener("keydown", (event) => {
  if (!mentionList.hidden && mentionMatches.length > 0) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      mentionSelected = (mentionSelected + step + mentionMatches.length) % mentionMatches.length;
      highlightMention();
      return;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pickMention(mentionSelected);
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      hideMentions();
      return;
    }
  }
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});

mentionList.addEventListener("mousedown", (event) => {
  const item = (event.target as HTMLElement).closest<HTMLElement>("li.mention");
  if (item === null) return;
  event.preventDefault();
  pickMention(Number(item.dataset.index));
});

sendButton.addEventListener("click", send);
stopButton.addEventListener("click", () => post({ kind: "stop" }));
regenerateButton.addEventListener("click", () => post({ kind: "regenerate" }));
byId<HTMLButtonElement>("new-chat").addEventListener("click", () => post({ kind: "newChat" }));
byId<HTMLButtonElement>("rename-chat").addEventListener("click", () =>
  post({ kind: "renameConversation", conversationId: activeConversationId }),
);
byId<HTMLButtonElement>("delete-chat").addEventListener("click", () =>
  post({ kind: "deleteConversation", conversationId: activeConversationId }),
);
byId<HTMLButtonElement>("attach-file").addEventListener("click", () => post({ kind: "attachCurrentFile" }));
byId<HTMLButtonElement>("attach-selection").addEventListener("click", () => post({ kind: "attachSelection" }));
conversationSelect.addEventListener("change", () =>
  post({ kind: "openConversation", conversationId: conversationSelect.value }),
);
chipsElement.addEventListener("click", (event) => {
  const button = (event.target as HTMLElement).closest<HTMLElement>("[data-attachment]");
  if (button?.dataset.attachment !== undefined)
    post({ kind: "removeAttachment", attachmentId: button.dataset.attachment });
});

retrievalSwitch.addEventListener("change", () => post({ kind: "setRetrieval", enabled: retrievalSwitch.checked }));

function activateInMessages(target: HTMLElement): boolean {
  const source = target.closest<HTMLElement>("[data-open-source], [data-drop-source]");
  if (source !== null) {
    const messageId = source.dataset.message ?? "";
    if (source.dataset.openSource !== undefined)
      post({ kind: "openSource", messageId, index: Number(source.dataset.openSource) });
    else if (!busy) post({ kind: "dropSource", messageId, index: Number(source.dataset.dropSource) });
    return true;
  }
  const link = target.closest<HTMLElement>("a[data-href]");
  if (link !== null) {
    post({ kind: "openLink", href: link.dataset.href ?? "" });
    return true;
  }
  const guardReveal = target.closest<HTMLElement>("[data-guard-reveal]");
  if (guardReveal !== null) {
    answers.get(guardReveal.dataset.guardReveal ?? "")?.revealGuarded();
    return true;
  }
  const reveal = target.closest<HTMLElement>("[data-reveal]");
  if (reveal !== null) {
    answers.get(reveal.dataset.message ?? "")?.reveal(Number(reveal.dataset.reveal));
    return true;
  }
  const action = target.closest<HTMLElement>("[data-action]");
  if (action !== null) {
    const kind = action.dataset.action;
    if (kind === "copy" || kind === "insert" || kind === "apply" || kind === "newFile") {
      post({
        kind: "codeAction",
        action: kind,
        messageId: action.dataset.message ?? "",
        index: Number(action.dataset.block),
      });
    }
    return true;
  }
  return false;
}

messagesElement.addEventListener("click", (event) => {
  if (activateInMessages(event.target as HTMLElement)) event.preventDefault();
});
// Links are spans with role=link, so Enter must do what a click does.
messagesElement.addEventListener("keydown", (event) => {
  if (
    event.key === "Enter" &&
    (event.target as HTMLElement).matches("a[data-href], a[data-open-source]") &&
    activateInMessages(event.target as HTMLElement)
  ) {
    event.preventDefault();
  }
});

window.addEventListener("message", (event: MessageEvent<ChatToWebview>) => onMessage(event.data));
setBusy(false);
post({ kind: "ready" });
