// Turning hostile model output into inert DOM: markdown-it (raw HTML off) renders, DOMPurify keeps only a short list of
// tags and attributes, links lose their href, images become placeholders and code goes in as text or highlighted spans.
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/common";
import type { Token } from "markdown-it";
import type {
  ChatMessageStatus,
  CodeVerdictView,
  GuardVerdictView,
} from "../../../extension/src/core/protocol/webview";
import {
  type CodeBlock,
  codeBlocksOf,
  createChatMarkdown,
  stripControlCharacters,
} from "../../../extension/src/core/chat/markdown";

const markdown = createChatMarkdown();

interface RenderEnv {
  /** Index of the first code block in this piece of the answer. */
  firstBlock: number;
  blocks: number;
}

markdown.renderer.rules.fence = (_tokens, _index, _options, env: RenderEnv) => codeSlot(env);
markdown.renderer.rules.code_block = (_tokens, _index, _options, env: RenderEnv) => codeSlot(env);

function codeSlot(env: RenderEnv): string {
  const index = env.firstBlock + env.blocks++;
  return `<div class="code-slot" data-block="${index}"></div>`;
}

// The CSP would block a remote image anyway; a placeholder says what was there without fetching anything.
markdown.renderer.rules.image = (tokens, index) => {
  const token = tokens[index];
  const alt = markdown.utils.escapeHtml(token.content || "image");
  const source = markdown.utils.escapeHtml(token.attrGet("src") ?? "");
  return `<span class="image-placeholder" title="${source}">[image: ${alt}]</span>`;
};

// Links carry their target as data only; a click asks the extension, which decides what may open.
markdown.renderer.rules.link_open = (tokens, index) => {
  const href = markdown.utils.escapeHtml(tokens[index].attrGet("href") ?? "");
  return `<a class="chat-link" data-href="${href}" title="${href}" tabindex="0" role="link">`;
};

const allowedTags = [
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "em",
  "s",
  "code",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "span",
  "div",
];
const allowedAttributes = ["class", "data-href", "data-block", "title", "start", "tabindex", "role"];

/** Sanitised DOM for markdown HTML; the only way model text becomes markup. */
export function sanitize(html: string): DocumentFragment {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: allowedAttributes,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
}

/** Bigger blocks are shown as plain text: highlighting them would freeze the view for seconds. */
const maxHighlightedLength = 100_000;

function highlighted(code: string, info: string): DocumentFragment | Text {
  const language = info.split(/\s+/)[0]?.toLowerCase() ?? "";
  if (code.length > maxHighlightedLength || language === "" || hljs.getLanguage(language) === undefined)
    return document.createTextNode(code);
  const html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ["span"], ALLOWED_ATTR: ["class"], RETURN_DOM_FRAGMENT: true });
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

function iconButton(icon: string, label: string, dataset: Record<string, string>): HTMLButtonElement {
  const button = element("button", "icon-button");
  button.type = "button";
  button.title = label;
  button.setAttribute("aria-label", label);
  button.append(element("span", `codicon codicon-${icon}`));
  for (const [key, value] of Object.entries(dataset)) button.dataset[key] = value;
  return button;
}

function lineCount(code: string): number {
  const body = code.endsWith("\n") ? code.slice(0, -1) : code;
  return body === "" ? 0 : body.split("\n").length;
}

