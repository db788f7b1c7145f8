import * as vscode from "vscode";
import { isShieldLanguage } from "../../core/shield/languages";
import type { ShieldEngine } from "./shieldEngine";
import type { ShieldDiagnostics } from "./shieldDiagnostics";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";

export function register(engine: ShieldEngine, diagnostics: ShieldDiagnostics, settings: Settings): vscode.Disposable {
  return vscode.commands.registerCommand(commandIds.scanFileWithShield, async () => {
    const document = vscode.window.activeTextEditor?.document;
    if (!document) {
      void vscode.window.showInformationMessage("Llama Assist: open a file to scan it with the Shield.");
      return;
    }
    if (!isShieldLanguage(document.languageId)) {
      void vscode.window.showInformationMessage(
        `Llama Assist: the Shield has no rules for ${document.languageId} files.`,
      );
      return;
    }
    const shield = await engine.load();
    if (!shield) return;
    const findings = shield.scan(document.getText(), document.languageId, {
      disabledRules: settings.current.shield.disabledRules,
    });
    diagnostics.set(document.uri, findings);
    await vscode.commands.executeCommand("workbench.actions.view.problems");
    void vscode.window.showInformationMessage(
      findings.length === 0
        ? "Llama Assist Shield: no findings in this file."
        : `Llama Assist Shield: ${findings.length} finding${findings.length === 1 ? "" : "s"} in this file.`,
    );
  });
}
