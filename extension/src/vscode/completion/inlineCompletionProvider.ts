import { setTimeout as delay } from "node:timers/promises";
import * as vscode from "vscode";
import type { CompletionSettings } from "../../core/completion/completionSettings";
import type { ShieldVerdict } from "../../core/shield/gate";
import { completionSettingKeys } from "../../core/completion/completionSettings";
import type { Tree } from "web-tree-sitter";
import {
  CompletionEngine,
  type CompletionPhases,
  type CompletionRequest,
  type Generate,
  type SuggestionGate,
} from "../../core/completion/engine";
import type { TriggerKind } from "../../core/completion/trigger";
import { defaultPromptBudget, promptWindowChars, type PromptBudget } from "../../core/completion/prompt";
import { InsertionParser } from "../../core/syntax/insertionParser";
import type { ParseGeneration } from "../../core/syntax/documentTree";
import { CompletionStatusBar } from "./completionStatusBar";
import { documentLength, documentReader, type DocumentTrees } from "../syntax/documentTrees";
import { RecentContextTracker } from "./recentContextTracker";
import { commandIds, internalCommandIds } from "../commandIds";

export interface InlineCompletionDeps {
  /** Backed by HostClient.infill; the signal aborts the host's generation too. */
  generate: Generate;
  /** The Shield's gate; the only place suggestions are scanned. */
  gate: SuggestionGate;
  trees: DocumentTrees;
  settings: () => CompletionSettings;
  /** Fires when `llamaAssist.*` changes, so the engine picks up new debounce and limits. */
  onDidChangeSettings: vscode.Event<unknown>;
  log: vscode.LogOutputChannel;
  /** Every Shield verdict on a suggestion, shown or withheld, e.g. for the Shield's status item. */
  onVerdict: (verdict: ShieldVerdict) => void;
  /**
   * The command VS Code runs when the user accepts a suggestion that had findings, e.g. to put them in the
   * Problems panel. Finding lines count from `scannedFrom`, where the prefix the gate scanned begins.
   */
  acceptCommand: (
    document: vscode.TextDocument,
    verdict: ShieldVerdict,
    scannedFrom: vscode.Position,
  ) => vscode.Command | undefined;
}

/** Characters of context on each side of the cursor for documents with no tree: enough for any token budget. */
const windowChars = 64_000;
/**
 * Characters on each side of the cursor read on every keystroke in a parsed document, on top of what the prompt
 * budget can use: enough for the text checks of post-processing and the Shield.
 */
const parsedWindowChars = 16_000;
/** Lines of the current document the prompt shows around the cursor anyway, so recent edits there add nothing. */
const promptWindowLines = 60;

/**
 * The trace of a shown suggestion is written this long after the provider returns: after the extension host has sent
 * the items to the editor (it sends on a timer of its own, which a 0 ms timer set here would precede).
 */
const traceDelayMs = 50;

/** Milliseconds since the epoch, to the fraction: comparable with other processes' clocks on the same machine. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The trace's "completion timings" line, as JSON. */
interface CompletionTimings extends Omit<CompletionPhases, "host"> {
  changedAt?: number;
  calledAt: number;
  hostPromptMs?: number;
  hostGenerationMs?: number;
  returnedAt: number;
}

class LlamaInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private engine: CompletionEngine;
  private inFlight: AbortController | undefined;
  /** When each document last changed and its version then, on performance.now()'s clock. */
  private readonly changes = new WeakMap<vscode.TextDocument, { at: number; version: number }>();

  constructor(
    private readonly deps: InlineCompletionDeps,
    private readonly statusBar: CompletionStatusBar,
    private readonly recent: RecentContextTracker,
  ) {
    this.engine = this.createEngine();
  }

  documentChanged(document: vscode.TextDocument): void {
    this.changes.set(document, { at: performance.now(), version: document.version });
  }

  /** When the keystroke that made the document's current version happened; undefined once it changed otherwise. */
  private typedAt(document: vscode.TextDocument): number | undefined {
    const change = this.changes.get(document);
    return change?.version === document.version ? change.at : undefined;
  }

  settingsChanged(): void {
    this.engine = this.createEngine();
  }

  private get budget(): PromptBudget {
    return { ...defaultPromptBudget, totalTokens: this.deps.settings().contextTokens };
  }

  private createEngine(): CompletionEngine {
    const settings = this.deps.settings();
    return new CompletionEngine({
      generate: this.deps.generate,
      gate: this.deps.gate,
      debounce: settings.debounce,
      budget: this.budget,
      maxLines: settings.maxLines,
      generationTimeCapMs: settings.timeCapMs,
      now: () => performance.now(),
      sleep: (ms, signal) => delay(ms, undefined, { signal }),
    });
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const calledAt = epochMs();
    const settings = this.deps.settings();
    const manual = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    if (!manual && (!settings.enabled || settings.disabledLanguages.has(document.languageId))) return undefined;

    // Every keystroke cancels the request before it; the signal reaches the host, which stops generating.
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    const cancellation = token.onCancellationRequested(() => controller.abort());
    const { request, release, offset, cursor } = this.requestAt(document, position, manual ? "manual" : "automatic");
    request.typedAt = this.typedAt(document);

    this.statusBar.requestStarted();
    let latencyMs: number | undefined;
    try {
      const outcome = await this.engine.complete(request, controller.signal);
      if (outcome.kind === "skipped") {
        if (outcome.verdict) this.deps.onVerdict(outcome.verdict);
        if (outcome.reason === "withheld")
          this.deps.log.info(`A completion was withheld by the Shield${outcome.detail ? `: ${outcome.detail}` : ""}.`);
        return undefined;
      }
      this.deps.onVerdict(outcome.verdict);
      latencyMs = outcome.latencyMs;
      const scannedFrom = document.positionAt(offset - cursor);
      // Alternatives come after the first: VS Code shows the first and cycles with Alt+] / Alt+[.
      const items = [{ insertion: outcome.insertion, verdict: outcome.verdict }, ...outcome.alternatives].map(
        ({ insertion, verdict }) => {
          const range = new vscode.Range(position, position.translate(0, insertion.replaceRight));
          const shieldCommand =
            verdict.findings.length > 0 ? this.deps.acceptCommand(document, verdict, scannedFrom) : undefined;
          const accepted: vscode.Command = {
            title: "Accept completion",
            command: internalCommandIds.completionAccepted,
            arguments: shieldCommand ? [shieldCommand] : [],
          };
          return new vscode.InlineCompletionItem(insertion.text, range, accepted);
        },
      );
      if (settings.trace) {
        const { log } = this.deps;
        const timings = this.timings(request.typedAt, calledAt, outcome.phases);
        // Written once the items are on their way to the editor: the trace would otherwise add to what it measures.
        setTimeout(() => {
          log.trace(`completion (${outcome.source}, ${Math.round(outcome.latencyMs)} ms): ${outcome.trace.join("; ")}`);
          log.trace(`completion timings: ${JSON.stringify(timings)}`);
        }, traceDelayMs);
      }
      return items;
    } catch (error) {
      this.deps.log.error(`Completion failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      release();
      cancellation.dispose();
      if (this.inFlight === controller) this.inFlight = undefined;
      this.statusBar.requestEnded(latencyMs);
    }
  }

  /**
   * Where one shown suggestion's time went: the *At fields in milliseconds since the epoch, so they can be joined with
   * the editor's own clock (keystroke, ghost text painted); the others are the engine's phases.
   */
  private timings(typedAt: number | undefined, calledAt: number, phases: CompletionPhases): CompletionTimings {
    const { host, ...engine } = phases;
    return {
      changedAt: typedAt === undefined ? undefined : performance.timeOrigin + typedAt,
      calledAt,
      ...engine,
      hostPromptMs: host?.promptMs,
      hostGenerationMs: host?.generationMs,
      returnedAt: epochMs(),
    };
  }

  /** After an accept: the completion where the cursor now is, computed before the user asks for it. */
  precomputeAtCursor(): void {
    const editor = vscode.window.activeTextEditor;
    const settings = this.deps.settings();
    if (!editor || !settings.enabled || settings.disabledLanguages.has(editor.document.languageId)) return;
    const { request, release } = this.requestAt(editor.document, editor.selection.active, "automatic");
    // The request's tree is used until the precompute settles, whether it is stored, cancelled or fails.
    void this.engine.precompute(request).finally(release);
  }

  /** The engine's request for a position; the caller calls `release` once the request is done with it. */
  private requestAt(
    document: vscode.TextDocument,
    position: vscode.Position,
    trigger: TriggerKind,
  ): { request: CompletionRequest; release: () => void; offset: number; cursor: number } {
    const offset = document.offsetAt(position);
    const documentTree = this.deps.trees.parsedTreeOf(document);
    const runtime = this.deps.trees.syntaxRuntime;
    // Every keystroke reads only the text around the cursor that the prompt and the text checks use; the parse and
    // the syntax checks, once the request has passed the debounce, read the document line by line where they need.
    // Beyond what the prompt can use, so that a prefix no longer than that is the document's start (buildPromptPieces).
    const aroundChars = documentTree ? promptWindowChars(this.budget) + parsedWindowChars : windowChars;
    const windowStart = Math.max(0, offset - aroundChars);
    const text = document.getText(
      new vscode.Range(document.positionAt(windowStart), document.positionAt(offset + aroundChars)),
    );
    const cursor = offset - windowStart;
    const prefix = text.slice(0, cursor);
    const suffix = text.slice(cursor);
    const version = document.version;
    let snapshot: Tree | undefined;
    let snapshotParse: ParseGeneration | undefined;
    let parsed = false;
    // Parsed when the engine first asks, reading the document only around its changes. A copy, because the next
    // keystroke edits the document's tree while this request may still use it; none once the document has changed
    // again, as the request is stale then.
    const parsedTree = (): Tree | undefined => {
      if (!parsed) {
        parsed = true;
        if (documentTree && document.version === version) {
          snapshot = documentTree.treeFor(documentReader(document), documentLength(document))?.copy();
          snapshotParse = documentTree.lastParse;
        }
      }
      return snapshot;
    };
    const definitionContext = this.deps.trees.definitionContext;
    const definitionRequest = () => {
      const tree = parsedTree();
      if (!tree || !definitionContext) return undefined;
      return {
        languageId: document.languageId,
        path: document.uri.path,
        tree,
        cursor: offset,
        parse: snapshotParse,
        around: { start: windowStart, text },
      };
    };
    const options =
      vscode.window.activeTextEditor?.document === document ? vscode.window.activeTextEditor.options : undefined;
    const style = {
      insertSpaces: options?.insertSpaces !== false,
      tabSize: typeof options?.tabSize === "number" ? options.tabSize : 4,
    };
    const request: CompletionRequest = {
      languageId: document.languageId,
      path: vscode.workspace.asRelativePath(document.uri),
      prefix,
      suffix,
      cursorLine: position.line,
      trigger,
      style,
      syntax: () => {
        const tree = parsedTree();
        const at = {
          read: documentReader(document),
          cursor: offset,
          cursorPoint: { row: position.line, column: position.character },
          after: suffix,
        };
        return tree && runtime && documentTree
          ? new InsertionParser(runtime, documentTree.language, tree, at)
          : undefined;
      },
      scopeHeaders: () => {
        const asked = definitionRequest();
        const lineAt = (row: number): string => document.lineAt(row).text;
        return asked && definitionContext ? definitionContext.scopeHeaders(asked, lineAt) : [];
      },
      snippets: async () => {
        const asked = definitionRequest();
        return [
          ...(asked && definitionContext ? await definitionContext.snippetsFor(asked) : []),
          ...this.recent.snippetsFor(document, position, promptWindowLines),
        ];
      },
    };
    return { request, release: () => snapshot?.delete(), offset, cursor };
  }
}

/**
 * Registers ghost text for every document (languages without a grammar get plain-text
 * completions), the status bar item and the toggle command. Alt+\ is bound to VS Code's own
 * `editor.action.inlineSuggest.trigger`, which asks this provider with an Invoke trigger.
 */
export function register(deps: InlineCompletionDeps): vscode.Disposable {
  const statusBar = new CompletionStatusBar();
  statusBar.setEnabled(deps.settings().enabled);
  const recent = new RecentContextTracker();
  const provider = new LlamaInlineCompletionProvider(deps, statusBar, recent);
  return vscode.Disposable.from(
    statusBar,
    recent,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) provider.documentChanged(event.document);
    }),
    deps.onDidChangeSettings(() => {
      provider.settingsChanged();
      statusBar.setEnabled(deps.settings().enabled);
    }),
    vscode.commands.registerCommand(commandIds.toggleCompletions, () => toggleCompletions(deps.settings())),
    // Runs when a suggestion is accepted: the Shield's command for its findings, then the precompute.
    vscode.commands.registerCommand(internalCommandIds.completionAccepted, async (shieldCommand?: vscode.Command) => {
      if (shieldCommand)
        await vscode.commands.executeCommand(shieldCommand.command, ...(shieldCommand.arguments ?? []));
      if (deps.settings().precompute) provider.precomputeAtCursor();
    }),
  );
}

interface ToggleChoice extends vscode.QuickPickItem {
  apply: () => Thenable<void>;
}

/** Turns automatic completions on or off everywhere, or only for the active editor's language. */
async function toggleCompletions(settings: CompletionSettings): Promise<void> {
  const section = vscode.workspace.getConfiguration("llamaAssist");
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  const choices: ToggleChoice[] = [
    {
      label: settings.enabled ? "Turn completions off" : "Turn completions on",
      description: "all languages",
      apply: () => section.update(completionSettingKeys.enabled, !settings.enabled, vscode.ConfigurationTarget.Global),
    },
  ];
  if (languageId && settings.enabled) {
    const languageOff = settings.disabledLanguages.has(languageId);
    const current = section.get<Record<string, boolean>>(completionSettingKeys.languages) ?? {};
    choices.push({
      label: languageOff ? `Turn completions on for ${languageId}` : `Turn completions off for ${languageId}`,
      description: "this language only",
      apply: () =>
        section.update(
          completionSettingKeys.languages,
          { ...current, [languageId]: languageOff },
          vscode.ConfigurationTarget.Global,
        ),
    });
  }
  const choice = await vscode.window.showQuickPick(choices, { title: "Llama Assist completions" });
  await choice?.apply();
}
