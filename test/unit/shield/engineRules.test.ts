import assert from "node:assert/strict";
import { SHIELD_LANGUAGES, type Shield } from "../../../extension/src/core/shield";
import { MAX_ANALYSED_DEPTH } from "../../../extension/src/core/shield/engineRules";
import { gateSuggestion, type ShieldPolicy } from "../../../extension/src/core/shield/gate";
import { commentedOut, insideString, loadShield } from "./harness";

const TOO_DEEP = "shield.too-deeply-nested";
const BIDI = "shield.bidi-control-character";

/** A command built from input, `levels` brackets down: the finding a depth limit must not silently lose. */
function nestedCommand(language: "python" | "javascript", levels: number): string {
  return language === "python"
    ? `import os\nos.system(${"[".repeat(levels)}'rm -rf ' + path${"]".repeat(levels)})\n`
    : `const cp = require('child_process');\n${"f(".repeat(levels)}cp.exec('rm -rf ' + dir)${")".repeat(levels)};\n`;
}

const blockPolicy: ShieldPolicy = { mode: "block", disabledRules: new Set(), disabledLanguages: new Set() };

describe("Shield engine rules", function () {
  this.timeout(120_000);
  let shield: Shield;
  before(async () => {
    shield = await loadShield(SHIELD_LANGUAGES);
  });
  after(() => shield.dispose());

  describe("code nested too deeply to analyse", () => {
    for (const language of ["python", "javascript"] as const) {
      it(`${language}: analyses code nested 100 levels as usual`, () => {
        const ids = shield.scan(nestedCommand(language, 100), language).map((f) => f.ruleId);
        assert.ok(!ids.includes(TOO_DEEP), ids.join());
        assert.ok(ids.length > 0, "the command under 100 levels is still found");
      });

      for (const levels of [1_000, 10_000, 100_000]) {
        it(`${language}: blocks code nested ${levels} levels instead of passing it as clean`, () => {
          const findings = shield.scan(nestedCommand(language, levels), language);
          assert.deepEqual(
            findings.map((f) => [f.ruleId, f.severity, f.startLine]),
            [[TOO_DEEP, "block", 1]],
          );
        });
      }
    }

    /** A table of `terms` literals joined by `+`, as generated code writes one, and a command built from input after it. */
    function longConcatenation(language: "java" | "javascript" | "python", terms: number): string {
      const table = `${'    "\\u0000\\u0001" +\n'.repeat(terms)}    ""`;
      if (language === "java")
        return `class Table {\n  static final String DATA =\n${table};\n  void run(String x) throws Exception { Runtime.getRuntime().exec("ls " + x); }\n}\n`;
      if (language === "javascript") return `const DATA =\n${table};\nrequire("child_process").exec("ls " + x);\n`;
      return `DATA = (\n${table})\nimport os\nos.system("ls " + x)\n`;
    }

    for (const language of ["java", "javascript", "python"] as const) {
      it(`${language}: analyses a concatenation of 3,000 literals, which is long rather than deep`, () => {
        const code = longConcatenation(language, 3_000);
        const findings = shield.scan(code, language);
        assert.deepEqual(
          findings.map((f) => [f.ruleId === TOO_DEEP, f.startLine]),
          [[false, language === "javascript" ? 3_002 : 3_003]],
        );
      });
    }

    it("finds a call inside a long concatenation, below the levels one query covers", () => {
      const terms = '    "\\u0000" +\n'.repeat(1_500);
      const code = `class T {\n  String s(String x) throws Exception {\n    return\n${terms}    Runtime.getRuntime().exec("ls " + x) +\n${terms}    "";\n  }\n}\n`;
      assert.deepEqual(
        shield.scan(code, "java").map((f) => [f.ruleId, f.startLine]),
        [["java.command-injection", 1_503]],
      );
    });

    it("still blocks a concatenation long enough to make the queries slow", () => {
      const findings = shield.scan(longConcatenation("javascript", 20_000), "javascript");
      assert.deepEqual(
        findings.map((f) => f.ruleId),
        [TOO_DEEP],
      );
    });

    it("points the finding at code, not into the literal the nesting begins with", () => {
      // Nested to the right, each level opens with a string: the outermost node too deep begins inside one.
      const code = `x = ${"'a' + (".repeat(2_000)}'end'${")".repeat(2_000)}\n`;
      const [finding, ...rest] = shield.scan(code, "python");
      assert.deepEqual([finding?.ruleId, rest], [TOO_DEEP, []]);
      const at = finding?.startIndex ?? 0;
      assert.match(code.slice(at, finding?.endIndex), /^[+(]$/);
    });

    it("withholds a suggestion whose surrounding code is too deep, since the suggestion went unanalysed", () => {
      const verdict = gateSuggestion(
        shield,
        {
          prefix: nestedCommand("python", 5_000),
          suggestion: "os.system(cmd)",
          suffix: "\n",
          languageId: "python",
        },
        blockPolicy,
      );
      assert.equal(verdict.action, "withhold");
      assert.deepEqual(
        verdict.findings.map((f) => f.ruleId),
        [TOO_DEEP],
      );
    });

    it("states its limit in the rule's message", () => {
      const rule = shield.rules().find((r) => r.id === TOO_DEEP);
      assert.ok(rule?.message.includes(String(MAX_ANALYSED_DEPTH)));
      assert.deepEqual(rule?.languages, SHIELD_LANGUAGES);
    });
  });

  describe("Trojan Source (CVE-2021-42574)", () => {
    // The "commenting-out" example of the paper: the override makes "admin only" look like the end of the comment.
    const attack = "access_level = 'user' \u202e \u2066// Check if admin\u2069 \u2066";

    for (const language of SHIELD_LANGUAGES) {
      it(`${language}: flags bidirectional controls in a comment and in a string`, () => {
        for (const code of [commentedOut(attack, language), insideString(attack, language)]) {
          const findings = shield.scan(code, language).filter((f) => f.ruleId === BIDI);
          assert.equal(findings.length, 4, code);
          for (const finding of findings) {
            assert.equal(finding.severity, "block");
            assert.match(code.slice(finding.startIndex, finding.endIndex), /^[\u202a-\u202e\u2066-\u2069]+$/);
          }
        }
      });
    }

    it("points at the character's line and column", () => {
      const [finding] = shield.scan("x = 1\ny = 'a\u2067b'\n", "python");
      assert.deepEqual(
        [finding?.ruleId, finding?.startLine, finding?.startColumn, finding?.endColumn],
        [BIDI, 1, 6, 7],
      );
    });

    it("reports a control character in the suggestion, not one already in the prefix", () => {
      const inSuggestion = shield.scanSuggestion({
        prefix: "x = 1\n",
        suggestion: "name = 'a\u202eb'",
        suffix: "\n",
        language: "python",
      });
      assert.deepEqual(
        inSuggestion.map((f) => [f.ruleId, f.startIndex]),
        [[BIDI, 15]],
      );
      const inPrefix = shield.scanSuggestion({
        prefix: "name = 'a\u202eb'\n",
        suggestion: "x = 1",
        suffix: "\n",
        language: "python",
      });
      assert.deepEqual(inPrefix, []);
    });

    it("leaves right-to-left text without control characters alone", () => {
      assert.deepEqual(shield.scan("greeting = 'שלום עולם'\n", "python"), []);
    });

    for (const languageId of ["plaintext", "markdown"]) {
      it(`withholds a ${languageId} chat code block with a control character, which no grammar parses`, () => {
        const verdict = gateSuggestion(
          shield,
          { prefix: "", suggestion: "if is_admin \u202e { return }", suffix: "", languageId },
          blockPolicy,
        );
        assert.equal(verdict.action, "withhold");
        assert.deepEqual(
          verdict.findings.map((f) => f.ruleId),
          [BIDI],
        );
      });
    }

    it("can be turned off like any rule", () => {
      const policy: ShieldPolicy = { ...blockPolicy, disabledRules: new Set([BIDI]) };
      const code = { prefix: "", suggestion: "x = '\u202e'", suffix: "", languageId: "python" };
      assert.equal(gateSuggestion(shield, code, policy).action, "show");
      assert.equal(gateSuggestion(shield, { ...code, languageId: "plaintext" }, policy).action, "show");
    });
  });
});
