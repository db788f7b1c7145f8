import assert from "node:assert/strict";
import type { Tree } from "web-tree-sitter";
import { gateSuggestion, type ShieldPolicy } from "../../../extension/src/core/shield/gate";
import type { Finding, Shield, SuggestionInput, ScanOptions } from "../../../extension/src/core/shield/types";

function finding(ruleId: string, severity: Finding["severity"]): Finding {
  return {
    ruleId,
    cwe: "CWE-78",
    severity,
    message: ruleId,
    fixHint: "",
    startLine: 0,
    startColumn: 0,
    endLine: 0,
    endColumn: 1,
    startIndex: 0,
    endIndex: 1,
  };
}

/** A stand-in engine: the gate's logic is under test here, the real engine has its own tests. */
function fakeShield(
  result: Finding[] | Error,
  seen: Array<{ input: SuggestionInput; options?: ScanOptions }> = [],
): Shield {
  return {
    scan: () => [],
    scanSuggestion: (input, options) => {
      seen.push({ input, options });
      if (result instanceof Error) throw result;
      return result;
    },
    rules: () => [],
    languages: () => [],
    dispose: () => undefined,
  };
}

const policy = (mode: ShieldPolicy["mode"], extra: Partial<ShieldPolicy> = {}): ShieldPolicy => ({
  mode,
  disabledRules: new Set(),
  disabledLanguages: new Set(),
  ...extra,
});
const input = {
  prefix: "import subprocess\n",
  suggestion: "subprocess.run(cmd, shell=True)",
  suffix: "\n",
  languageId: "python",
};

describe("shield gate", () => {
  it("withholds a suggestion with a block finding in block mode", () => {
    const verdict = gateSuggestion(
      fakeShield([finding("py.shell", "block"), finding("py.md5", "warn")]),
      input,
      policy("block"),
    );
    assert.equal(verdict.action, "withhold");
    assert.deepEqual(
      verdict.findings.map((f) => f.ruleId),
      ["py.shell"],
    );
  });

  it("shows it with the warning in warn mode", () => {
    const verdict = gateSuggestion(fakeShield([finding("py.shell", "block")]), input, policy("warn"));
    assert.equal(verdict.action, "show");
    assert.deepEqual(
      verdict.findings.map((f) => f.ruleId),
      ["py.shell"],
    );
  });

  it("shows a suggestion with only warn findings in block mode, carrying them", () => {
    const verdict = gateSuggestion(fakeShield([finding("py.md5", "warn")]), input, policy("block"));
    assert.equal(verdict.action, "show");
    assert.equal(verdict.findings.length, 1);
  });

  it("does not scan when off or when the language is switched off", () => {
    const seen: Array<{ input: SuggestionInput }> = [];
    const shield = fakeShield([finding("py.shell", "block")], seen);
    assert.equal(gateSuggestion(shield, input, policy("off")).action, "show");
    assert.equal(
      gateSuggestion(shield, input, policy("block", { disabledLanguages: new Set(["python"]) })).action,
      "show",
    );
    assert.equal(gateSuggestion(shield, { ...input, languageId: "markdown" }, policy("block")).action, "show");
    assert.equal(seen.length, 0);
  });

  it("passes the context and the disabled rules to the engine", () => {
    const seen: Array<{ input: SuggestionInput; options?: ScanOptions }> = [];
    gateSuggestion(fakeShield([], seen), input, policy("block", { disabledRules: new Set(["py.md5"]) }));
    assert.deepEqual(seen[0]!.input, {
      prefix: input.prefix,
      suggestion: input.suggestion,
      suffix: input.suffix,
      language: "python",
    });
    assert.deepEqual([...seen[0]!.options!.disabledRules!], ["py.md5"]);
  });

  it("fails closed in block mode when the scan throws, and reports why", () => {
    const verdict = gateSuggestion(fakeShield(new Error("parse timed out")), input, policy("block"));
    assert.equal(verdict.action, "withhold");
    assert.match(verdict.failure ?? "", /parse timed out/);
    assert.equal(gateSuggestion(undefined, input, policy("block")).action, "withhold");
  });

  it("shows the suggestion in warn mode when the scan throws, still reporting why", () => {
    const verdict = gateSuggestion(fakeShield(new Error("boom")), input, policy("warn"));
    assert.equal(verdict.action, "show");
    assert.match(verdict.failure ?? "", /boom/);
  });

  it("scans in the document's tree when one is offered, asks for it only to scan, and deletes it", () => {
    let parsed = 0;
    let deleted = 0;
    const tree = { delete: () => deleted++ } as unknown as Tree;
    const inDocument = () => {
      parsed++;
      return { tree, prefixStart: 40 };
    };
    const seen: Array<{ input: SuggestionInput; options?: ScanOptions }> = [];
    gateSuggestion(fakeShield([], seen), { ...input, inDocument }, policy("off"));
    assert.equal(parsed, 0);
    gateSuggestion(fakeShield([], seen), { ...input, inDocument }, policy("block"));
    assert.equal(seen[0]?.input.document?.tree, tree);
    assert.equal(seen[0]?.input.document?.prefixStart, 40);
    assert.deepEqual([parsed, deleted], [1, 1]);
    const verdict = gateSuggestion(fakeShield(new Error("boom")), { ...input, inDocument }, policy("block"));
    assert.equal(verdict.action, "withhold");
    assert.deepEqual([parsed, deleted], [2, 2]);
  });

  it("fails closed when the document's re-parse throws", () => {
    const inDocument = () => {
      throw new Error("tree-sitter could not parse");
    };
    const verdict = gateSuggestion(fakeShield([]), { ...input, inDocument }, policy("block"));
    assert.equal(verdict.action, "withhold");
    assert.match(verdict.failure ?? "", /could not parse/);
  });
});
