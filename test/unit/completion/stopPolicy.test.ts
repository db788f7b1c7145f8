import assert from "node:assert/strict";
import type { CompletionMode } from "../../../extension/src/core/completion/mode";
import { postProcess } from "../../../extension/src/core/completion/postProcess";
import { stopPolicySpec } from "../../../extension/src/core/completion/stopPolicy";
import { codeTokens, streamThroughPolicy } from "../../fixtures/earlyStop";
import { insertionParserFor } from "../syntax/testRuntime";

const style = { insertSpaces: true, tabSize: 4 };

interface Case {
  prefix: string;
  suffix: string;
  raw: string;
  mode?: CompletionMode;
  maxLines?: number;
  checksSyntax?: boolean;
  timeCapMs?: number;
}

function streamed(test: Case, generationMs?: (token: number) => number) {
  const spec = stopPolicySpec({
    prefix: test.prefix,
    suffix: test.suffix,
    mode: test.mode ?? "multiLine",
    maxLines: test.maxLines ?? 12,
    tabSize: style.tabSize,
    checksSyntax: test.checksSyntax ?? false,
    timeCapMs: test.timeCapMs ?? 0,
  });
  return streamThroughPolicy(spec, codeTokens(test.raw), generationMs);
}

/** What the editor shows for `raw`: post-processing without a syntax tree, then maxLines. */
function shown(test: Case, raw: string): string {
  const result = postProcess({ raw, prefix: test.prefix, suffix: test.suffix, mode: test.mode ?? "multiLine", style });
  return result.show
    ? result.insertion.text
        .split("\n")
        .slice(0, test.maxLines ?? 12)
        .join("\n")
    : `(${result.reason})`;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 0x1_0000_0000;
  };
}

