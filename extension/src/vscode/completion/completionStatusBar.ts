import * as vscode from "vscode";
import { commandIds } from "../commandIds";

/** A spinner while a completion request runs, the last latency after it; a click turns completions on or off. */
export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "llamaAssist.completions",
    vscode.StatusBarAlignment.Right,
    99,
  );
  private running = 0;
  private lastLatencyMs: number | undefined;
  private enabled = true;

  constructor() {
    this.item.name = "Llama Assist Completions";
    this.item.command = commandIds.toggleCompletions;
    this.render();
    this.item.show();
  }

  requestStarted(): void {
    this.running++;
    this.render();
  }

  requestEnded(latencyMs?: number): void {
    this.running = Math.max(0, this.running - 1);
    if (latencyMs !== undefined) this.lastLatencyMs = latencyMs;
    this.render();
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.render();
  }

  private render(): void {
    if (!this.enabled) {
      this.item.text = "$(circle-slash) Completions";
      this.item.tooltip = "Llama Assist completions are off. Click to turn them on, for all languages or one.";
      return;
    }
    const latency = this.lastLatencyMs === undefined ? "" : ` ${Math.round(this.lastLatencyMs)} ms`;
    this.item.text = this.running > 0 ? "$(sync~spin) Completing" : `$(sparkle)${latency}`;
    this.item.tooltip = `Llama Assist completions are on${latency ? `; the last one took${latency}` : ""}. Click to turn them off, for all languages or this one.`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
