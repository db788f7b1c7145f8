import * as vscode from "vscode";
import type { Language } from "web-tree-sitter";
import { existsSync } from "node:fs";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { surroundingContext, type SurroundingContext } from "../../core/refactor/context";
import { proposalFromAnswer, type Proposal, type ProposalChecks, type RefactorJob } from "../../core/refactor/pipeline";
import { outputOf, presetTitles, type RefactorPreset } from "../../core/refactor/presets";
import { planRefactorPrompt } from "../../core/refactor/prompt";
import type { TargetSnapshot } from "../../core/refactor/reapply";
import { relocateTarget } from "../../core/refactor/reapply";
import { proposalBreaksParse } from "../../core/refactor/syntaxCheck";
import { explainRequest } from "../../core/refactor/explain";
import { enclosingDefinition, normaliseSelection, type OffsetRange } from "../../core/refactor/target";
import type { AskInChatRequest } from "../../core/chat/conversation";
import { testFilePath } from "../../core/refactor/testFile";
import type { ChatParams, GenerationResult } from "../../core/protocol/host";
import type { Finding } from "../../core/shield/types";
import { gateSuggestion } from "../../core/shield/gate";
import type { ImportedDefinitions } from "../../core/syntax/importedDefinitions";
import type { QueryStore } from "../../core/syntax/queries";
import type { SyntaxRuntime } from "../../core/syntax/syntaxRuntime";
import { commandIds } from "../commandIds";
import { HostRequestError, type ConversationBackend } from "../../core/protocol/backend";
import { assumedContextSize } from "../../core/config/config";
import type { Settings } from "../settings";
import type { ShieldEngine } from "../shield/shieldEngine";
import { definitionsFor } from "./definitions";
import type { InstructionHistory } from "./instructionHistory";
import type { ChatSessionGuard } from "../../core/chat/session";
import { promptMessage } from "../../core/guard/decision";
import type { PendingRefactor, Previews } from "./previews";
import { previewScheme } from "./refactorIds";

/** The chat view's entry point for questions from other features (see chat/chatView.ts). */
export type AskInChat = (request: AskInChatRequest) => Promise<{ ok: true } | { ok: false; reason: string }>;

export interface RefactorServices {
  host: ConversationBackend;
  settings: Settings;
  shield: ShieldEngine;
  log: vscode.LogOutputChannel;
  syntax: () => Promise<SyntaxRuntime | undefined>;
  /** The compiled .scm queries the definition engine runs; shared across requests. */
  queries: QueryStore;
  /** Reads and parses the files the code imports, off the extension host's thread. */
  importedDefinitions: ImportedDefinitions;
  previews: Previews;
  history: InstructionHistory;
  askInChat: AskInChat;
  guard: ChatSessionGuard;
  /** Marks the target found for a request without a selection, so the user sees what is sent. */
  targetHighlight: vscode.TextEditorDecorationType;
}

const prefix = "Llama Assist: ";

function inform(message: string): void {
  void vscode.window.showInformationMessage(prefix + message);
}

function warn(message: string): void {
  void vscode.window.showWarningMessage(prefix + message);
}

