// From the host's answer to a proposal: failures that must change nothing, the Shield and parse verdicts, the edits.
import assert from "node:assert/strict";
import { applyReplacements } from "../../../extension/src/core/refactor/lineDiff";
import {
  proposalFromAnswer,
  type ProposalChecks,
  type RefactorJob,
} from "../../../extension/src/core/refactor/pipeline";
import type { GenerationResult } from "../../../extension/src/core/protocol/host";
import type { Finding } from "../../../extension/src/core/shield/types";

const documentText = "import sys\n\n\ndef greet(name):\n    return 'Hi, ' + name\n\n\nprint(greet(sys.argv[1]))\n";
const targetText = "def greet(name):\n    return 'Hi, ' + name\n";
const job: RefactorJob = {
  preset: "custom",
  languageId: "python",
  documentText,
  target: { start: documentText.indexOf(targetText), end: documentText.indexOf(targetText) + targetText.length },
  documentLineEnding: "\n",
};

function result(text: string, stopReason: GenerationResult["stopReason"] = "eos"): GenerationResult {
  return { text, stopReason, tokensEvaluated: 10, promptTokens: 10, generatedTokens: 5 };
}

const blockFinding: Finding = {
  ruleId: "py.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "eval of input",
  fixHint: "",
  startLine: 4,
  startColumn: 11,
  endLine: 4,
  endColumn: 21,
  startIndex: 0,
  endIndex: 1,
};

/** Test doubles for the engines: what each check saw is recorded, and the verdict is set per test. */
function checks(verdict: ReturnType<ProposalChecks["shield"]> = { action: "show", findings: [] }, breaks = false) {
  const seen: { shield: Array<{ prefix: string; code: string; suffix: string }>; parse: Array<[string, string]> } = {
    shield: [],
    parse: [],
  };
  const value: ProposalChecks = {
    shield(input) {
      seen.shield.push(input);
      return verdict;
    },
    breaksParse(original, proposed) {
      seen.parse.push([original, proposed]);
      return breaks;
    },
  };
  return { value, seen };
}

describe("refactor: from answer to proposal", function () {
  it("builds the proposed document and line edits that turn the document into it", function () {
    const { value, seen } = checks();
    const outcome = proposalFromAnswer(
      job,
      result("```python\ndef greet(name):\n    return 'Hello, ' + name\n```"),
      value,
    );
    assert.equal(outcome.kind, "proposal");
    if (outcome.kind !== "proposal") return;
    const proposal = outcome.proposal;
    assert.equal(proposal.proposedDocument, documentText.replace("'Hi, '", "'Hello, '"));
    assert.equal(proposal.replacements.length, 1);
    assert.equal(proposal.replacements[0].text, "    return 'Hello, ' + name");
    const shifted = proposal.replacements.map((edit) => ({
      ...edit,
      start: edit.start + job.target.start,
      end: edit.end + job.target.start,
    }));
    assert.equal(applyReplacements(documentText, shifted), proposal.proposedDocument);
    assert.deepEqual(seen.shield, [
      {
        prefix: documentText.slice(0, job.target.start),
        code: proposal.code,
        suffix: documentText.slice(job.target.end),
      },
    ]);
    assert.deepEqual(seen.parse, [[documentText, proposal.proposedDocument]]);
    assert.equal(proposal.needsConfirmation, false);
    assert.equal(proposal.breaksParse, false);
  });

  it("a withheld Shield verdict becomes a confirmation before accepting, with its findings", function () {
    const outcome = proposalFromAnswer(
      job,
      result("```python\ndef greet(name):\n    return eval(name)\n```"),
      checks({ action: "withhold", findings: [blockFinding] }).value,
    );
    assert.equal(outcome.kind, "proposal");
    if (outcome.kind !== "proposal") return;
    assert.equal(outcome.proposal.needsConfirmation, true);
    assert.deepEqual(outcome.proposal.findings, [blockFinding]);
  });

  it("a failed scan is carried to the preview", function () {
    const outcome = proposalFromAnswer(
      job,
      result("```python\ndef greet(name):\n    return name\n```"),
      checks({ action: "withhold", findings: [], failure: "Shield scan failed: boom" }).value,
    );
    assert.ok(
      outcome.kind === "proposal" &&
        outcome.proposal.needsConfirmation &&
        outcome.proposal.shieldFailure === "Shield scan failed: boom",
    );
  });

  it("marks a result that does not parse", function () {
    const outcome = proposalFromAnswer(
      job,
      result("```python\ndef greet(name:\n    return name\n```"),
      checks(undefined, true).value,
    );
    assert.ok(outcome.kind === "proposal" && outcome.proposal.breaksParse);
  });

  const failures: Array<[string, GenerationResult, string, RegExp]> = [
    ["an empty answer", result(""), "empty", /empty/],
    ["an answer with no code", result("Sorry, I can't help with that request."), "noCode", /no code/],
    ["the original unchanged", result(`\`\`\`python\n${targetText}\`\`\``), "unchanged", /unchanged/],
    ["a truncated answer", result("```python\ndef greet(name):\n    return", "maxTokens"), "truncated", /token limit/],
  ];
  for (const [name, answer, failure, message] of failures) {
    it(`${name}: a clear message, no proposal, no checks run`, function () {
      const { value, seen } = checks();
      const outcome = proposalFromAnswer(job, answer, value);
      assert.equal(outcome.kind, "failed");
      if (outcome.kind !== "failed") return;
      assert.equal(outcome.failure, failure);
      assert.match(outcome.message, message);
      assert.deepEqual(seen, { shield: [], parse: [] });
    });
  }

  it("Generate Tests: the whole new file is the proposal, scanned on its own", function () {
    const { value, seen } = checks();
    const outcome = proposalFromAnswer(
      { ...job, preset: "generateTests" },
      result("```python\nfrom greet import greet\n\ndef test_greet():\n    assert greet('a') == 'Hi, a'\n```"),
      value,
    );
    assert.equal(outcome.kind, "proposal");
    if (outcome.kind !== "proposal") return;
    assert.equal(
      outcome.proposal.proposedDocument,
      "from greet import greet\n\ndef test_greet():\n    assert greet('a') == 'Hi, a'\n",
    );
    assert.deepEqual(outcome.proposal.replacements, []);
    assert.equal(seen.shield[0].prefix, "");
    assert.deepEqual(seen.parse, [["", outcome.proposal.proposedDocument]]);
  });
});
