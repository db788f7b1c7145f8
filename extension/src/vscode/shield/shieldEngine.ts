import * as vscode from "vscode";
import { createShield } from "../../core/shield/engine";
import type { Shield } from "../../core/shield/types";
import type { SyntaxRuntime } from "../../core/syntax/syntaxRuntime";

/**
 * Loads the Shield on first use, once, and keeps the engine for the extension's lifetime. Its grammars are the
 * completion pipeline's (one runtime, each grammar in memory once), so it can query the documents' trees.
 * A failed load is remembered and logged: the gate then fails closed in block mode.
 */
export class ShieldEngine implements vscode.Disposable {
  private loading: Promise<Shield | undefined> | undefined;
  private loaded: Shield | undefined;

  constructor(
    private readonly grammarDir: vscode.Uri,
    /** The document trees' runtime, once loaded; undefined if it failed. */
    private readonly syntax: () => Promise<SyntaxRuntime | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The engine if it has finished loading; the hot path never waits for grammars. */
  get ready(): Shield | undefined {
    return this.loaded;
  }

  load(): Promise<Shield | undefined> {
    this.loading ??= this.syntax()
      .then((syntax) => {
        if (!syntax) throw new Error("the tree-sitter runtime did not load");
        return createShield({ syntax });
      })
      .then(
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

  dispose(): void {
    this.loaded?.dispose();
    this.loaded = undefined;
  }
}