/** Runs one refactor from the active editor up to its preview; every early exit leaves the document as it was. */
export async function runRefactor(services: RefactorServices, preset: RefactorPreset): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.uri.scheme === previewScheme) {
    inform("open a file and select the code first.");
    return;
  }
  const document = editor.document;
  const fileName = path.basename(document.uri.path);
  const output = outputOf(preset);
  if (output === "newFile" && document.uri.scheme !== "file") {
    inform("Generate Tests writes a file next to the source, so it works on files on disk only. Nothing was sent.");
    return;
  }
  const readOnly =
    output === "replace"
      ? readOnlyBySettings(document) || !(await isWritable(document.uri))
      : output === "newFile" && !(await isWritable(vscode.Uri.joinPath(document.uri, "..")));
  if (readOnly) {
    warn(`${fileName} is read-only, so a refactor could not be applied there. Nothing was sent.`);
    return;
  }

  const syntax = await syntaxFor(services, document.languageId);
  // Read after the last await before locating the target, so text, version and selection offsets agree; Accept trusts
  // offsets only while the version is unchanged.
  const text = document.getText();
  const version = document.version;
  const located = locateTarget(editor, text, syntax);
  if (located === undefined) {
    inform(
      syntax === undefined
        ? `select the code for ${presetTitles[preset]}: without a grammar for ${document.languageId}, the enclosing function cannot be found.`
        : `select the code for ${presetTitles[preset]}: the cursor is not inside a function or class.`,
    );
    return;
  }
  const { range, context, highlighted } = located;
  if (text.slice(range.start, range.end).trim() === "") {
    inform(`select the code for ${presetTitles[preset]}: the selection holds only whitespace.`);
    return;
  }
  const highlight = new vscode.Range(document.positionAt(range.start), document.positionAt(range.end));
  if (highlighted) {
    editor.setDecorations(services.targetHighlight, [highlight]);
    editor.revealRange(highlight, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  try {
    const definitions =
      syntax === undefined
        ? []
        : await definitionsFor(
            syntax.runtime,
            syntax.language,
            services.queries,
            services.importedDefinitions,
            document,
            text,
            range,
          ).catch((error: unknown) => {
            services.log.warn(`Refactor: no definitions from other files: ${String(error)}`);
            return [];
          });
    await requestAndPreview(services, {
      preset,
      document,
      fileName,
      text,
      version,
      range,
      context: { ...context, definitions },
      syntax,
    });
  } finally {
    if (highlighted) editor.setDecorations(services.targetHighlight, []);
  }
}

interface SyntaxForDocument {
  runtime: SyntaxRuntime;
  language: Language;
}

export async function syntaxFor(
  services: RefactorServices,
  languageId: string,
): Promise<SyntaxForDocument | undefined> {
  const runtime = await services.syntax();
  const language = await runtime?.language(languageId);
  return runtime !== undefined && language !== undefined ? { runtime, language } : undefined;
}

function locateTarget(
  editor: vscode.TextEditor,
  text: string,
  syntax: SyntaxForDocument | undefined,
): { range: OffsetRange; context: SurroundingContext; highlighted: boolean } | undefined {
  const document = editor.document;
  const tree = syntax?.runtime.parse(syntax.language, text);
  try {
    let range: OffsetRange | undefined;
    const highlighted = editor.selection.isEmpty;
    if (!highlighted) {
      range = normaliseSelection(text, {
        start: document.offsetAt(editor.selection.start),
        end: document.offsetAt(editor.selection.end),
      });
    } else if (tree !== undefined) {
      range = enclosingDefinition(tree, document.languageId, text, document.offsetAt(editor.selection.active));
    }
    if (range === undefined) return undefined;
    const context = tree === undefined ? { imports: [] } : surroundingContext(tree, document.languageId, text, range);
    return { range: { start: range.start, end: range.end }, context, highlighted };
  } finally {
    tree?.delete();
  }
}

interface Request {
  preset: RefactorPreset;
  document: vscode.TextDocument;
  fileName: string;
  text: string;
  version: number;
  range: OffsetRange;
  context: SurroundingContext;
  syntax: SyntaxForDocument | undefined;
}

/** From the target to its preview; a stage that returns undefined has told the user why, or the user cancelled. */
async function requestAndPreview(services: RefactorServices, request: Request): Promise<void> {
  const instruction = request.preset === "custom" ? await askInstruction(services) : "";
  if (instruction === undefined || !(await instructionPassesGuard(services, instruction))) return;
  const params = planPrompt(services, request, instruction);
  if (params === undefined) return;
  if (outputOf(request.preset) === "prose") {
    await explainInChat(services, request);
    return;
  }
  const answer = await generate(services, request, params);
  if (answer === undefined) return;
  if (request.document.isClosed) {
    warn(`${request.fileName} was closed before the answer arrived. Nothing was changed.`);
    return;
  }
  const proposal = await checkProposal(services, request, answer);
  if (proposal === undefined) return;
  await preview(services, request, proposal);
}

/** With the guard on, a custom instruction is checked as Llama Guard's User turn before the model sees it. */
async function instructionPassesGuard(services: RefactorServices, instruction: string): Promise<boolean> {
  if (services.guard.mode === "off" || instruction === "") return true;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Llama Guard is checking the instruction…" },
    () => services.guard.checkPrompt(instruction, new AbortController().signal),
  );
  const message = promptMessage(outcome);
  if (message !== undefined)
    warn(message.replace("this message", "this instruction").replace("the chat model", "the model"));
  return message === undefined;
}

/** The custom preset's instruction, remembered for next time; undefined when the user cancelled. */
async function askInstruction(services: RefactorServices): Promise<string | undefined> {
  const asked = await services.history.ask();
  if (asked !== undefined) await services.history.remember(asked);
  return asked;
}