/** A code block in one of its states: still streaming, waiting for the Shield, shown, or withheld. */
export function renderCodeBlock(
  messageId: string,
  block: CodeBlock,
  verdict: CodeVerdictView | undefined,
  revealed: boolean,
): HTMLElement {
  const container = element("div", "code-block");
  container.dataset.block = String(block.index);
  const language = block.info.split(/\s+/)[0] ?? "";
  if (!block.closed || verdict === undefined || verdict.key !== block.key) {
    container.classList.add("pending");
    const lines = lineCount(block.code);
    const status = element(
      "div",
      "code-pending",
      block.closed
        ? `Checking ${language || "code"} with the Shield…`
        : `Writing ${language || "code"}… ${lines} line${lines === 1 ? "" : "s"}`,
    );
    status.setAttribute("role", "status");
    container.append(status);
    return container;
  }
  const header = element("div", "code-header");
  header.append(element("span", "code-language", language || "code"));
  const actions = element("div", "code-actions");
  const data = { action: "", message: messageId, block: String(block.index) };
  actions.append(
    iconButton("copy", "Copy", { ...data, action: "copy" }),
    iconButton("insert", "Insert at cursor", { ...data, action: "insert" }),
    iconButton("diff", "Apply", { ...data, action: "apply" }),
    iconButton("new-file", "New file", { ...data, action: "newFile" }),
  );
  header.append(actions);
  container.append(header);

  for (const finding of verdict.findings) {
    const banner = element("div", `shield-banner ${finding.severity}`);
    banner.setAttribute("role", "alert");
    banner.append(element("span", `codicon codicon-${finding.severity === "block" ? "error" : "warning"}`));
    banner.append(element("span", undefined, ` ${finding.ruleId} (${finding.cwe}): ${finding.message}`));
    container.append(banner);
  }
  if (verdict.failure !== undefined) {
    const banner = element("div", "shield-banner block", verdict.failure);
    banner.setAttribute("role", "alert");
    container.append(banner);
  }
  if (verdict.action === "withhold" && !revealed) {
    container.classList.add("withheld");
    const reveal = element("button", "reveal-button", "Show anyway");
    reveal.type = "button";
    reveal.dataset.reveal = String(block.index);
    reveal.dataset.message = messageId;
    container.append(
      element("p", "withheld-note", `The Shield withheld this code (${lineCount(block.code)} lines).`),
      reveal,
    );
    return container;
  }
  const pre = element("pre");
  const code = element("code", language === "" ? "hljs" : `hljs language-${language}`);
  code.append(highlighted(block.code, block.info));
  pre.append(code);
  pre.tabIndex = 0;
  pre.setAttribute("aria-label", `${language || "code"} block`);
  container.append(pre);
  return container;
}

/** Llama Guard's banner: the message names the categories; withheld answers get a button to show them anyway. */
export function renderGuardBanner(
  verdict: GuardVerdictView,
  revealAnswer: string | undefined,
): HTMLElement | undefined {
  if (verdict.state === "safe") return undefined;
  if (verdict.state === "checking") {
    const note = element("div", "guard-note", "Not checked by Llama Guard yet…");
    note.setAttribute("role", "status");
    return note;
  }
  const banner = element("div", "guard-banner shield-banner block");
  banner.setAttribute("role", "alert");
  banner.append(element("span", "codicon codicon-shield"), element("span", undefined, ` ${verdict.message}`));
  if (revealAnswer !== undefined) {
    const reveal = element("button", "reveal-button", "Show anyway");
    reveal.type = "button";
    reveal.dataset.guardReveal = revealAnswer;
    banner.append(reveal);
  }
  return banner;
}

/** Reference-style link definitions by normalised label, as markdown-it keeps them in its parse env. */
type LinkReferences = Record<string, { href: string; title: string }>;

/** A part of an answer rendered into its own element, with its code blocks, which it fills into their slots. */
interface RenderedPart {
  element: HTMLElement;
  blocks: CodeBlock[];
  /** The definitions known after this part: the ones it was given, then its own. */
  references: LinkReferences;
}

/** A finished part: its text and first block, to render it again when a later link definition applies to it. */
interface FrozenPart extends RenderedPart {
  text: string;
  firstBlock: number;
}

/** How far a streaming tail may grow with no block boundary before it is cut at a line end anyway. */
const maxTailLength = 32_000;

/**
 * How much of a line that is still being written is rendered as markdown while it streams; the rest of it shows as
 * plain text, appended as it comes, until the line ends or the answer does. A line of megabytes would otherwise be
 * parsed again on every frame, and the cost would grow with the square of its length.
 */
