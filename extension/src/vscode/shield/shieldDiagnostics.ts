import * as vscode from "vscode";
import type { Finding, ShieldRuleInfo } from "../../core/shield/types";
import type { ShieldEngine } from "./shieldEngine";
import { commandIds } from "../commandIds";

const explanationScheme = "llama-assist-shield";
const diagnosticSource = "Llama Assist Shield";

/** Findings as the Problems panel shows them, with a "show why" quick fix that opens the rule's explanation. */
export class ShieldDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("llamaAssistShield");

  set(uri: vscode.Uri, findings: readonly Finding[]): void {
    this.collection.set(
      uri,
      findings.map((finding) => toDiagnostic(finding, 0, 0)),
    );
  }

  /** Adds findings of accepted text without dropping earlier ones on other lines. */
  add(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): void {
    const kept = (this.collection.get(uri) ?? []).filter(
      (existing) => !diagnostics.some((added) => added.range.intersection(existing.range) !== undefined),
    );
    this.collection.set(uri, [...kept, ...diagnostics]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}

function toDiagnostic(finding: Finding, lineOffset: number, firstLineColumnOffset: number): vscode.Diagnostic {
  const column = (line: number, value: number): number => (line === 0 ? value + firstLineColumnOffset : value);
  const range = new vscode.Range(
    finding.startLine + lineOffset,
    column(finding.startLine, finding.startColumn),
    finding.endLine + lineOffset,
    column(finding.endLine, finding.endColumn),
  );
  const diagnostic = new vscode.Diagnostic(
    range,
    `${finding.message} ${finding.fixHint}`.trim(),
    finding.severity === "block" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = diagnosticSource;
  diagnostic.code = { value: `${finding.ruleId} (${finding.cwe})`, target: explanationUri(finding.ruleId) };
  return diagnostic;
}

/** Findings of an accepted suggestion, mapped to where the suggestion landed in the document. */
export function diagnosticsForAcceptedText(
  findings: readonly Finding[],
  insertedAt: vscode.Position,
): vscode.Diagnostic[] {
  return findings.map((finding) => toDiagnostic(finding, insertedAt.line, insertedAt.character));
}

function explanationUri(ruleId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: explanationScheme, path: `/${ruleId}.md` });
}

function ruleIdOf(diagnostic: vscode.Diagnostic): string | undefined {
  if (diagnostic.source !== diagnosticSource || typeof diagnostic.code !== "object") return undefined;
  return String(diagnostic.code.value).split(" ")[0];
}

export function explanationMarkdown(rule: ShieldRuleInfo): string {
  return [
    `# ${rule.id}: ${rule.message}`,
    "",
    `**${rule.cwe}**, severity **${rule.severity}** (${rule.severity === "block" ? "the suggestion is withheld in block mode" : "shown with a warning"}).`,
    "",
    rule.explanation,
    "",
    `**Fix:** ${rule.fixHint}`,
    "",
    `Turn the rule off with the setting \`llamaAssist.shield.disabledRules\`: \`["${rule.id}"]\`.`,
    "",
  ].join("\n");
}

export function register(engine: ShieldEngine, diagnostics: ShieldDiagnostics): vscode.Disposable {
  const explanations: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const ruleId = uri.path.replace(/^\//, "").replace(/\.md$/, "");
      const rule = (await engine.load())?.rules().find((candidate) => candidate.id === ruleId);
      return rule
        ? explanationMarkdown(rule)
        : `# ${ruleId}\n\nThis Shield rule is unknown to this version of Llama Assist.\n`;
    },
  };
  const showWhy: vscode.CodeActionProvider = {
    provideCodeActions(_document, _range, context) {
      return context.diagnostics.flatMap((diagnostic) => {
        const ruleId = ruleIdOf(diagnostic);
        if (!ruleId) return [];
        const action = new vscode.CodeAction(
          `Show why the Shield flagged this (${ruleId})`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [diagnostic];
        action.command = { title: "Show why", command: commandIds.showShieldRule, arguments: [ruleId] };
        return [action];
      });
    },
  };
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(explanationScheme, explanations),
    vscode.languages.registerCodeActionsProvider({ scheme: "*" }, showWhy, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(commandIds.showShieldRule, async (ruleId: unknown) => {
      if (typeof ruleId !== "string") return;
      await vscode.commands.executeCommand("markdown.showPreview", explanationUri(ruleId));
    }),
    vscode.commands.registerCommand(
      commandIds.recordAcceptedFindings,
      (uri: unknown, insertedAt: unknown, findings: unknown) => {
        if (!(uri instanceof vscode.Uri) || !(insertedAt instanceof vscode.Position) || !Array.isArray(findings))
          return;
        diagnostics.add(uri, diagnosticsForAcceptedText(findings as Finding[], insertedAt));
      },
    ),
  );
}
