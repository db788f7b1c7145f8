import * as vscode from "vscode";
import type { ImportedDefinitions } from "../../core/syntax/importedDefinitions";
import type { QueryStore } from "../../core/syntax/queries";
import type { SyntaxRuntime } from "../../core/syntax/syntaxRuntime";
import type { ConversationBackend } from "../../core/protocol/backend";
import type { ChatSessionGuard } from "../../core/chat/session";
import type { Settings } from "../settings";
import type { ShieldEngine } from "../shield/shieldEngine";
import { InstructionHistory } from "./instructionHistory";
import { Previews } from "./previews";
import { acceptRefactor, runRefactor, type AskInChat, type RefactorServices } from "./refactorFlow";
import { applyToDefinition } from "./applyFromChat";
import { presetCommands } from "./refactorIds";
import { commandIds } from "../commandIds";

export interface RefactorDependencies {
  host: ConversationBackend;
  settings: Settings;
  shield: ShieldEngine;
  log: vscode.LogOutputChannel;
  globalState: vscode.Memento;
  /** The extension's one tree-sitter runtime (shared with the completions); undefined when it failed to load. */
  syntax: () => Promise<SyntaxRuntime | undefined>;
  /** The compiled .scm queries that go with it. */
  queries: QueryStore;
  /** Reads and parses the files the code imports, off the extension host's thread. */
  importedDefinitions: ImportedDefinitions;
  /** Explain's answers go to the chat view. */
  askInChat: AskInChat;
  /** Llama Guard: a custom instruction reaches the model only once it passed. */
  guard: ChatSessionGuard;
}

export interface Refactoring extends vscode.Disposable {
  /**
   * Apply from chat: proposes `code` in place of the function, method or class it rewrites in one of `candidates`, in
   * the refactor's preview; false (nothing shown) when no candidate has that definition.
   */
  applyToDefinition(
    code: string,
    languageId: string | undefined,
    candidates: readonly vscode.TextDocument[],
  ): Promise<boolean>;
}

/** Refactor commands from the palette and the editor menu, their diff previews, and Accept / Reject. */
export function register(dependencies: RefactorDependencies): Refactoring {
  const previews = new Previews();
  const targetHighlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor("editor.findMatchHighlightBackground"),
    borderColor: new vscode.ThemeColor("editor.findMatchHighlightBorder"),
    borderStyle: "solid",
    borderWidth: "1px",
  });
  const services: RefactorServices = {
    host: dependencies.host,
    settings: dependencies.settings,
    shield: dependencies.shield,
    log: dependencies.log,
    syntax: dependencies.syntax,
    queries: dependencies.queries,
    importedDefinitions: dependencies.importedDefinitions,
    previews,
    history: new InstructionHistory(dependencies.globalState),
    askInChat: dependencies.askInChat,
    guard: dependencies.guard,
    targetHighlight,
  };
  const previewOf = (uri: unknown) =>
    (uri instanceof vscode.Uri ? previews.byUri(uri) : undefined) ?? previews.active();
  const registrations = vscode.Disposable.from(
    previews,
    targetHighlight,
    ...presetCommands.map(([command, preset]) =>
      vscode.commands.registerCommand(command, () => runRefactor(services, preset)),
    ),
    // Editor title actions pass the diff editor's resource; the palette and keybindings pass nothing.
    vscode.commands.registerCommand(commandIds.acceptRefactor, (uri: unknown) =>
      acceptRefactor(services, previewOf(uri)),
    ),
    vscode.commands.registerCommand(commandIds.rejectRefactor, async (uri: unknown) => {
      const pending = previewOf(uri);
      if (pending !== undefined) await previews.discard(pending);
    }),
  );
  return {
    applyToDefinition: (code, languageId, candidates) => applyToDefinition(services, code, languageId, candidates),
    dispose: () => registrations.dispose(),
  };
}