function targetOf(request: Request): string {
  return request.text.slice(request.range.start, request.range.end);
}

/** The prompt for the model's context size; undefined, after a warning, when the selection cannot fit. */
function planPrompt(services: RefactorServices, request: Request, instruction: string): ChatParams | undefined {
  const { preset, document, range } = request;
  const host = services.host.state;
  const configured = services.settings.current.contextSize;
  const contextSize =
    host.phase === "ready" ? host.info.chatModel.contextSize : configured === "auto" ? assumedContextSize : configured;
  const targetText = targetOf(request);
  const plan = planRefactorPrompt({
    preset,
    languageId: document.languageId,
    instruction,
    diagnostics: preset === "fix" ? diagnosticsOn(document, range) : [],
    sourceFileName: request.fileName,
    target: targetText,
    context: request.context,
    contextSize,
  });
  if (plan.kind === "tooLarge") {
    const lines = targetText.split("\n").length;
    warn(
      `the ${lines}-line selection needs about ${plan.estimatedTokens} tokens with its answer, more than the model's context of ${plan.contextSize}. Select a smaller part of the code (one function or class) and try again. Nothing was sent.`,
    );
    return undefined;
  }
  return plan.params;
}

/** Explain's answer is prose, so it streams into the chat view instead of a preview. */
async function explainInChat(services: RefactorServices, request: Request): Promise<void> {
  const { document, range } = request;
  const first = document.positionAt(range.start).line + 1;
  const end = document.positionAt(range.end);
  // A selection that ends at the start of a line does not include that line.
  const last = end.character === 0 && end.line + 1 > first ? end.line : end.line + 1;
  const asked = await services.askInChat(
    explainRequest({
      relativePath: vscode.workspace.asRelativePath(document.uri),
      languageId: document.languageId,
      code: targetOf(request),
      firstLine: first,
      lastLine: last,
      context: request.context,
    }),
  );
  if (!asked.ok) warn(asked.reason);
}

