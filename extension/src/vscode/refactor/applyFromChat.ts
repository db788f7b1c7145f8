import * as vscode from "vscode";
import path from "node:path";
import { definitionsNamed, reindented, soleDefinitionName } from "../../core/refactor/chatApply";
import { lineReplacements } from "../../core/refactor/lineDiff";
import type { Proposal } from "../../core/refactor/pipeline";
import { proposalBreaksParse } from "../../core/refactor/syntaxCheck";
import type { OffsetRange } from "../../core/refactor/target";
import { gateSuggestion } from "../../core/shield/gate";
import { type RefactorServices, syntaxFor } from "./refactorFlow";
import { previewScheme } from "./refactorIds";

interface Placement {
  document: vscode.TextDocument;
  range: OffsetRange;
  name: string;
}

/** The one definition named `name` in the first candidate that has exactly one; a name found twice in a file is no answer. */
async function placementIn(
  services: RefactorServices,
  candidates: readonly vscode.TextDocument[],
  languageId: string,
  name: string,
): Promise<Placement | undefined> {
  const syntax = await syntaxFor(services, languageId);
  if (syntax === undefined) return undefined;
  for (const document of candidates) {
    if (document.languageId !== languageId || document.isClosed || document.uri.scheme === previewScheme) continue;
    const text = document.getText();
    const tree = syntax.runtime.parse(syntax.language, text);
    try {
      const found = definitionsNamed(tree, languageId, text, name);
      if (found.length === 1) return { document, range: found[0], name };
    } finally {
      tree.delete();
    }
  }
  return undefined;
}

/**
 * Apply from chat: where the block defines one function, method or class that a candidate document (the editors', the
 * conversation's files) defines too, proposes the block in its place in the refactor's preview, with its Accept
 * (one undo step, the Shield's confirmation) and Reject. False when no candidate has that definition.
 */
export async function applyToDefinition(
  services: RefactorServices,
  code: string,
  languageId: string | undefined,
  candidates: readonly vscode.TextDocument[],
): Promise<boolean> {
  if (languageId === undefined) return false;
  const syntax = await syntaxFor(services, languageId);
  if (syntax === undefined) return false;
  const blockTree = syntax.runtime.parse(syntax.language, code);
  let name: string | undefined;
  try {
    name = soleDefinitionName(blockTree, languageId);
  } finally {
    blockTree.delete();
  }
  if (name === undefined) return false;
  const placement = await placementIn(services, candidates, languageId, name);
  if (placement === undefined) return false;
  await preview(services, placement, code);
  return true;
}

async function preview(services: RefactorServices, { document, range, name }: Placement, code: string): Promise<void> {
  const text = document.getText();
  const lineStart = text.lastIndexOf("\n", range.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? "";
  // A definition that starts its line takes that line's indentation; one after other code on its line starts there.
  const replacement = reindented(code, range.start === lineStart ? indent : "");
  const prefix = text.slice(0, range.start);
  const suffix = text.slice(range.end);
  const original = text.slice(range.start, range.end);
  const syntax = await syntaxFor(services, document.languageId);
  const verdict = gateSuggestion(
    await services.shield.load(),
    { prefix, suggestion: replacement, suffix, languageId: document.languageId },
    services.settings.current.shield,
  );
  if (verdict.failure !== undefined) services.log.warn(verdict.failure);
  const proposedDocument = prefix + replacement + suffix;
  const proposal: Proposal = {
    code: replacement,
    proposedDocument,
    replacements: lineReplacements(original, replacement),
    findings: verdict.findings,
    needsConfirmation: verdict.action === "withhold",
    ...(verdict.failure !== undefined ? { shieldFailure: verdict.failure } : {}),
    breaksParse:
      syntax === undefined ? false : proposalBreaksParse(syntax.runtime, syntax.language, text, proposedDocument),
  };
  const fileName = path.basename(document.uri.path);
  const notes = [
    ...(proposal.breaksParse ? ["does not parse"] : []),
    ...(proposal.findings.length > 0 ? [`${proposal.findings.length} Shield finding(s)`] : []),
  ];
  await services.previews.open(
    {
      title: `${fileName} ↔ ${name} from chat (proposed)${notes.length > 0 ? ` · ${notes.join(" · ")}` : ""}`,
      output: {
        kind: "replace",
        documentUri: document.uri,
        snapshot: {
          start: range.start,
          end: range.end,
          text: original,
          version: document.version,
          documentLength: text.length,
        },
      },
      original: text,
      proposal,
    },
    fileName,
  );
  void vscode.window.showInformationMessage(
    `Llama Assist: the block replaces ${name} in ${vscode.workspace.asRelativePath(document.uri)}. Accept (Ctrl+Enter) or Reject (Escape) from the preview's title bar.`,
  );
}
