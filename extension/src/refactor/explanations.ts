import * as vscode from "vscode";
import type { ChatParams } from "../core/protocol/host";
import type { HostClient } from "../hostClient/hostClient";

const explanationScheme = "llama-assist-explanation";
/** Older explanations are dropped from memory past this many; their previews then show a short note. */
const maxKept = 10;
/** The preview re-renders on each change; a few times a second is smooth without flooding it. */
const refreshIntervalMs = 150;

/** Explanations stream into a Markdown document shown in a preview beside the code. */
export class Explanations implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  private nextId = 1;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(explanationScheme, {
      onDidChange: this.changes.event,
      provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? "This explanation is no longer kept. Run Explain again.\n",
    });
  }

  /** Opens the preview, then streams the answer into it; rejects with the host's error, the text so far kept. */
  async stream(host: HostClient, params: ChatParams, heading: string, fileName: string, signal: AbortSignal, onChunk: (received: string) => void): Promise<void> {
    const uri = vscode.Uri.from({ scheme: explanationScheme, path: `/${this.nextId++}/Explanation of ${fileName}.md` });
    const key = uri.toString();
    const header = `# ${heading}\n\n`;
    this.keep(key, `${header}_Waiting for the model…_\n`);
    await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
    let received = "";
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      timer = undefined;
      this.keep(key, header + received);
      this.changes.fire(uri);
    };
    try {
      await host.chat(
        params,
        (chunk) => {
          received += chunk;
          onChunk(received);
          timer ??= setTimeout(flush, refreshIntervalMs);
        },
        signal,
      );
    } catch (error) {
      received += `\n\n---\n_The explanation stopped: ${error instanceof Error ? error.message : String(error)}_\n`;
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      flush();
    }
  }

  private keep(key: string, text: string): void {
    this.texts.delete(key);
    this.texts.set(key, text);
    while (this.texts.size > maxKept) this.texts.delete(this.texts.keys().next().value as string);
  }

  dispose(): void {
    this.registration.dispose();
    this.changes.dispose();
    this.texts.clear();
  }
}