/** The model's answer, streamed under a cancellable notification; undefined, after a message, when the request failed. */
async function generate(
  services: RefactorServices,
  request: Request,
  params: ChatParams,
): Promise<GenerationResult | undefined> {
  const controller = new AbortController();
  const title = `${prefix}${presetTitles[request.preset]} (${request.fileName})`;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const cancel = token.onCancellationRequested(() => controller.abort());
        progress.report({ message: "waiting for the model…" });
        let received = "";
        try {
          return await services.host.chat(
            params,
            (chunk) => {
              received += chunk;
              progress.report({ message: `${received.split("\n").length} lines received…` });
            },
            controller.signal,
          );
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (error) {
    reportRequestError(error);
    return undefined;
  }
}

/** The answer as a proposal, checked by the Shield and the parser; undefined, after a warning, when it holds none. */
async function checkProposal(
  services: RefactorServices,
  request: Request,
  answer: GenerationResult,
): Promise<Proposal | undefined> {
  const { preset, document, text, range } = request;
  const shield = await services.shield.load();
  const job: RefactorJob = {
    preset,
    languageId: document.languageId,
    documentText: text,
    target: range,
    documentLineEnding: document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n",
  };
  const checks: ProposalChecks = {
    shield: (input) =>
      gateSuggestion(
        shield,
        { prefix: input.prefix, suggestion: input.code, suffix: input.suffix, languageId: document.languageId },
        services.settings.current.shield,
      ),
    breaksParse: (before, after) =>
      request.syntax === undefined
        ? false
        : proposalBreaksParse(request.syntax.runtime, request.syntax.language, before, after),
  };
  const outcome = proposalFromAnswer(job, answer, checks);
  if (outcome.kind === "failed") {
    warn(outcome.message);
    return undefined;
  }
  const proposal = outcome.proposal;
  if (proposal.shieldFailure !== undefined) services.log.warn(proposal.shieldFailure);
  return proposal;
}

/** Opens the proposal's diff editor and says what to check before accepting it. */
async function preview(services: RefactorServices, request: Request, proposal: Proposal): Promise<void> {
  const { preset, document, fileName, text, range } = request;
  const notes = [
    ...(proposal.breaksParse ? ["does not parse"] : []),
    ...(proposal.findings.length > 0
      ? [`${proposal.findings.length} Shield finding${proposal.findings.length === 1 ? "" : "s"}`]
      : []),
  ];
  if (outputOf(preset) === "newFile") {
    const newFileUri = vscode.Uri.file(testFilePath(document.uri.fsPath, document.languageId, existsSync));
    const newName = path.basename(newFileUri.path);
    await services.previews.open(
      {
        title: `${newName} (new, proposed)${notes.length > 0 ? ` · ${notes.join(" · ")}` : ""}`,
        output: { kind: "newFile", newFileUri },
        original: "",
        proposal,
      },
      newName,
    );
  } else {
    const snapshot: TargetSnapshot = {
      start: range.start,
      end: range.end,
      text: targetOf(request),
      version: request.version,
      documentLength: text.length,
    };
    await services.previews.open(
      {
        title: `${fileName} ↔ ${presetTitles[preset]} (proposed)${notes.length > 0 ? ` · ${notes.join(" · ")}` : ""}`,
        output: { kind: "replace", documentUri: document.uri, snapshot },
        original: text,
        proposal,
      },
      fileName,
    );
  }
  const findingList = proposal.findings
    .map((finding) => `${finding.ruleId} (line ${finding.startLine + 1})`)
    .join(", ");
  const summary =
    `${presetTitles[preset]} for ${fileName} is ready to review.` +
    (proposal.breaksParse ? " The proposed code does not parse." : "") +
    (findingList !== "" ? ` Shield: ${findingList}.` : "") +
    (proposal.shieldFailure !== undefined ? " The Shield could not scan it." : "");
  // No buttons: a notification with actions stays up after the preview's own Accept or Reject made it stale.
  const show =
    notes.length > 0 || proposal.shieldFailure !== undefined
      ? vscode.window.showWarningMessage
      : vscode.window.showInformationMessage;
  void show(`${prefix}${summary} Accept (Ctrl+Enter) or Reject (Escape) from the preview's title bar.`);
}

function diagnosticsOn(document: vscode.TextDocument, range: OffsetRange): string[] {
  const target = new vscode.Range(document.positionAt(range.start), document.positionAt(range.end));
  const firstLine = target.start.line;
  return vscode.languages
    .getDiagnostics(document.uri)
    .filter((diagnostic) => diagnostic.range.intersection(target) !== undefined)
    .map((diagnostic) => {
      const severity = ["error", "warning", "info", "hint"][diagnostic.severity] ?? "problem";
      const source = diagnostic.source === undefined ? "" : ` (${diagnostic.source})`;
      return `line ${diagnostic.range.start.line - firstLine + 1}: ${severity}: ${diagnostic.message}${source}`;
    });
}

/**
 * Editors made read-only by `files.readonlyInclude` look writable to the file system API, and a WorkspaceEdit still
 * changes their buffer; the settings themselves are the only way to know.
 */
function readOnlyBySettings(document: vscode.TextDocument): boolean {
  const files = vscode.workspace.getConfiguration("files", document.uri);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const matches = (key: string): boolean =>
    Object.entries(files.get<Record<string, unknown>>(key) ?? {}).some(
      ([pattern, enabled]) =>
        enabled === true &&
        [pattern, ...(folder === undefined ? [] : [new vscode.RelativePattern(folder, pattern)])].some(
          (glob) => vscode.languages.match({ pattern: glob }, document) > 0,
        ),
    );
  return matches("readonlyInclude") && !matches("readonlyExclude");
}

async function isWritable(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme === "untitled") return true;
  if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) return false;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (((stat.permissions ?? 0) & vscode.FilePermission.Readonly) !== 0) return false;
  } catch {
    return false;
  }
  if (uri.scheme !== "file") return true;
  // The editor's stat may not mark a file without write permission; the operating system's own check does.
  try {
    await access(uri.fsPath, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function reportRequestError(error: unknown): void {
  if (!(error instanceof HostRequestError)) {
    void vscode.window.showErrorMessage(
      `${prefix}the request failed: ${error instanceof Error ? error.message : String(error)} Nothing was changed.`,
    );
    return;
  }
  switch (error.code) {
    case "cancelled":
      inform("the request was cancelled. Nothing was changed.");
      return;
    case "hostCrashed":
      void vscode.window.showErrorMessage(
        `${prefix}the inference host stopped while answering, so nothing was changed. It restarts by itself; try again in a moment.`,
      );
      return;
    case "contextExceeded":
      warn("the code does not fit the model's context. Select a smaller part and try again. Nothing was changed.");
      return;
    default:
      void vscode.window.showErrorMessage(`${prefix}the request failed: ${error.message} Nothing was changed.`);
  }
}

/** Applies a pending refactor as one WorkspaceEdit (one undo step), only over the exact text that was sent. */
export async function acceptRefactor(services: RefactorServices, pending: PendingRefactor | undefined): Promise<void> {
  if (pending === undefined || !services.previews.isPending(pending)) {
    inform("there is no pending refactor here to accept.");
    return;
  }
  const proposal = pending.proposal;
  if (proposal.needsConfirmation) {
    const reasons = proposal.findings.map(
      (finding) => `• ${finding.ruleId} (${finding.cwe}), line ${finding.startLine + 1}: ${finding.message}`,
    );
    if (proposal.shieldFailure !== undefined) reasons.push(`• ${proposal.shieldFailure}`);
    const choice = await vscode.window.showWarningMessage(
      "The Shield flagged this proposal as insecure. Accept it anyway?",
      { modal: true, detail: reasons.join("\n") },
      "Accept Anyway",
    );
    if (choice !== "Accept Anyway" || !services.previews.isPending(pending)) return;
  }
  if (pending.output.kind === "newFile") {
    await acceptNewFile(services, pending, pending.output.newFileUri);
    return;
  }
  const { documentUri, snapshot } = pending.output;
  const fileName = path.basename(documentUri.path);
  const document = vscode.workspace.textDocuments.find(
    (candidate) => candidate.uri.toString() === documentUri.toString(),
  );
  if (document === undefined || document.isClosed) {
    warn(`${fileName} was closed after the request. Nothing was changed; open it and run the refactor again.`);
    await services.previews.discard(pending);
    return;
  }
  if (readOnlyBySettings(document)) {
    warn(`${fileName} is read-only now, so the refactor was not applied. Nothing was changed.`);
    return;
  }
  const relocation = relocateTarget(snapshot, { text: document.getText(), version: document.version });
  if (relocation.kind === "changed" || relocation.kind === "ambiguous") {
    warn(
      relocation.kind === "changed"
        ? `the code in ${fileName} changed since the request, so the refactor was not applied and nothing was overwritten. Run it again on the new code.`
        : `${fileName} changed since the request and the original code now appears more than once, so the refactor was not applied. Run it again.`,
    );
    await services.previews.discard(pending);
    return;
  }
  const base = relocation.start;
  const edit = new vscode.WorkspaceEdit();
  for (const replacement of proposal.replacements) {
    edit.replace(
      document.uri,
      new vscode.Range(document.positionAt(base + replacement.start), document.positionAt(base + replacement.end)),
      replacement.text,
    );
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(
      `${prefix}${fileName} could not be changed (it may be read-only). Nothing was changed.`,
    );
    return;
  }
  await services.previews.discard(pending);
  const editor = await vscode.window.showTextDocument(document);
  const start = document.positionAt(base);
  editor.selection = new vscode.Selection(start, document.positionAt(base + proposal.code.length));
  editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (proposal.findings.length > 0) {
    const lineShift = start.line - lineAt(pending.original, snapshot.start);
    await vscode.commands.executeCommand(
      commandIds.recordAcceptedFindings,
      document.uri,
      new vscode.Position(0, 0),
      shiftFindings(proposal.findings, lineShift),
    );
  }
}

async function acceptNewFile(
  services: RefactorServices,
  pending: PendingRefactor,
  newFileUri: vscode.Uri,
): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(newFileUri, { contents: new TextEncoder().encode(pending.proposal.proposedDocument) });
  if (!(await vscode.workspace.applyEdit(edit))) {
    warn(
      `${path.basename(newFileUri.path)} could not be created (it may exist by now, or the folder is read-only). Nothing was changed.`,
    );
    return;
  }
  await services.previews.discard(pending);
  const document = await vscode.workspace.openTextDocument(newFileUri);
  await vscode.window.showTextDocument(document);
  if (pending.proposal.findings.length > 0) {
    await vscode.commands.executeCommand(
      commandIds.recordAcceptedFindings,
      newFileUri,
      new vscode.Position(0, 0),
      pending.proposal.findings,
    );
  }
}

function lineAt(text: string, offset: number): number {
  let line = 0;
  for (let index = text.indexOf("\n"); index >= 0 && index < offset; index = text.indexOf("\n", index + 1)) line++;
  return line;
}

function shiftFindings(findings: readonly Finding[], lines: number): Finding[] {
  return findings.map((finding) => ({
    ...finding,
    startLine: finding.startLine + lines,
    endLine: finding.endLine + lines,
  }));
}
