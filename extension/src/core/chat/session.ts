// The chat's controller: conversations, streaming answers from the host, Shield verdicts on code blocks and the token
// budget. Plain logic with its effects injected, so the integration test and the benchmark drive the real thing.
import type { ChatParams, GenerationResult } from "../protocol/host";
import type { GuardMode } from "../guard/chatGuard";
import { AnswerCheckpoints } from "../guard/checkpoints";
import { type GuardOutcome, answerMessage, categoryLabels, promptMessage } from "../guard/decision";
import type {
  ChatMessageView,
  GuardVerdictView,
  ChatToWebview,
  CodeFindingView,
  CodeVerdictView,
  ConversationSummary,
  SourceView,
  TokenBudgetView,
} from "../protocol/webview";
import {
  answerReserve,
  calibrateCharsPerToken,
  defaultCharsPerToken,
  estimateTokens,
  fitInRoom,
  planBudget,
  tokensPerTurn,
} from "./budget";
import {
  type Conversation,
  type StoredAttachment,
  type StoredMessage,
  type StoredSource,
  chatTurnsOf,
  sourceText,
  sourcesHeading,
  systemPrompt,
  titleFrom,
  userTurnText,
} from "./conversation";
import { type HistoryLimits, boundHistory } from "./history";
import {
  type CodeBlock,
  blockLanguageId,
  createChatMarkdown,
  extractCodeBlocks,
  stripControlCharacters,
} from "./markdown";

export interface CodeScan {
  action: "show" | "withhold";
  findings: CodeFindingView[];
  failure?: string;
}

export interface ChatSessionDependencies {
  chat(params: ChatParams, onChunk: (text: string) => void, signal: AbortSignal): Promise<GenerationResult>;
  /** The chat model's context size once the host is ready. */
  contextSize(): number | undefined;
  /** Each text's length in the chat model's tokens; undefined where the backend cannot count (then it is estimated). */
  countTokens(texts: string[]): Promise<number[] | undefined>;
  /** The Shield gate for one code block; `languageId` undefined when nothing says what language it is. */
  scanCode(code: string, languageId: string | undefined): CodeScan;
  post(message: ChatToWebview): void;
  /** The workspace code that best matches a question, best first (workspace retrieval). */
  retrieve(question: string): Promise<StoredSource[]>;
  /** Llama Guard: absent, or in mode "off", nothing is checked. */
  guard?: ChatSessionGuard;
  persist(conversations: readonly Conversation[]): void;
  newId(): string;
  now(): number;
}

/** The guard as the chat uses it (core/guard/chatGuard.ts). */
export interface ChatSessionGuard {
  readonly mode: GuardMode;
  checkPrompt(userText: string, signal: AbortSignal): Promise<GuardOutcome>;
  checkAnswer(userText: string, answerText: string, signal: AbortSignal): Promise<GuardOutcome>;
}

export interface ChatSessionOptions {
  maxAnswerTokens: number;
  temperature: number;
  limits: HistoryLimits;
  /** Whether a new question brings the workspace code that matches it. */
  retrieval: boolean;
}

export interface CodeBlockForAction {
  code: string;
  languageId: string | undefined;
  scan: CodeScan;
  /** Absolute paths of the workspace code cited under the answer: where Apply also looks for the definition. */
  citedPaths: string[];
}

/** Retrieved code gets at most this share of the room a question leaves in the context: history matters too. */
const sourcesShareOfRoom = 0.5;
/** Before the host first reports its context size, a question brings at most this many chunks. */
const sourcesWithoutContextSize = 3;

