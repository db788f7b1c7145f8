import * as vscode from "vscode";
import { commandIds } from "../commandIds";

/**
 * A request shorter than this shows no spinner: it would only flicker, and every change of the item is a message to
 * the workbench and a re-render of the status bar while the editor is about to paint the ghost text.
 */
const spinnerDelayMs = 500;
/** The item shows a finished request's latency this long after it, once the ghost text has been painted. */
const settleMs = 250;

/** A spinner while a completion request runs long, the last latency after it; a click turns completions on or off. */
export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "llamaAssist.completions",
    vscode.StatusBarAlignment.Right,
    99,
  );
  private running = 0;
  private lastLatencyMs: number | undefined;
  private enabled = true;
  private renderTimer: NodeJS.Timeout | undefined;
  /** What the item shows now: VS Code sends every assignment to the workbench, the same text again included. */
  private shown = { text: "", tooltip: "" };

  constructor() {
    this.item.name = "Llama Assist Completions";
    this.item.command = commandIds.toggleCompletions;
    this.render();
    this.item.show();
  }

  requestStarted(): void {
    this.running++;
    this.renderIn(spinnerDelayMs);
  }

  requestEnded(latencyMs?: number): void {
    this.running = Math.max(0, this.running - 1);
    if (latencyMs !== undefined) this.lastLatencyMs = latencyMs;
    this.renderIn(settleMs);
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.render();
  }

  /** Renders once the item has been in its state for `ms`: while the user types, requests come and go faster. */
  private renderIn(ms: number): void {
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.render();
    }, ms);
  }

  private render(): void {
    clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    const latency = this.lastLatencyMs === undefined ? "" : ` ${Math.round(this.lastLatencyMs)} ms`;
    const next = !this.enabled
      ? {
          text: "$(circle-slash) Completions",
          tooltip: "Llama Assist completions are off. Click to turn them on, for all languages or one.",
        }
      : {
          text: this.running > 0 ? "$(sync~spin) Completing" : `$(sparkle)${latency}`,
          tooltip: `Llama Assist completions are on${latency ? `; the last one took${latency}` : ""}. Click to turn them off, for all languages or this one.`,
        };
    if (next.text !== this.shown.text) this.item.text = next.text;
    if (next.tooltip !== this.shown.tooltip) this.item.tooltip = next.tooltip;
    this.shown = next;
  }

  dispose(): void {
    clearTimeout(this.renderTimer);
    this.item.dispose();
  }
}
