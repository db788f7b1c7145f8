import * as vscode from "vscode";
import { createShield } from "../../core/shield/engine";
import type { GrammarSource, Shield } from "../../core/shield/types";

/**
 * Loads the Shield's grammars on first use, once, and keeps the engine for the extension's lifetime.
 * A failed load is remembered and logged: the gate then fails closed in block mode.
 */
export class ShieldEngine implements vscode.Disposable {
  private loading: Promise<Shield | undefined> | undefined;
  private loaded: Shield | undefined;

  constructor(
    private readonly grammarDir: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The engine if it has finished loading; the hot path never waits for grammars. */
  get ready(): Shield | undefined {
    return this.loaded;
  }

  load(): Promise<Shield | undefined> {
    this.loading ??= createShield({ grammars: this.grammarSource() }).then(
      (shield) => {
        this.loaded = shield;
        this.log.info(`Shield loaded: ${shield.rules().length} rules for ${shield.languages().length} languages.`);
        return shield;
      },
      (error: unknown) => {
        this.log.error(`The Shield could not load its grammars from ${this.grammarDir.fsPath}: ${String(error)}`);
        void vscode.window.showErrorMessage(
          "Llama Assist: the Shield could not load its grammars, so suggestions are withheld in block mode. Reinstall the extension or see the log.",
        );
        return undefined;
      },
    );
    return this.loading;
  }

  private grammarSource(): GrammarSource {
    return { load: async (fileName) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.grammarDir, fileName)) };
  }

  dispose(): void {
    this.loaded?.dispose();
    this.loaded = undefined;
  }
}
