import type { Tree } from "web-tree-sitter";
import type { ShieldMode } from "../config/settingDefaults";
import type { Finding, Shield, ShieldLanguage, SuggestionInput } from "./types";
import { BIDI_CONTROL, bidiControlFindings } from "./engineRules";
import { isShieldLanguage } from "./languages";

export interface ShieldPolicy {
  mode: ShieldMode;
  disabledRules: ReadonlySet<string>;
  disabledLanguages: ReadonlySet<string>;
}

export interface SuggestionInContext {
  prefix: string;
  suggestion: string;
  suffix: string;
  languageId: string;
  /**
   * For ghost text: the document the suggestion goes into, with it inserted (an incremental re-parse of the document's
   * tree), asked only when the Shield scans; undefined without a tree. The gate deletes the tree.
   */
  inDocument?: () => { tree: Tree; prefixStart: number } | undefined;
}

/**
 * What to do with one suggestion. `withhold` carries the findings that caused it, or the scan failure; `show` carries
 * the findings the user should still be warned about.
 */
export type ShieldVerdict =
  | { action: "show"; findings: Finding[]; failure?: string }
  | { action: "withhold"; findings: Finding[]; failure?: string };

/**
 * The single gate every suggestion passes (ghost text, chat code blocks, refactors). It fails closed: when the scan
 * throws in block mode the suggestion is withheld; either way the failure comes back for the log.
 */
export function gateSuggestion(
  shield: Shield | undefined,
  input: SuggestionInContext,
  policy: ShieldPolicy,
): ShieldVerdict {
  if (policy.mode === "off" || policy.disabledLanguages.has(input.languageId)) {
    return { action: "show", findings: [] };
  }
  let findings: Finding[];
  if (!isShieldLanguage(input.languageId)) {
    // No grammar to parse it with, but Trojan Source needs none (an untagged chat code block, a shell transcript).
    findings = policy.disabledRules.has(BIDI_CONTROL.id)
      ? []
      : bidiControlFindings(
          input.prefix + input.suggestion + input.suffix,
          input.prefix.length,
          input.prefix.length + input.suggestion.length,
        );
  } else {
    const language: ShieldLanguage = input.languageId;
    let tree: Tree | undefined;
    try {
      if (!shield) throw new Error("the Shield is not loaded");
      const text: SuggestionInput = {
        prefix: input.prefix,
        suggestion: input.suggestion,
        suffix: input.suffix,
        language,
      };
      const document = input.inDocument?.();
      tree = document?.tree;
      const scanned = document ? { ...text, document } : text;
      findings = shield.scanSuggestion(scanned, { disabledRules: policy.disabledRules });
    } catch (error) {
      const failure = `Shield scan failed: ${error instanceof Error ? error.message : String(error)}`;
      return { action: policy.mode === "block" ? "withhold" : "show", findings: [], failure };
    } finally {
      tree?.delete();
    }
  }
  if (policy.mode === "block" && findings.some((finding) => finding.severity === "block")) {
    return { action: "withhold", findings: findings.filter((finding) => finding.severity === "block") };
  }
  return { action: "show", findings };
}
