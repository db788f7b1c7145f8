import assert from "node:assert/strict";
import { ALL_RULES } from "../../../extension/src/core/shield/rules";
import { C_CASES, CPP_CASES } from "./cases/c";
import { CSHARP_CASES } from "./cases/csharp";
import { JAVA_CASES } from "./cases/java";
import { JAVASCRIPT_CASES, JSX_CASES, TYPESCRIPT_CASES } from "./cases/javascript";
import { GO_CASES, RUBY_CASES, RUST_CASES, SHELL_CASES } from "./cases/others";
import { PHP_CASES } from "./cases/php";
import { PYTHON_CASES } from "./cases/python";
import { JAVASCRIPT_WEB_CASES, PHP_WEB_CASES, PYTHON_WEB_CASES, RUBY_WEB_CASES } from "./cases/web";
import { describeRules, type RuleCase } from "./harness";

describeRules("python", [...PYTHON_CASES, ...PYTHON_WEB_CASES]);
describeRules("javascript", [...JAVASCRIPT_CASES, ...JSX_CASES, ...JAVASCRIPT_WEB_CASES]);
describeRules("typescript", [...JAVASCRIPT_CASES, ...TYPESCRIPT_CASES, ...JAVASCRIPT_WEB_CASES]);
describeRules("javascriptreact", JSX_CASES);
describeRules("typescriptreact", [...JSX_CASES, ...TYPESCRIPT_CASES]);
describeRules("java", JAVA_CASES);
describeRules("c", C_CASES);
describeRules("cpp", [...C_CASES, ...CPP_CASES]);
describeRules("csharp", CSHARP_CASES);
describeRules("php", [...PHP_CASES, ...PHP_WEB_CASES]);
describeRules("go", GO_CASES);
describeRules("rust", RUST_CASES);
describeRules("ruby", [...RUBY_CASES, ...RUBY_WEB_CASES]);
describeRules("shellscript", SHELL_CASES);

describe("Shield rule tables", () => {
  const tables: readonly (readonly RuleCase[])[] = [
    PYTHON_CASES,
    JAVASCRIPT_CASES,
    JSX_CASES,
    TYPESCRIPT_CASES,
    JAVA_CASES,
    C_CASES,
    CPP_CASES,
    CSHARP_CASES,
    PHP_CASES,
    GO_CASES,
    RUST_CASES,
    RUBY_CASES,
    SHELL_CASES,
    PYTHON_WEB_CASES,
    JAVASCRIPT_WEB_CASES,
    RUBY_WEB_CASES,
    PHP_WEB_CASES,
  ];

  it("cover every rule with a positive and a negative", () => {
    const tested = new Set(
      tables
        .flat()
        .filter((c) => c.positives.length > 0 && c.negatives.length > 0)
        .map((c) => c.rule),
    );
    const untested = ALL_RULES.map((rule) => rule.id).filter((id) => !tested.has(id));
    assert.deepEqual(untested, []);
  });

  it("keep CBC and the other unauthenticated modes at warn, with the reason in the explanation", () => {
    const rule = ALL_RULES.find((candidate) => candidate.id === "crypto.unauthenticated-mode");
    assert.equal(rule?.severity, "warn");
    assert.match(rule?.explanation ?? "", /warning, not a block/i);
  });

  it("give every rule an id, CWE, message, fix hint and explanation", () => {
    const ids = new Set<string>();
    for (const rule of ALL_RULES) {
      assert.ok(!ids.has(rule.id), `duplicate rule id ${rule.id}`);
      ids.add(rule.id);
      assert.match(rule.cwe, /^CWE-\d+$/, rule.id);
      assert.ok(rule.message.length > 10 && rule.fixHint.length > 10 && rule.explanation.length > 30, rule.id);
    }
  });
});