const maxOpenLineRendered = 8_192;

/** The longest piece of held text one element shows. */
const maxHeldSegment = 4_096;

/** Elements that hold a block's text: where the plain-text rest of a long open line goes. */
const textBlockTags = new Set(["P", "LI", "H1", "H2", "H3", "H4", "H5", "H6", "TD", "TH", "BLOCKQUOTE", "UL", "OL"]);

/**
 * An assistant answer that grows token by token. Finished top-level blocks are frozen into their own elements and
 * never parsed again (unless a later reference-style link definition applies to them); only the tail after the last
 * block boundary is re-rendered, at most once per animation frame. A very long open line is rendered up to
 * maxOpenLineRendered and its rest appended as text, so each frame costs what arrived since the last one.
 */
export class AnswerView {
  readonly element: HTMLElement;
  private readonly content: HTMLElement;
  private readonly tailElement: HTMLElement;
  private readonly statusElement: HTMLElement;
  private readonly frozen: FrozenPart[] = [];
  private frozenBlocks = 0;
  /** The definitions in the frozen parts, in document order: the first definition of a label wins, as in markdown. */
  private frozenReferences: LinkReferences = {};
  /** The definitions the frozen parts were last rendered with, as JSON. */
  private frozenRenderedWith = "{}";
  private tail = "";
  /** Where the tail's last line starts. */
  private openLineStart = 0;
  /** Whether the tail changed since it was last rendered. */
  private tailChanged = true;
  /** The rest of a long open line, held out of the markdown while it streams, in the pieces it came in. */
  private held: string[] = [];
  /** How many of the held pieces are shown. */
  private heldShown = 0;
  /** Where the held text is shown (null: nowhere), and its last segment; both go when the tail renders again. */
  private heldHost: Element | null | undefined;
  private heldSegment: Text | undefined;
  private tailBlocks: CodeBlock[] = [];
  private readonly verdicts = new Map<number, CodeVerdictView>();
  private readonly revealed = new Set<number>();
  /** Filled code elements by block index, reused while their block and verdict stay the same. */
  private readonly codeElements = new Map<
    number,
    { key: string; verdict: CodeVerdictView | undefined; closed: boolean; revealed: boolean; node: HTMLElement }
  >();
  private frame: number | undefined;
  private streaming: boolean;
  private readonly guardElement: HTMLElement;
  private guard: GuardVerdictView | undefined;
  private guardRevealed = false;

  constructor(
    readonly messageId: string,
    text: string,
    status: ChatMessageStatus,
    verdicts: readonly CodeVerdictView[],
    private readonly onRendered: () => void = () => undefined,
  ) {
    this.element = element("div", "message assistant");
    this.element.dataset.message = messageId;
    this.content = element("div", "message-content");
    this.tailElement = element("div", "tail");
    this.statusElement = element("div", "message-status");
    this.guardElement = element("div", "guard-slot");
    this.content.append(this.tailElement);
    this.element.append(this.guardElement, this.content, this.statusElement);
    for (const verdict of verdicts) this.verdicts.set(verdict.index, verdict);
    this.streaming = status === "streaming";
    this.appendText(text);
    this.render();
    this.setStatus(status);
  }