/** When the context is exceeded anyway, retry with a more pessimistic token estimate this many times. */
const maxBudgetRetries = 2;
/** Fence lines can close a block; only lines like these make a streaming answer worth re-parsing. */
const fenceLine = /(^|\n)[ \t]*(```|~~~)/;

interface ActiveAnswer {
  conversation: Conversation;
  message: StoredMessage;
  controller: AbortController;
  /** Blocks scanned so far, in order; their verdicts have been posted. */
  scannedBlocks: number;
  /** How much of the text has been looked at for fence lines. */
  checkedLength: number;
  /** With answers guarded: where paragraphs and code blocks end, and the guard's progress through them. */
  guard?: AnswerGuard;
}

interface AnswerGuard {
  question: string;
  checkpoints: AnswerCheckpoints;
  /** The end of the text the guard has passed as safe. */
  checkedUpTo: number;
  /** The newest checkpoint waiting for a check; a check in flight takes the newest when it is done. */
  pendingUpTo: number;
  running: Promise<void> | undefined;
  /** Set once a check did not pass: the answer is withheld and generation stopped. */
  held?: GuardOutcome;
}

function guardView(outcome: GuardOutcome, message: string | undefined): GuardVerdictView {
  return {
    state: outcome.state,
    categories: outcome.state === "unsafe" ? categoryLabels(outcome.categories) : [],
    message: message ?? "",
  };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sourceView(source: StoredSource): SourceView {
  const lines = `lines ${source.startLine + 1}-${source.endLine + 1}`;
  return {
    label: source.label,
    detail: source.symbols.length > 0 ? `${source.symbols.join(" in ")}, ${lines}` : lines,
  };
}

export class ChatSession {
  private conversations: Conversation[];
  private active: Conversation;
  private answer: ActiveAnswer | undefined;
  private charsPerToken = defaultCharsPerToken;
  private droppedMessages = 0;
  private readonly markdown = createChatMarkdown();
  /** Verdicts per answer text; scanning is cheap, but a 200-turn history is rescanned only when it changes. */
  private readonly verdictCache = new WeakMap<StoredMessage, { text: string; verdicts: CodeVerdictView[] }>();

  constructor(
    private readonly deps: ChatSessionDependencies,
    conversations: readonly Conversation[],
    /** Read at each use, so changed settings apply to the next answer. */
    private readonly options: () => ChatSessionOptions,
  ) {
    this.conversations = [...conversations].sort((a, b) => b.updatedAt - a.updatedAt);
    this.active = this.conversations[0] ?? this.createConversation();
  }

  get busy(): boolean {
    return this.answer !== undefined;
  }

  get activeConversationId(): string {
    return this.active.id;
  }

  /** Everything the webview needs after it (re)loads. */
  postState(): void {
    this.deps.post({
      kind: "conversation",
      conversationId: this.active.id,
      title: this.active.title,
      messages: this.active.messages.map((message) => this.viewOf(message)),
      budget: this.budgetView(),
      busy: this.busy,
    });
    this.postList();
  }

  /** Starts an answer to `text`; false when an answer is already streaming. */
  send(text: string, attachments: readonly StoredAttachment[], fallbackLanguageId?: string): boolean {
    if (this.busy) return false;
    const conversation = this.active;
    const user: StoredMessage = {
      id: this.deps.newId(),
      role: "user",
      text,
      status: "complete",
      attachments: [...attachments],
    };
    if (conversation.messages.length === 0) conversation.title = titleFrom(text);
    conversation.messages.push(user);
    this.deps.post({ kind: "messageAdded", message: this.viewOf(user) });
    void this.runAnswer(conversation, fallbackLanguageId ?? attachments[attachments.length - 1]?.languageId);
    return true;
  }

  /** Answers the last question again; the previous answer is removed. */
  regenerate(): boolean {
    if (this.busy) return false;
    const conversation = this.active;
    const last = conversation.messages[conversation.messages.length - 1];
    if (last === undefined) return false;
    if (last.role === "assistant") {
      conversation.messages.pop();
      this.deps.post({ kind: "messageRemoved", messageId: last.id });
    }
    const question = conversation.messages[conversation.messages.length - 1];
    if (question === undefined || question.role !== "user") return false;
    void this.runAnswer(conversation, question.attachments[question.attachments.length - 1]?.languageId);
    return true;
  }

  stop(): void {
    this.answer?.controller.abort();
  }

  newChat(): void {
    this.stop();
    if (this.active.messages.length === 0) {
      this.postState();
      return;
    }
    this.active = this.createConversation();
    this.droppedMessages = 0;
    this.postState();
  }

  open(conversationId: string): void {
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    if (conversation === undefined) return;
    this.stop();
    this.active = conversation;
    this.droppedMessages = 0;
    this.postState();
  }

  rename(conversationId: string, title: string): void {
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    if (conversation === undefined) return;
    conversation.title = title.trim();
    this.save();
    this.postList();
    if (conversation === this.active) this.postState();
  }

  delete(conversationId: string): void {
    const index = this.conversations.findIndex((candidate) => candidate.id === conversationId);
    if (index < 0) return;
    if (this.conversations[index] === this.active) this.stop();
    this.conversations.splice(index, 1);
    if (!this.conversations.includes(this.active)) this.active = this.conversations[0] ?? this.createConversation();
    this.save();
    this.postState();
  }

  /** A cited source of an answer, as the session stored it: the webview names it only by its place. */
  source(messageId: string, index: number): StoredSource | undefined {
    const position = this.active.messages.findIndex((message) => message.id === messageId);
    return this.active.messages[position - 1]?.sources?.[index];
  }

  /** Leaves a cited source out of the answer's question and answers it again; false while an answer streams. */
  dropSource(messageId: string, index: number): boolean {
    if (this.busy) return false;
    const messages = this.active.messages;
    const position = messages.findIndex((message) => message.id === messageId);
    const question = messages[position - 1];
    // Only the last answer can be asked again: older ones are followed by the rest of the conversation.
    if (position !== messages.length - 1 || question?.role !== "user" || question.sources?.[index] === undefined)
      return false;
    question.sources.splice(index, 1);
    return this.regenerate();
  }

  /** The code of a block as the extension knows it, never as the webview says it is. */
  codeBlock(messageId: string, index: number): CodeBlockForAction | undefined {
    const position = this.active.messages.findIndex((message) => message.id === messageId);
    const message = this.active.messages[position];
    if (message === undefined || message.role !== "assistant") return undefined;
    const complete = this.answer?.message !== message;
    const block = extractCodeBlocks(this.markdown, message.text, complete)[index];
    if (block === undefined || !block.closed) return undefined;
    const languageId = blockLanguageId(block.info, this.questionLanguage(position));
    const citedPaths = [...new Set((this.active.messages[position - 1]?.sources ?? []).map((source) => source.path))];
    return { code: block.code, languageId, scan: this.deps.scanCode(block.code, languageId), citedPaths };
  }

  dispose(): void {
    this.stop();
  }

  private createConversation(): Conversation {
    const now = this.deps.now();
    const conversation: Conversation = {
      id: this.deps.newId(),
      title: "New chat",
      createdAt: now,
      updatedAt: now,
      messages: [],
    };
    this.conversations.unshift(conversation);
    return conversation;
  }

  private async runAnswer(conversation: Conversation, fallbackLanguageId: string | undefined): Promise<void> {
    const message: StoredMessage = {
      id: this.deps.newId(),
      role: "assistant",
      text: "",
      status: "complete",
      attachments: [],
    };
    const answer: ActiveAnswer = {
      conversation,
      message,
      controller: new AbortController(),
      scannedBlocks: 0,
      checkedLength: 0,
    };
    this.answer = answer;
    conversation.messages.push(message);
    this.deps.post({ kind: "messageAdded", message: { ...this.viewOf(message), status: "streaming" } });
    if (!(await this.guardQuestion(answer))) return;
    const question = conversation.messages[conversation.messages.length - 2];
    if (question?.role === "user" && question.sources === undefined && this.options().retrieval) {
      question.sources = await this.fitSources(question, await this.retrieveFor(question));
      this.deps.post({ kind: "sources", messageId: message.id, sources: question.sources.map(sourceView) });
    }

    const turns = chatTurnsOf(conversation.messages.slice(0, -1));
    let charsPerToken = this.charsPerToken;
    let result: GenerationResult | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= maxBudgetRetries; attempt++) {
      // Unknown before the host is first ready: then everything is sent and the host's own check is the budget.
      const contextSize = this.deps.contextSize();
      const reserve =
        contextSize === undefined
          ? this.options().maxAnswerTokens
          : answerReserve(contextSize, this.options().maxAnswerTokens);
      const plan =
        contextSize === undefined
          ? { turns, droppedTurns: 0, fits: true }
          : planBudget({ systemPrompt, turns, contextSize, answerTokens: reserve, charsPerToken });
      this.droppedMessages = this.messagesBehind(conversation, plan.droppedTurns);
      this.deps.post({ kind: "budget", budget: this.budgetView() });
      if (!plan.fits) {
        failure = new Error(
          "This message and its attachments are too long for the model's context: remove an attachment or shorten the message.",
        );
        break;
      }
      try {
        result = await this.deps.chat(
          { systemPrompt, turns: plan.turns, maxTokens: reserve, temperature: this.options().temperature },
          (text) => this.onChunk(answer, text, fallbackLanguageId),
          answer.controller.signal,
        );
        const promptCharacters = systemPrompt.length + plan.turns.reduce((sum, turn) => sum + turn.text.length, 0);
        this.charsPerToken = calibrateCharsPerToken(promptCharacters, result.promptTokens);
        failure = undefined;
        break;
      } catch (error) {
        failure = error;
        if (errorCode(error) !== "contextExceeded" || message.text !== "" || answer.controller.signal.aborted) break;
        charsPerToken = Math.max(1, charsPerToken * 0.6);
      }
    }
    if (answer.guard !== undefined) await this.guardWholeAnswer(answer.guard, answer);
    this.finishAnswer(answer, result, failure, fallbackLanguageId);
  }

  private async retrieveFor(question: StoredMessage): Promise<StoredSource[]> {
    try {
      return await this.deps.retrieve(question.text);
    } catch (error) {
      this.deps.post({
        kind: "notice",
        level: "warning",
        text: `Answered without workspace code: ${errorMessage(error)}`,
      });
      return [];
    }
  }

  /**
   * The retrieved chunks that fit, best first: the question, its attachments and the system prompt come first, and
   * the chunks get at most half the room left beside the answer's reserve. Counted with the chat model's tokenizer
   * (the local host's, or the server's /tokenize); where the backend cannot count, in characters per token calibrated
   * on the host's own token counts of earlier prompts, as the chat's budget counts.
   */
  private async fitSources(question: StoredMessage, candidates: readonly StoredSource[]): Promise<StoredSource[]> {
    const contextSize = this.deps.contextSize();
    if (contextSize === undefined) return candidates.slice(0, sourcesWithoutContextSize);
    if (candidates.length === 0) return [];
    const texts = [systemPrompt, userTurnText(question), sourcesHeading, ...candidates.map(sourceText)];
    const counted = await this.deps.countTokens(texts).catch(() => undefined);
    // The system and user turns' template tokens on top; each chunk also takes the blank line before it.
    const costs =
      counted?.length === texts.length
        ? counted.map((count, index) => count + (index < 2 ? tokensPerTurn : 1))
        : texts.map((text) => estimateTokens(text, this.charsPerToken));
    const used = costs[0] + costs[1] + costs[2];
    const room = (contextSize - answerReserve(contextSize, this.options().maxAnswerTokens) - used) * sourcesShareOfRoom;
    return fitInRoom(candidates, costs.slice(3), room);
  }

  /**
   * With the guard on, the question goes to the chat model only once Llama Guard passed it. Otherwise the question
   * stays, with the guard's banner, the empty answer goes, and false is returned.
   */
  private async guardQuestion(answer: ActiveAnswer): Promise<boolean> {
    const guard = this.deps.guard;
    const { conversation, message } = answer;
    const question = conversation.messages[conversation.messages.length - 2];
    if (guard === undefined || guard.mode === "off" || question?.role !== "user") return true;
    const questionText = userTurnText(question);
    this.setGuard(question, { state: "checking", categories: [], message: "" });
    const outcome = await guard.checkPrompt(questionText, answer.controller.signal);
    const banner = promptMessage(outcome);
    this.setGuard(question, guardView(outcome, banner));
    if (banner === undefined && !answer.controller.signal.aborted) {
      if (guard.mode === "promptsAndAnswers") {
        answer.guard = {
          question: questionText,
          checkpoints: new AnswerCheckpoints(),
          checkedUpTo: 0,
          pendingUpTo: 0,
          running: undefined,
        };
        this.setGuard(message, { state: "checking", categories: [], message: "" });
      }
      return true;
    }
    this.answer = undefined;
    const position = conversation.messages.indexOf(message);
    if (position >= 0) conversation.messages.splice(position, 1);
    this.deps.post({ kind: "messageRemoved", messageId: message.id });
    conversation.updatedAt = this.deps.now();
    this.save();
    this.postList();
    return false;
  }

  private setGuard(message: StoredMessage, verdict: GuardVerdictView): void {
    message.guard = verdict;
    this.deps.post({ kind: "guardVerdict", messageId: message.id, verdict });
  }

  /** Checks the answer up to its newest checkpoint, one check at a time; a check that does not pass stops it. */
  private runAnswerChecks(guard: AnswerGuard, answer: ActiveAnswer): Promise<void> {
    const chatGuard = this.deps.guard;
    if (chatGuard === undefined) return Promise.resolve();
    guard.running ??= (async () => {
      // Not the answer's signal: a stopped answer still gets its text checked before it is shown as checked.
      const signal = new AbortController().signal;
      while (guard.held === undefined && guard.pendingUpTo > guard.checkedUpTo) {
        const upTo = guard.pendingUpTo;
        const outcome = await chatGuard.checkAnswer(guard.question, answer.message.text.slice(0, upTo), signal);
        if (outcome.state === "safe") {
          guard.checkedUpTo = upTo;
          continue;
        }
        guard.held = outcome;
        this.setGuard(answer.message, guardView(outcome, answerMessage(outcome)));
        answer.controller.abort();
      }
    })().finally(() => {
      guard.running = undefined;
    });
    return guard.running;
  }

  /** The end of an answer is a checkpoint too: the answer is final only once all of it passed. */
  private async guardWholeAnswer(guard: AnswerGuard, answer: ActiveAnswer): Promise<void> {
    await guard.running;
    guard.pendingUpTo = answer.message.text.length;
    await this.runAnswerChecks(guard, answer);
    if (guard.held === undefined && answer.message.text !== "") {
      this.setGuard(answer.message, { state: "safe", categories: [], message: "" });
    }
  }

  private onChunk(answer: ActiveAnswer, chunk: string, fallbackLanguageId: string | undefined): void {
    const text = stripControlCharacters(chunk);
    if (this.answer !== answer || text === "") return;
    answer.message.text += text;
    this.deps.post({ kind: "answerDelta", messageId: answer.message.id, text });
    const guard = answer.guard;
    const checkpoint = guard?.checkpoints.next(answer.message.text);
    if (guard !== undefined && checkpoint !== undefined) {
      guard.pendingUpTo = checkpoint;
      void this.runAnswerChecks(guard, answer);
    }
    // Searched in the chunk alone: on a line of megabytes, searching the whole answer on every chunk is quadratic.
    const newlineInChunk = text.lastIndexOf("\n");
    if (newlineInChunk < 0) return;
    const lastNewline = answer.message.text.length - text.length + newlineInChunk;
    if (lastNewline < answer.checkedLength) return;
    // Start one character early so a fence line whose newline arrived in the previous chunk is still seen.
    const fresh = answer.message.text.slice(Math.max(0, answer.checkedLength - 1), lastNewline + 1);
    answer.checkedLength = lastNewline + 1;
    if (fenceLine.test(fresh)) this.scanNewBlocks(answer, false, fallbackLanguageId);
  }

  private scanNewBlocks(answer: ActiveAnswer, complete: boolean, fallbackLanguageId: string | undefined): void {
    const text = complete ? answer.message.text : answer.message.text.slice(0, answer.checkedLength);
    const blocks = extractCodeBlocks(this.markdown, text, complete);
    for (let index = answer.scannedBlocks; index < blocks.length && blocks[index].closed; index++) {
      this.deps.post({
        kind: "codeVerdict",
        messageId: answer.message.id,
        verdict: this.verdictOf(blocks[index], fallbackLanguageId),
      });
      answer.scannedBlocks = index + 1;
    }
  }

  private finishAnswer(
    answer: ActiveAnswer,
    result: GenerationResult | undefined,
    failure: unknown,
    fallbackLanguageId: string | undefined,
  ): void {
    const { conversation, message } = answer;
    this.answer = undefined;
    const cancelled = answer.controller.signal.aborted || errorCode(failure) === "cancelled";
    if (failure !== undefined && !cancelled && message.text === "") {
      // Nothing came back: take the question out again so the user can resend it, and say why.
      const question = conversation.messages[conversation.messages.length - 2];
      conversation.messages.splice(conversation.messages.length - (question?.role === "user" ? 2 : 1));
      this.deps.post({ kind: "messageRemoved", messageId: message.id });
      if (question?.role === "user") {
        this.deps.post({ kind: "messageRemoved", messageId: question.id });
        this.deps.post({ kind: "restoreDraft", text: question.text });
      }
      this.deps.post({ kind: "notice", level: "error", text: `No answer: ${errorMessage(failure)}` });
      if (conversation.messages.length === 0) conversation.title = "New chat";
      this.postList();
      return;
    }
    message.status = cancelled ? "stopped" : failure !== undefined ? "error" : "complete";
    if (message.status === "error") message.error = errorMessage(failure);
    this.scanNewBlocks({ ...answer, checkedLength: message.text.length }, true, fallbackLanguageId);
    if (result !== undefined) conversation.usedTokens = result.promptTokens + result.generatedTokens;
    conversation.updatedAt = this.deps.now();
    this.deps.post({ kind: "answerEnded", messageId: message.id, status: message.status, error: message.error });
    this.deps.post({ kind: "budget", budget: this.budgetView() });
    this.save();
    this.postList();
  }

  private save(): void {
    const bounded = boundHistory(
      this.conversations.filter((conversation) => conversation.messages.length > 0),
      this.options().limits,
    );
    const activeCopy = bounded.find((conversation) => conversation.id === this.active.id);
    if (activeCopy !== undefined && activeCopy !== this.active) {
      // The chat in progress lost its oldest messages to the byte limit: keep the trimmed copy and show it.
      this.active = activeCopy;
      this.postState();
    }
    this.conversations = bounded.includes(this.active) ? bounded : [this.active, ...bounded];
    this.deps.persist(bounded);
  }

  private postList(): void {
    const conversations: ConversationSummary[] = this.conversations
      .filter((conversation) => conversation.messages.length > 0 || conversation === this.active)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map(({ id, title, updatedAt }) => ({ id, title, updatedAt }));
    this.deps.post({ kind: "conversationList", conversations, activeId: this.active.id });
  }

  private budgetView(): TokenBudgetView {
    return {
      usedTokens: this.active.usedTokens,
      contextSize: this.deps.contextSize(),
      droppedMessages: this.droppedMessages,
    };
  }

  /** Dropped turns counted as the user sees them: stored messages, including failed answers the prompt skipped. */
  private messagesBehind(conversation: Conversation, droppedTurns: number): number {
    let turns = 0;
    let index = 0;
    for (; index < conversation.messages.length && turns < droppedTurns; index++) {
      const message = conversation.messages[index];
      if (message.role === "user" || message.text !== "") turns++;
    }
    return index;
  }

  private questionLanguage(answerPosition: number): string | undefined {
    const question = this.active.messages[answerPosition - 1];
    return question?.attachments[question.attachments.length - 1]?.languageId;
  }

  private viewOf(message: StoredMessage): ChatMessageView {
    return {
      id: message.id,
      role: message.role,
      text: message.text,
      status: this.answer?.message === message ? "streaming" : message.status,
      attachments: message.attachments.map((attachment) => attachment.label),
      verdicts: message.role === "assistant" ? this.verdictsOf(message) : [],
      sources: message.role === "assistant" ? this.questionOf(message)?.sources?.map(sourceView) : undefined,
      error: message.error,
      guard: message.guard,
    };
  }

  private questionOf(answer: StoredMessage): StoredMessage | undefined {
    const messages = this.active.messages;
    const question = messages[messages.indexOf(answer) - 1];
    return question?.role === "user" ? question : undefined;
  }

  private verdictsOf(message: StoredMessage): CodeVerdictView[] {
    const cached = this.verdictCache.get(message);
    if (cached !== undefined && cached.text === message.text) return cached.verdicts;
    const position = this.active.messages.indexOf(message);
    const fallback = position < 0 ? undefined : this.questionLanguage(position);
    const streaming = this.answer?.message === message;
    const verdicts = extractCodeBlocks(this.markdown, message.text, !streaming)
      .filter((block) => block.closed)
      .map((block) => this.verdictOf(block, fallback));
    if (!streaming) this.verdictCache.set(message, { text: message.text, verdicts });
    return verdicts;
  }

  private verdictOf(block: CodeBlock, fallbackLanguageId: string | undefined): CodeVerdictView {
    const scan = this.deps.scanCode(block.code, blockLanguageId(block.info, fallbackLanguageId));
    return { index: block.index, key: block.key, ...scan };
  }
}
