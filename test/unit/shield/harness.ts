import assert from "node:assert/strict";
import path from "node:path";
import { createShield, type Shield, type ShieldLanguage } from "../../../extension/src/core/shield";
import { fileGrammarSource } from "../../../extension/src/node/shield/fileGrammarSource";

/** The grammars `npm run build` copies; the tests read the same files the extension ships. */
export const grammarDirectory = path.resolve(__dirname, "../../../grammars");

export function loadShield(languages: readonly ShieldLanguage[]): Promise<Shield> {
  return createShield({ grammars: fileGrammarSource(grammarDirectory), languages });
}

export interface RuleCase {
  readonly rule: string;
  /** Code the rule must flag. */
  readonly positives: readonly string[];
  /** Code the rule must not flag: the safe argument or the safe variant of the same call. */
  readonly negatives: readonly string[];
  /** Token formats are meant to be found inside strings, so the "same code in a string" negative does not apply. */
  readonly stringsAreInScope?: boolean;
}

const HASH_COMMENT: ReadonlySet<ShieldLanguage> = new Set(["python", "ruby", "shellscript"]);

/** The snippet with every line commented out (PHP keeps its opening tag). */
export function commentedOut(code: string, language: ShieldLanguage): string {
  const marker = HASH_COMMENT.has(language) ? "# " : "// ";
  const lines = code.split("\n").map((line) => (line.startsWith("<?php") ? line : marker + line));
  return language === "php" && !code.startsWith("<?php") ? `<?php\n${lines.join("\n")}` : lines.join("\n");
}

function singleQuoted(code: string, escapeQuote: string): string {
  return `'${code.replace(/\\/g, "\\\\").replace(/'/g, escapeQuote)}'`;
}

/** The snippet as the contents of a string literal in the same language. */
export function insideString(code: string, language: ShieldLanguage): string {
  const quoted = JSON.stringify(code);
  switch (language) {
    case "python":
      return `text = ${quoted}\n`;
    case "javascript":
    case "javascriptreact":
    case "typescript":
    case "typescriptreact":
      return `const text = ${quoted};\n`;
    case "java":
      return `class Holder { String text = ${quoted}; }\n`;
    case "c":
    case "cpp":
      return `const char *text = ${quoted};\n`;
    case "csharp":
      return `class Holder { string text = ${quoted}; }\n`;
    case "go":
      return `package holder\nvar text = ${quoted}\n`;
    case "rust":
      return `const TEXT: &str = ${quoted};\n`;
    case "php":
      return `<?php\n$text = ${singleQuoted(code.replace(/^<\?php\s*/, ""), "\\'")};\n`;
    case "ruby":
      return `text = ${singleQuoted(code, "\\'")}\n`;
    case "shellscript":
      return `text=${singleQuoted(code, "'\\''")}\n`;
  }
}

function ruleIdsIn(shield: Shield, code: string, language: ShieldLanguage): string[] {
  return shield.scan(code, language).map((finding) => finding.ruleId);
}

/** Table-driven rule tests: each positive is flagged; it is not flagged commented out or inside a string; each negative is clean. */
export function describeRules(
  language: ShieldLanguage,
  cases: readonly RuleCase[],
  extraLanguages: readonly ShieldLanguage[] = [],
): void {
  describe(`Shield rules: ${language}`, () => {
    let shield: Shield;
    before(async () => {
      shield = await loadShield([language, ...extraLanguages]);
    });
    after(() => shield.dispose());

    for (const testCase of cases) {
      describe(testCase.rule, () => {
        testCase.positives.forEach((code, index) => {
          it(`flags positive #${index + 1}`, () => {
            assert.ok(
              ruleIdsIn(shield, code, language).includes(testCase.rule),
              `expected ${testCase.rule} in:\n${code}`,
            );
          });
          it(`ignores positive #${index + 1} in a comment`, () => {
            const commented = commentedOut(code, language);
            assert.ok(
              !ruleIdsIn(shield, commented, language).includes(testCase.rule),
              `unexpected ${testCase.rule} in:\n${commented}`,
            );
          });
          if (!testCase.stringsAreInScope) {
            it(`ignores positive #${index + 1} inside a string`, () => {
              const quoted = insideString(code, language);
              assert.ok(
                !ruleIdsIn(shield, quoted, language).includes(testCase.rule),
                `unexpected ${testCase.rule} in:\n${quoted}`,
              );
            });
          }
        });
        testCase.negatives.forEach((code, index) => {
          it(`leaves negative #${index + 1} alone`, () => {
            assert.ok(
              !ruleIdsIn(shield, code, language).includes(testCase.rule),
              `unexpected ${testCase.rule} in:\n${code}`,
            );
          });
        });
      });
    }
  });
}
