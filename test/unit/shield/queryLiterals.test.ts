import assert from "node:assert/strict";
import { createShield, type ShieldLanguage } from "../../../extension/src/core/shield";
import { requiredWords } from "../../../extension/src/core/shield/queryLiterals";
import { ALL_RULES } from "../../../extension/src/core/shield/rules";
import { fileGrammarSource } from "../../../extension/src/node/shield/fileGrammarSource";
import { C_CASES, CPP_CASES } from "./cases/c";
import { CSHARP_CASES } from "./cases/csharp";
import { JAVA_CASES } from "./cases/java";
import { JAVASCRIPT_CASES, JSX_CASES, TYPESCRIPT_CASES } from "./cases/javascript";
import { GO_CASES, RUBY_CASES, RUST_CASES, SHELL_CASES } from "./cases/others";
import { PHP_CASES } from "./cases/php";
import { PYTHON_CASES } from "./cases/python";
import { grammarDirectory, type RuleCase } from "./harness";

const TABLES: readonly [ShieldLanguage, readonly RuleCase[]][] = [
  ["python", PYTHON_CASES],
  ["javascript", JAVASCRIPT_CASES],
  ["javascriptreact", JSX_CASES],
  ["typescript", TYPESCRIPT_CASES],
  ["java", JAVA_CASES],
  ["c", C_CASES],
  ["cpp", CPP_CASES],
  ["csharp", CSHARP_CASES],
  ["php", PHP_CASES],
  ["go", GO_CASES],
  ["rust", RUST_CASES],
  ["ruby", RUBY_CASES],
  ["shellscript", SHELL_CASES],
];

describe("Shield query pre-screen (compileOnDemand)", () => {
  it("requires a word only from positive predicates on a capture every match has", () => {
    assert.deepEqual(requiredWords(`((call function: (identifier) @fn) @finding (#any-of? @fn "eval" "exec"))`), [
      ["eval", "exec"],
    ]);
    assert.deepEqual(requiredWords(`((identifier) @fn (#not-eq? @fn "safe"))`), []);
    assert.deepEqual(requiredWords(`((call function: [(identifier) @fn (attribute)]) (#eq? @fn "eval"))`), []);
    assert.deepEqual(requiredWords(`((call (keyword_argument name: (identifier) @k)? ) (#eq? @k "shell"))`), []);
    assert.deepEqual(requiredWords(`((call (identifier)* @k) (#eq? @k "x"))`), []);
    assert.deepEqual(requiredWords(`((string) @s (#match? @s "^password"))`), []);
  });

  it("keeps, for every positive of every rule table, a pattern of the rule that the snippet can match", () => {
    const missed: string[] = [];
    for (const [language, cases] of TABLES) {
      for (const testCase of cases) {
        const patterns = ALL_RULES.filter((rule) => rule.id === testCase.rule).flatMap((rule) =>
          rule.patterns.filter((pattern) => pattern.languages.includes(language)),
        );
        for (const code of testCase.positives) {
          const text = language === "php" ? `<?php ${code}` : code;
          const kept = patterns.some((pattern) =>
            requiredWords(pattern.query).every((words) => words.some((word) => text.includes(word))),
          );
          if (!kept) missed.push(`${language} ${testCase.rule}: ${code}`);
        }
      }
    }
    assert.deepEqual(missed, []);
  });

  it("finds the same on a first text and on a later one that needs patterns the first did not", async () => {
    const shield = await createShield({
      grammars: fileGrammarSource(grammarDirectory),
      languages: ["python", "php"],
      compileOnDemand: true,
    });
    try {
      const ids = (code: string, language: ShieldLanguage): string[] =>
        shield.scan(code, language).map((finding) => finding.ruleId);
      assert.deepEqual(ids("import os\nos.system('ping ' + host)\n", "python"), ["python.os-command"]);
      assert.deepEqual(ids("import hashlib\nh = hashlib.md5(data)\n", "python"), ["python.weak-hash"]);
      assert.deepEqual(ids("import os\nos.system('ping ' + host)\n", "python"), ["python.os-command"]);
      assert.deepEqual(ids("$out = shell_exec('ls ' . $dir);", "php"), ["php.command-injection"]);
    } finally {
      shield.dispose();
    }
  });
});
