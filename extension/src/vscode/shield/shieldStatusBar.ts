import * as vscode from "vscode";
import type { ShieldVerdict } from "../../core/shield/gate";
import { commandIds } from "../commandIds";

/** Tells the user, without a popup, what the Shield did with the last suggestion that had findings. */
export class ShieldStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "llamaAssist.shieldStatus",
    vscode.StatusBarAlignment.Right,
    99,
  );
  /** VS Code sends every hide() to the workbench, hidden or not; most suggestions have no findings. */
  private visible = false;

  constructor() {
    this.item.name = "Llama Assist Shield";
  }

  report(verdict: ShieldVerdict): void {
    const [first] = verdict.findings;
    if (!first) {
      if (verdict.failure)
        this.show("$(shield) Shield: scan failed", verdict.failure, undefined, verdict.action === "withhold");
      else if (this.visible) {
        this.visible = false;
        this.item.hide();
      }
      return;
    }
    const others = verdict.findings.length > 1 ? ` +${verdict.findings.length - 1}` : "";
    const withheld = verdict.action === "withhold";
    this.show(
      `$(shield) ${withheld ? "Shield withheld" : "Shield warning"}: ${first.ruleId}${others}`,
      verdict.findings.map((finding) => `${finding.ruleId} (${finding.cwe}): ${finding.message}`).join("\n"),
      first.ruleId,
      withheld,
    );
  }

  private show(text: string, tooltip: string, ruleId: string | undefined, isError: boolean): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = new vscode.ThemeColor(
      isError ? "statusBarItem.errorBackground" : "statusBarItem.warningBackground",
    );
    this.item.command = ruleId
      ? { title: "Show why", command: commandIds.showShieldRule, arguments: [ruleId] }
      : commandIds.showLog;
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}
