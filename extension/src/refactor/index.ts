import * as vscode from "vscode";
import { QueryStore } from "../core/syntax/queries";
import { SyntaxRuntime } from "../core/syntax/syntaxRuntime";
import type { HostClient } from "../hostClient/hostClient";
import type { Settings } from "../settings";
import type { ShieldEngine } from "../shieldEngine";
import { Explanations } from "./explanations";
import { InstructionHistory } from "./instructionHistory";
import { Previews } from "./previews";
import { acceptRefactor, runRefactor, type RefactorServices } from "./refactorFlow";
import { presetCommands, refactorCommandIds } from "./refactorIds";

export interface RefactorDependencies {
  host: HostClient;
  settings: Settings;
  shield: ShieldEngine;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  globalState: vscode.Memento;
}

/** Refactor commands from the palette and the editor menu, their diff previews, and Accept / Reject. */
export function register(dependencies: RefactorDependencies): vscode.Disposable {
  const previews = new Previews();
  const explanations = new Explanations();
  const targetHighlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor("editor.findMatchHighlightBackground"),
    borderColor: new vscode.ThemeColor("editor.findMatchHighlightBorder"),
    borderStyle: "solid",
    borderWidth: "1px",
  });
  const grammars = {
    load: async (fileName: string) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(dependencies.extensionUri, "grammars", fileName)),
  };
  const queries = new QueryStore(grammars);
  // Loaded on the first refactor only; the same runtime class the completions use, over the shipped grammars.
  let runtime: Promise<SyntaxRuntime | undefined> | undefined;
  const syntax = (): Promise<SyntaxRuntime | undefined> => {
    runtime ??= SyntaxRuntime.create(grammars).catch((error: unknown) => {
      dependencies.log.error(`Refactor: the tree-sitter grammars could not be loaded: ${String(error)}`);
      return undefined;
    });
    return runtime;
  };
  const services: RefactorServices = {
    host: dependencies.host,
    settings: dependencies.settings,
    shield: dependencies.shield,
    log: dependencies.log,
    syntax,
    queries,
    previews,
    history: new InstructionHistory(dependencies.globalState),
    explanations,
    targetHighlight,
  };
  const previewOf = (uri: unknown) => (uri instanceof vscode.Uri ? previews.byUri(uri) : undefined) ?? previews.active();
  return vscode.Disposable.from(
    previews,
    explanations,
    targetHighlight,
    ...presetCommands.map(([command, preset]) => vscode.commands.registerCommand(command, () => runRefactor(services, preset))),
    // Editor title actions pass the diff editor's resource; the palette and keybindings pass nothing.
    vscode.commands.registerCommand(refactorCommandIds.accept, (uri: unknown) => acceptRefactor(services, previewOf(uri))),
    vscode.commands.registerCommand(refactorCommandIds.reject, async (uri: unknown) => {
      const pending = previewOf(uri);
      if (pending !== undefined) await previews.discard(pending);
    }),
    queries,
    { dispose: () => void runtime?.then((loaded) => loaded?.dispose()) },
  );
}
