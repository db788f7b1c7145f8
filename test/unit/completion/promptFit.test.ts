import assert from "node:assert/strict";
import {
  blockLines,
  blocksOf,
  fitInfillContext,
  fitInfillContextCounted,
  pieceText,
  type PromptPieces,
  type Tokenize,
} from "../../../extension/src/core/completion/promptFit";
import { buildPromptPieces, defaultPromptBudget } from "../../../extension/src/core/completion/prompt";
import type { InfillContext } from "../../../extension/src/core/protocol/host";

/** A stand-in tokenizer whose tokens are the text's words, runs of spaces and single symbols: joined, they give the text back. */
const words: Tokenize<string> = (text) => text.match(/\s+|\w+|[^\s\w]/g) ?? [];
/** Another tokenizer, one token per character: the same pieces cost about three times as much. */
const characters: Tokenize<string> = (text) => [...text];

const budget = { totalTokens: 400, suffixShare: 0.25, snippetShare: 0.3 };

const codeLines = (tag: string, from: number, count: number): string =>
  Array.from(
    { length: count },
    (_, index) => `    value_${tag}_${from + index} = compute(items[${from + index}])\n`,
  ).join("");

function context(overrides: Partial<Pick<PromptPieces, "prefix" | "suffix"> & InfillContext> = {}): PromptPieces {
  const {
    prefix = `def run(items):\n${codeLines("p", 0, 199)}    result = `,
    suffix = `\n${codeLines("s", 0, 200)}    return result\n`,
    ...rest
  } = overrides;
  return {
    prefix,
    suffix,
    context: { budget, prefixFirstLine: 0, languageId: "python", path: "app/run.py", pieces: [], scopes: [], ...rest },
  };
}

const pieces = [
  { path: "app/util.py", text: "def compute(item):", reason: "imported compute" },
  { path: "big.py", text: "x = 1\n".repeat(200), reason: "recently edited" },
  { path: "app/model.py", text: "class Item:\n", reason: "recently viewed" },
];

function texts(fitted: { prefix: string[]; suffix: string[] }): { prefix: string; suffix: string } {
  return { prefix: fitted.prefix.join(""), suffix: fitted.suffix.join("") };
}