describe("stop policy", () => {
  it("stops a model that rambles into the next function as soon as that function's first word arrives", () => {
    const test = {
      prefix: "def add(a, b):\n    ",
      suffix: "\n",
      raw: "return a + b\n\ndef sub(a, b):\n    return a - b\n\ndef mul(a, b):\n    return a * b\n",
    };
    const outcome = streamed(test);
    assert.equal(outcome.decision?.reason, "complete");
    assert.equal(outcome.text, "return a + b\n\ndef");
    assert.equal(shown(test, outcome.text), "return a + b");
    assert.equal(shown(test, test.raw), "return a + b");
  });

  it("waits for a line that may close the block, which the block keeps", () => {
    const test = {
      prefix: "function f() {\n  ",
      suffix: "\n",
      raw: "return 1;\n}\n\nfunction g() {\n  return 2;\n}\n",
    };
    const outcome = streamed({ ...test, prefix: "function f() {\n  " });
    assert.equal(outcome.text, "return 1;\n}");
    assert.equal(shown(test, outcome.text), shown(test, test.raw));
  });

  it("waits for a keyword that may be `end` rather than a new statement", () => {
    const test = {
      prefix: "def area(r)\n  ",
      suffix: "\n",
      raw: "3.14 * r * r\nend\n\ndef perimeter(r)\n  2 * 3.14 * r\nend\n",
    };
    const outcome = streamed(test);
    assert.equal(outcome.text, "3.14 * r * r\nend");
    assert.equal(shown(test, outcome.text), "3.14 * r * r\nend");
  });

  it("stops a model that repeats one line once the second copy is complete", () => {
    const test = {
      prefix: "for price in prices:\n    ",
      suffix: "\n",
      raw: "total += price\n    total += price\n    total += price\n    total += price\n",
    };
    const outcome = streamed(test);
    assert.equal(outcome.text, "total += price\n    total += price");
    assert.equal(shown(test, outcome.text), "total += price");
  });

  it("gives up a first line that repeats the line above the cursor at once", () => {
    const test = { prefix: "import os\n", suffix: "", raw: "import os\nimport os\nimport os\n" };
    const outcome = streamed(test);
    assert.equal(outcome.text, "import os");
    assert.equal(shown(test, outcome.text), "(empty)");
  });

  it("stops at a line that repeats the code after the cursor", () => {
    const test = {
      prefix: "def f(x):\n    ",
      suffix: "\n    return y\n",
      raw: "y = x * 2\n    return y\n    print(y)\n    print(y)\n",
    };
    const outcome = streamed(test);
    assert.equal(outcome.text, "y = x * 2\n    return y");
    assert.equal(shown(test, outcome.text), "y = x * 2");
  });

  it("stops one line after a control token", () => {
    const test = { prefix: "x = ", suffix: "", raw: "compute(y)<|endoftext|>\n\nmore = 1\n" };
    assert.equal(streamed({ ...test, mode: "singleLine" }).text, "compute(y)<|endoftext|>");
  });

  it("stops a single-line completion at its line break", () => {
    const test = { prefix: "x = ", suffix: "", raw: "compute(y)\nz = 2\n", mode: "singleLine" as const };
    assert.equal(streamed(test).text, "compute(y)");
  });

  it("stops past maxLines only where post-processing will not parse the whole insertion", () => {
    const body = Array.from({ length: 20 }, (_, index) => `x${index} = ${index}`).join("\n    ");
    const test = { prefix: "def f():\n    ", suffix: "\n", raw: `${body}\n`, maxLines: 5 };
    const unchecked = streamed(test);
    assert.equal(unchecked.text.split("\n").length, 6);
    assert.equal(shown(test, unchecked.text), shown(test, test.raw));
    assert.equal(streamed({ ...test, checksSyntax: true }).decision, undefined);
  });

  it("caps the time once a full line exists and keeps the full lines", () => {
    const test = {
      prefix: "def f():\n    ",
      suffix: "\n",
      raw: "a = 1\n    b = 2\n    c = 3\n    d = 4\n",
      timeCapMs: 100,
    };
    const outcome = streamed(test, (token) => token * 15);
    assert.equal(outcome.decision?.reason, "timeLimit");
    assert.equal(outcome.text, "a = 1\n    b = 2");
    assert.equal(
      streamed({ ...test, raw: "a = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9" }, (token) => token * 40).decision,
      undefined,
    );
  });

  it("keeps the block's own tree-sitter cut: a brace block the model closes ends where post-processing ends it", async () => {
    const prefix = "class A {\n  run(): void {\n    ";
    const suffix = "\n  }\n}\n";
    const raw = "this.step();\n    this.done = true;\n  }\n\n  stop(): void {\n    this.halt();\n  }\n";
    const syntax = await insertionParserFor("typescript", prefix, suffix);
    try {
      const outcome = streamed({ prefix, suffix, raw, checksSyntax: true });
      const process = (text: string) =>
        postProcess({ raw: text, prefix, suffix, mode: "multiLine", style, syntax: syntax.parser });
      assert.deepEqual(process(outcome.text), process(raw));
      assert.equal(outcome.text, "this.step();\n    this.done = true;\n  }");
    } finally {
      syntax.dispose();
    }
  });

  it("never changes what post-processing shows, on random model output (no syntax tree)", () => {
    const random = seededRandom(16);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const statements = [
      "x = 1",
      "y = x + 2",
      "total += price",
      "print(y)",
      "return y",
      "}",
      "end",
      "})",
      "",
      "# note",
      "if x:",
      "else:",
      "<|endoftext|>x",
    ];
    let checked = 0;
    for (let sample = 0; sample < 3000; sample++) {
      const depth = pick([0, 4, 8]);
      const lines = Array.from({ length: 1 + Math.floor(random() * 18) }, (_, index) => {
        const line = random() < 0.3 && index > 0 ? "" : pick(statements);
        return index === 0 ? line : " ".repeat(Math.max(0, depth + pick([-4, 0, 0, 4]))) + line;
      });
      // Loops as real models write them: a run of the lines just written, again.
      if (random() < 0.4 && lines.length > 3) lines.push(...lines.slice(-1 - Math.floor(random() * 3)));
      const cursorLine = random() < 0.5 ? " ".repeat(depth) : `${" ".repeat(Math.max(0, depth - 4))}while ok:`;
      const test: Case = {
        prefix: `${pick(["", "x = 1\n", "print(y)\n"])}${" ".repeat(depth)}${pick(["y = x + 2", "pass"])}\n${cursorLine}`,
        suffix: pick(["", "\n", `\n${" ".repeat(depth)}return y\n`, "\n}\n", `\n${" ".repeat(depth)}print(y)\n`]),
        raw: lines.join("\n"),
        mode: random() < 0.85 ? "multiLine" : "singleLine",
        maxLines: pick([3, 5, 12]),
      };
      const outcome = streamed(test);
      assert.equal(
        shown(test, outcome.text),
        shown(test, test.raw),
        `raw ${JSON.stringify(test.raw)} stopped at ${JSON.stringify(outcome.text)} after ${JSON.stringify(test.prefix)}`,
      );
      if (outcome.decision) checked++;
    }
    assert.ok(checked > 1000, `only ${checked} samples stopped early`);
  });
});