  append(text: string): void {
    this.appendText(text);
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  private appendText(raw: string): void {
    const text = stripControlCharacters(raw);
    if (text === "") return;
    const newline = text.lastIndexOf("\n");
    if (this.held.length > 0) {
      if (newline < 0) {
        this.held.push(text);
        return;
      }
      // The long line ends: it goes back into the markdown, and the held text node goes with the next render.
      this.tail += this.held.join("");
      this.held = [];
      this.heldShown = 0;
    }
    if (newline >= 0) this.openLineStart = this.tail.length + newline + 1;
    this.tail += text;
    this.tailChanged = true;
    const heldFrom = this.openLineStart + maxOpenLineRendered;
    if (this.streaming && this.tail.length > heldFrom) {
      this.held.push(this.tail.slice(heldFrom));
      this.tail = this.tail.slice(0, heldFrom);
    }
  }

  setVerdict(verdict: CodeVerdictView): void {
    this.verdicts.set(verdict.index, verdict);
    this.fillSlots(this.element);
  }

  /** Unsafe or unchecked answers are hidden behind the banner until the user reveals them. */
  setGuard(verdict: GuardVerdictView | undefined): void {
    this.guard = verdict;
    const withheld =
      verdict !== undefined && (verdict.state === "unsafe" || verdict.state === "notChecked") && !this.guardRevealed;
    this.content.hidden = withheld;
    this.element.classList.toggle("guard-withheld", withheld);
    const banner =
      verdict === undefined ? undefined : renderGuardBanner(verdict, withheld ? this.messageId : undefined);
    this.guardElement.replaceChildren(...(banner === undefined ? [] : [banner]));
  }

  revealGuarded(): void {
    this.guardRevealed = true;
    this.setGuard(this.guard);
  }

  reveal(index: number): void {
    this.revealed.add(index);
    this.fillSlots(this.element);
  }

  finish(status: ChatMessageStatus, error?: string): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.streaming = false;
    // The whole answer is markdown now, rendered as history renders it.
    this.tail += this.held.join("");
    this.held = [];
    this.heldShown = 0;
    this.tailChanged = true;
    this.render();
    this.setStatus(status, error);
  }

  /** Renders now what is pending; the benchmark and tests use it to measure without waiting for a frame. */
  flush(): void {
    if (this.frame === undefined) return;
    cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.render();
  }

  private setStatus(status: ChatMessageStatus, error?: string): void {
    this.element.dataset.status = status;
    const text =
      status === "stopped" ? "Stopped." : status === "error" ? `The answer broke off: ${error ?? "unknown error"}` : "";
    this.statusElement.textContent = text;
    this.statusElement.hidden = text === "";
  }

  private render(): void {
    if (this.tailChanged) {
      this.tailChanged = false;
      this.freezeFinishedBlocks();
      const part = this.renderPart(this.tail, this.frozenBlocks, !this.streaming, this.frozenReferences);
      this.tailBlocks = part.blocks;
      this.tailElement.replaceChildren(...part.element.childNodes);
      this.fillSlots(this.tailElement);
      this.renderFrozenWith(part.references);
      this.heldHost = undefined;
      this.heldSegment = undefined;
    }
    this.showHeld();
    this.onRendered();
  }

  /**
   * Appends the held pieces that arrived since the last frame. They go in segments of their own (blocks, see
   * chat.css), each at most maxHeldSegment long: a frame then lays out one segment, where one text node growing
   * inside the paragraph made the browser lay out the whole line again on every frame.
   */
  private showHeld(): void {
    if (this.heldShown === this.held.length) return;
    const text = this.held.slice(this.heldShown).join("");
    this.heldShown = this.held.length;
    this.heldHost ??= this.heldHostElement();
    if (this.heldHost === null) return;
    for (let at = 0; at < text.length;) {
      if (this.heldSegment === undefined || this.heldSegment.length >= maxHeldSegment) {
        this.heldSegment = document.createTextNode("");
        const span = element("span", "open-line");
        span.append(this.heldSegment);
        this.heldHost.append(span);
      }
      const room = maxHeldSegment - this.heldSegment.length;
      this.heldSegment.appendData(text.slice(at, at + room));
      at += room;
    }
  }

  /** The block the open line belongs to; null in a code block still being written, which shows no code yet. */
  private heldHostElement(): Element | null {
    let host: Element = this.tailElement;
    while (host.lastElementChild !== null && textBlockTags.has(host.lastElementChild.tagName))
      host = host.lastElementChild;
    return host === this.tailElement && this.tailElement.lastElementChild !== null ? null : host;
  }

