import type { GenerationResult } from "../protocol/host";
import type { ShieldVerdict } from "../shield/gate";
import type { Finding } from "../shield/types";
import { extractCode } from "./extract";
import { lineReplacements, type TextReplacement } from "./lineDiff";
import { outputOf, type RefactorPreset } from "./presets";
import type { OffsetRange } from "./target";
import type { LineEnding } from "./text";

/** One request as sent: the document as it was, and where the target is in it. */
export interface RefactorJob {
  preset: RefactorPreset;
  languageId: string;
  documentText: string;
  target: OffsetRange;
  documentLineEnding: LineEnding;
}

/** The checks that need engines the core does not own: the Shield gate and the parser. */
export interface ProposalChecks {
  shield(input: { prefix: string; code: string; suffix: string }): ShieldVerdict;
  /** Whether the proposed document has syntax errors that the original did not. */
  breaksParse(originalDocument: string, proposedDocument: string): boolean;
}

export interface Proposal {
  /** The new code for the target (or the whole new file). */
  code: string;
  /** The document as it would be after accepting; the right side of the preview. */
  proposedDocument: string;
  /** Line-level replacements relative to the target's start; empty for a new file. */
  replacements: TextReplacement[];
  findings: Finding[];
  /** Block findings, or a failed scan in block mode: accepting needs the user's explicit confirmation. */
  needsConfirmation: boolean;
  shieldFailure?: string;
  breaksParse: boolean;
}

export type RefactorFailureKind = "empty" | "noCode" | "unchanged" | "truncated";

export type ProposalOutcome =
  { kind: "proposal"; proposal: Proposal } | { kind: "failed"; failure: RefactorFailureKind; message: string };

export const failureMessages: Readonly<Record<RefactorFailureKind, string>> = {
  empty: "The model's answer was empty. Nothing was changed.",
  noCode: "The model's answer held no code for this file. Nothing was changed.",
  unchanged: "The model returned the code unchanged. Nothing to apply.",
  truncated:
    "The answer was cut off at the token limit before the code was complete. Nothing was changed; select less code or raise llamaAssist.contextSize.",
};

/** Turns the host's answer into a proposal for the preview, or says why there is none. */
export function proposalFromAnswer(
  job: RefactorJob,
  result: GenerationResult,
  checks: ProposalChecks,
): ProposalOutcome {
  if (result.stopReason === "maxTokens") return failed("truncated");
  const output = outputOf(job.preset);
  const original = output === "newFile" ? "" : job.documentText.slice(job.target.start, job.target.end);
  const lineStart = job.documentText.lastIndexOf("\n", job.target.start - 1) + 1;
  const extraction = extractCode({
    answer: result.text,
    original,
    languageId: job.languageId,
    mode: output === "newFile" ? "newFile" : "rewrite",
    startsMidLine: output !== "newFile" && lineStart !== job.target.start,
    documentLineEnding: job.documentLineEnding,
  });
  if (extraction.kind !== "code") return failed(extraction.kind);
  const prefix = output === "newFile" ? "" : job.documentText.slice(0, job.target.start);
  const suffix = output === "newFile" ? "" : job.documentText.slice(job.target.end);
  const proposedDocument = prefix + extraction.code + suffix;
  const verdict = checks.shield({ prefix, code: extraction.code, suffix });
  return {
    kind: "proposal",
    proposal: {
      code: extraction.code,
      proposedDocument,
      replacements: output === "newFile" ? [] : lineReplacements(original, extraction.code),
      findings: verdict.findings,
      needsConfirmation: verdict.action === "withhold",
      ...(verdict.failure !== undefined ? { shieldFailure: verdict.failure } : {}),
      breaksParse: checks.breaksParse(output === "newFile" ? "" : job.documentText, proposedDocument),
    },
  };
}

function failed(failure: RefactorFailureKind): ProposalOutcome {
  return { kind: "failed", failure, message: failureMessages[failure] };
}