describe("prompt fitting with the model's tokenizer", () => {
  it("cuts the text into blocks at document lines divisible by the block size", () => {
    const text = Array.from({ length: 20 }, (_, index) => `line ${index + 5}\n`).join("");
    const blocks = blocksOf(text, 5);
    assert.equal(blocks.join(""), text);
    assert.equal(blocks[0], "line 5\nline 6\nline 7\n");
    assert.ok(blocks[1].startsWith(`line ${blockLines}\n`), blocks[1]);
    assert.ok(blocks[2].startsWith(`line ${2 * blockLines}\n`), blocks[2]);
  });

  it("fills the budget exactly as the given tokenizer counts, whichever it is", () => {
    const large = { ...budget, totalTokens: 2000 };
    for (const tokenize of [words, characters]) {
      const fitted = fitInfillContext(context({ budget: large }), tokenize);
      const total = fitted.prefix.length + fitted.suffix.length;
      assert.ok(total <= large.totalTokens, `${total} tokens`);
      // A block of the prefix and a line of the suffix are the most that may stay unused.
      const slack = tokenize(codeLines("p", 100, blockLines)).length + tokenize(codeLines("s", 100, 1)).length;
      assert.ok(total >= large.totalTokens - slack, `${total} tokens`);
      assert.ok(fitted.suffix.length <= large.totalTokens * large.suffixShare);
      assert.match(fitted.included.at(-1) ?? "", new RegExp(`^prompt: ${total} of 2000 tokens`));
    }
  });

  it("keeps whole lines nearest the cursor, the path comment before the code, and the suffix's first lines", () => {
    const { prefix, suffix } = texts(fitInfillContext(context(), words));
    assert.ok(prefix.startsWith("# Path: app/run.py\n    value_p_"), prefix.slice(0, 60));
    assert.ok(prefix.endsWith("    value_p_198 = compute(items[198])\n    result = "));
    assert.ok(suffix.startsWith("\n    value_s_0 = compute(items[0])\n"));
    assert.ok(suffix.endsWith(")\n"));
    const firstLine = /value_p_(\d+)/.exec(prefix)?.[1];
    // Line 1 holds the def, so value_p_N is on document line N + 1.
    assert.equal((Number(firstLine) + 1) % blockLines, 0, `the kept prefix starts at line ${Number(firstLine) + 1}`);
  });

  it("keeps the start of the prompt while the user types, so the KV cache is reused", () => {
    let typed = "";
    let previous = texts(fitInfillContext(context(), words));
    let moves = 0;
    for (const char of "compute_the_final_total(items, weights, offset) + adjust(value_p_1)") {
      typed += char;
      const base = context();
      const next = texts(fitInfillContext({ ...base, prefix: base.prefix + typed }, words));
      assert.equal(next.suffix, previous.suffix);
      const unchanged = next.prefix.startsWith(previous.prefix.slice(0, -12));
      if (!unchanged) moves++;
      previous = next;
    }
    assert.ok(moves <= 1, `the prefix start moved ${moves} times in 68 keystrokes`);
  });

  it("puts pieces from other files first, in order, and skips one over their share", () => {
    const fitted = fitInfillContext(context({ pieces }), words);
    const { prefix } = texts(fitted);
    assert.ok(
      prefix.startsWith(
        "# Path: app/util.py\ndef compute(item):\n\n# Path: app/model.py\nclass Item:\n\n# Path: app/run.py\n",
      ),
      prefix.slice(0, 120),
    );
    assert.ok(
      fitted.included.some((line) => /^skipped big\.py \(recently edited\): \d+ tokens over the budget/.test(line)),
    );
    assert.deepEqual(
      fitted.text.pieces.map((piece) => piece.path),
      ["app/util.py", "app/model.py"],
    );
    assert.ok(
      fitted.text.documentPrefix.startsWith("# Path: app/run.py\n    value_p_"),
      fitted.text.documentPrefix.slice(0, 60),
    );
    assert.ok(fitted.prefix.length + fitted.suffix.length <= budget.totalTokens);
  });

  it("keeps the header of a function the kept prefix starts inside, within the budget", () => {
    const fitted = fitInfillContext(context({ scopes: [{ line: 0, text: "def run(items):" }] }), words);
    const { prefix } = texts(fitted);
    assert.match(prefix, /^# Path: app\/run\.py\ndef run\(items\):\n {4}value_p_\d+/);
    assert.ok(fitted.prefix.length + fitted.suffix.length <= budget.totalTokens);
    assert.ok(
      fitted.included.includes(`enclosing scopes above the window: 1, ${words("def run(items):\n").length} tokens`),
    );
  });

  it("leaves out the header of a scope whose first line is in the prompt anyway", () => {
    const short = context({
      prefix: "def run(items):\n    result = ",
      suffix: "\n",
      scopes: [{ line: 0, text: "def run(items):" }],
    });
    assert.equal(texts(fitInfillContext(short, words)).prefix, "# Path: app/run.py\ndef run(items):\n    result = ");
  });

  it("keeps the end of a cursor line longer than the whole budget", () => {
    const line = `data = [${Array.from({ length: 2000 }, (_, index) => index).join(", ")}, `;
    const fitted = fitInfillContext(context({ prefix: line, suffix: "]\n" }), words);
    const { prefix } = texts(fitted);
    assert.ok(prefix.endsWith("1998, 1999, "));
    assert.ok(fitted.prefix.length + fitted.suffix.length <= budget.totalTokens);
    assert.ok(fitted.prefix.length > budget.totalTokens * 0.9, `${fitted.prefix.length} tokens`);
  });
});

describe("the fitted prompt as text", () => {
  const longLine = `data = [${Array.from({ length: 2000 }, (_, index) => index).join(", ")}, `;
  const contexts: Record<string, PromptPieces> = {
    plain: context(),
    "pieces, one skipped": context({ pieces }),
    "a cut scope": context({ scopes: [{ line: 0, text: "def run(items):" }] }),
    "a scope in the window": context({
      prefix: "def run(items):\n    result = ",
      suffix: "\n",
      scopes: [{ line: 0, text: "def run(items):" }],
    }),
    "a cursor line over the budget": context({ prefix: longLine, suffix: "]\n" }),
    "no room for the path comment": context({ budget: { ...budget, totalTokens: 3 } }),
  };

  for (const [name, input] of Object.entries(contexts)) {
    it(`is the text of the kept tokens: ${name}`, () => {
      // The stand-in tokenizer's tokens join back to their text, so the kept tokens spell the prompt exactly.
      const fitted = fitInfillContext(input, words);
      assert.deepEqual({ prefix: fitted.text.prefix, suffix: fitted.text.suffix }, texts(fitted));
      const keptPieces = fitted.text.pieces.map((piece) => pieceText("python", piece)).join("");
      assert.equal(fitted.text.prefix, keptPieces + fitted.text.documentPrefix);
    });
  }

  it("says in its last trace line where the counts came from", () => {
    assert.match(fitInfillContext(context(), words).included.at(-1) ?? "", /, counted with the model's tokenizer$/);
    assert.match(
      fitInfillContext(context(), words, "counted with the server").included.at(-1) ?? "",
      /^prompt: \d+ of 400 tokens, counted with the server$/,
    );
  });
});

describe("prompt fitting with a tokenizer behind a round trip", () => {
  /** Counts with `tokenize`, recording each round's texts, the way llama-server's /tokenize would answer. */
  function countingServer(tokenize: Tokenize<string>) {
    const rounds: string[][] = [];
    const cache = new Map<string, number>();
    return {
      rounds,
      cache,
      known: (text: string) => cache.get(text),
      count: async (texts: readonly string[]) => {
        rounds.push([...texts]);
        const counts = texts.map((text) => tokenize(text).length);
        texts.forEach((text, index) => cache.set(text, counts[index]));
        return counts;
      },
    };
  }

  const cases: Record<string, PromptPieces> = {
    plain: context(),
    "pieces and a cut scope": context({
      pieces: [{ path: "app/util.py", text: "def compute(item):", reason: "imported compute" }],
      scopes: [{ line: 0, text: "def run(items):" }],
    }),
    "a cursor line over the budget": context({
      prefix: `data = [${Array.from({ length: 2000 }, (_, index) => index).join(", ")}, `,
      suffix: "]\n",
    }),
  };

  for (const [name, input] of Object.entries(cases)) {
    for (const [tokenizerName, tokenize] of [
      ["words", words],
      ["characters", characters],
    ] as const) {
      it(`keeps exactly what the fit with the tokenizer itself keeps: ${name}, ${tokenizerName}`, async () => {
        const server = countingServer(tokenize);
        const counted = await fitInfillContextCounted(input, server.known, server.count, "counted by the server");
        const direct = fitInfillContext(input, tokenize, "counted by the server");
        assert.deepEqual(counted.text, direct.text);
        assert.deepEqual(counted.included, direct.included);
        assert.equal(counted.prefix.length, direct.prefix.length);
      });
    }
  }

  it("counts only the cursor's block, in one round, for a keystroke after a counted prompt", async () => {
    const server = countingServer(words);
    const base = context();
    await fitInfillContextCounted(base, server.known, server.count, "counted by the server");
    const cold = server.rounds.flat().length;
    assert.ok(cold > 10, `${cold} texts counted for the first prompt`);
    server.rounds.length = 0;
    const typed = { ...base, prefix: `${base.prefix}compute(` };
    const fitted = await fitInfillContextCounted(typed, server.known, server.count, "counted by the server");
    const cursorBlock = blocksOf(typed.prefix, typed.context.prefixFirstLine).at(-1);
    assert.deepEqual(server.rounds, [[cursorBlock]]);
    assert.deepEqual(fitted.text, fitInfillContext(typed, words).text);
  });

  it("asks for each text once, even when the caller keeps no counts", async () => {
    const server = countingServer(words);
    await fitInfillContextCounted(context(), () => undefined, server.count, "counted by the server");
    const asked = server.rounds.flat();
    assert.equal(new Set(asked).size, asked.length);
  });

  it("stays exact with a stand-in far above the counts, at the cost of more rounds", async () => {
    const server = countingServer(words);
    const input = cases["pieces and a cut scope"];
    const counted = await fitInfillContextCounted(
      input,
      server.known,
      server.count,
      "counted by the server",
      (text) => text.length * 10,
    );
    assert.deepEqual(counted.text, fitInfillContext(input, words).text);
    assert.ok(server.rounds.length > 2, `${server.rounds.length} rounds`);
  });

  it("ends with the counter's failure", async () => {
    const failure = new Error("no /tokenize here");
    await assert.rejects(
      fitInfillContextCounted(
        context(),
        () => undefined,
        () => Promise.reject(failure),
        "counted by the server",
      ),
      (error) => error === failure,
    );
  });
});

describe("prompt pieces as the extension sends them", () => {
  const prefix = `def run(items):\n${codeLines("p", 0, 3000)}    result = `;
  const cursorLine = 3001;
  const input = { cursorLine, languageId: "python", path: "app/run.py", snippets: [], budget: defaultPromptBudget };

  it("sends more than the budget holds, from a block's first line", () => {
    const sent = buildPromptPieces({ ...input, prefix, suffix: `\n${codeLines("s", 0, 3000)}` });
    assert.ok(prefix.endsWith(sent.prefix));
    assert.equal(sent.context.prefixFirstLine % blockLines, 0);
    assert.equal(sent.context.prefixFirstLine, cursorLine - (sent.prefix.match(/\n/g) ?? []).length);
    assert.ok(characters(sent.prefix).length > defaultPromptBudget.totalTokens * 4, "room for any tokenizer's fit");
    assert.ok(sent.prefix.length < prefix.length / 4, "but not the whole document");
    assert.ok(
      sent.suffix.endsWith("\n") &&
        sent.suffix.length > defaultPromptBudget.totalTokens * defaultPromptBudget.suffixShare * 4,
    );
    assert.ok(texts(fitInfillContext(sent, words)).prefix.startsWith("# Path: app/run.py\n"));
  });

  it("keeps the window's start while the user types on the cursor's line", () => {
    const before = buildPromptPieces({ ...input, prefix, suffix: "\n" });
    const after = buildPromptPieces({ ...input, prefix: `${prefix}compute_total(items)`, suffix: "\n" });
    assert.equal(after.context.prefixFirstLine, before.context.prefixFirstLine);
    assert.equal(after.prefix, `${before.prefix}compute_total(items)`);
  });

  it("sends the pieces from other files and the enclosing scopes as they are, for each backend to render", () => {
    const snippet = { path: "app/util.py", text: "def compute(item):\n", reason: "imported compute" };
    const sent = buildPromptPieces({
      ...input,
      prefix,
      suffix: "\n",
      snippets: [snippet],
      scopeHeaders: [{ offset: 0, line: 0, text: "def run(items):" }],
    });
    assert.deepEqual(sent.context.pieces, [snippet]);
    assert.deepEqual(sent.context.scopes, [{ line: 0, text: "def run(items):" }]);
    assert.ok(!sent.prefix.includes("Path:"), "the prefix is the document's code alone");
  });
});