  /**
   * A reference-style link may be defined after the text that uses it, as history renders it from the whole answer:
   * when the definitions known change, the frozen parts are rendered again with them.
   */
  private renderFrozenWith(references: LinkReferences): void {
    const key = JSON.stringify(references);
    if (key === this.frozenRenderedWith) return;
    this.frozenRenderedWith = key;
    for (const part of this.frozen) {
      const fresh = this.renderPart(part.text, part.firstBlock, true, references);
      part.element.replaceChildren(...fresh.element.childNodes);
      this.fillSlots(part.element);
    }
  }

  private freezeFinishedBlocks(): void {
    if (!this.streaming) return;
    const lines = this.tail.split("\n");
    const tokens = markdown.parse(this.tail, {});
    let cut = -1;
    for (const token of tokens) {
      if (token.level !== 0 || token.map === null || (token.nesting !== 1 && token.nesting !== 0)) continue;
      const start = token.map[0];
      // Cut only before a block that starts a fresh line after a blank one: there, parsing the parts separately
      // gives the same result as parsing the whole (link definitions aside, which renderFrozenWith covers).
      if (start > 0 && lines[start - 1].trim() === "" && /^\S/.test(lines[start] ?? "")) cut = start;
    }
    if (cut < 0 && this.tail.length > maxTailLength && endsInParagraph(tokens)) cut = lines.length - 1;
    if (cut <= 0) return;
    const text = lines.slice(0, cut).join("\n");
    const part = this.renderPart(text, this.frozenBlocks, true, this.frozenReferences);
    this.frozen.push({ ...part, text, firstBlock: this.frozenBlocks });
    this.frozenBlocks += part.blocks.length;
    this.frozenReferences = part.references;
    this.content.insertBefore(part.element, this.tailElement);
    this.fillSlots(part.element);
    this.tail = lines.slice(cut).join("\n");
    this.openLineStart = this.tail.lastIndexOf("\n") + 1;
  }

  /** `references` are the definitions before this text; markdown-it keeps the first definition of a label. */
  private renderPart(text: string, firstBlock: number, complete: boolean, references: LinkReferences): RenderedPart {
    const parseEnv: { references: LinkReferences } = { references: { ...references } };
    const tokens = markdown.parse(text, parseEnv);
    const blocks = codeBlocksOf(tokens, text.split("\n"), complete, firstBlock);
    const env: RenderEnv = { firstBlock, blocks: 0 };
    const part = element("div", "part");
    part.append(sanitize(markdown.renderer.render(tokens, markdown.options, env)));
    return { element: part, blocks, references: parseEnv.references };
  }

  private blockAt(index: number): CodeBlock | undefined {
    if (index >= this.frozenBlocks) return this.tailBlocks[index - this.frozenBlocks];
    for (const part of this.frozen) {
      const block = part.blocks.find((candidate) => candidate.index === index);
      if (block !== undefined) return block;
    }
    return undefined;
  }

  private fillSlots(root: HTMLElement): void {
    for (const slot of root.querySelectorAll<HTMLElement>(".code-slot")) {
      const index = Number(slot.dataset.block);
      const block = this.blockAt(index);
      if (block === undefined) continue;
      const verdict = this.verdicts.get(index);
      const revealed = this.revealed.has(index);
      const cached = this.codeElements.get(index);
      let node: HTMLElement;
      if (
        cached !== undefined &&
        cached.key === block.key &&
        cached.verdict === verdict &&
        cached.closed === block.closed &&
        cached.revealed === revealed
      ) {
        node = cached.node;
      } else {
        node = renderCodeBlock(this.messageId, block, verdict, revealed);
        this.codeElements.set(index, { key: block.key, verdict, closed: block.closed, revealed, node });
      }
      if (slot.firstChild !== node) slot.replaceChildren(node);
    }
  }
}

/** Only a paragraph may be cut mid-way (it goes on as a new one); cutting a code block would change its code. */
function endsInParagraph(tokens: readonly Token[]): boolean {
  const lastTopLevel = tokens.findLast((token) => token.level === 0 && token.nesting !== -1);
  return lastTopLevel?.type === "paragraph_open";
}
