import assert from "node:assert/strict";
import { HostRequestError } from "../../../extension/src/core/protocol/backend";
import {
  type CountOnServer,
  ServerPromptFitter,
  TokenCountCache,
} from "../../../extension/src/core/remote/serverPromptFit";
import { estimateTokens, fitInfillContext, type PromptPieces } from "../../../extension/src/core/completion/promptFit";

/** A stand-in tokenizer: words, runs of spaces and single symbols. */
const words = (text: string): string[] => text.match(/\s+|\w+|[^\s\w]/g) ?? [];

const codeLines = (tag: string, count: number): string =>
  Array.from({ length: count }, (_, index) => `    value_${tag}_${index} = compute(items[${index}])\n`).join("");

function context(typed = ""): PromptPieces {
  return {
    prefix: `def run(items):\n${codeLines("p", 199)}    result = ${typed}`,
    suffix: `\n${codeLines("s", 200)}    return result\n`,
    context: {
      budget: { totalTokens: 400, suffixShare: 0.25, snippetShare: 0.3 },
      prefixFirstLine: 0,
      languageId: "python",
      path: "app/run.py",
      pieces: [{ path: "app/util.py", text: "def compute(item):\n", reason: "imported compute" }],
      scopes: [],
    },
  };
}

/** An in-memory /tokenize: counts words, records the texts asked and how many requests were in flight at most. */
class FakeTokenizer {
  readonly asked: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failWith: HostRequestError | undefined;
  readonly signals: AbortSignal[] = [];

  readonly count: CountOnServer = async (text, signal) => {
    this.asked.push(text);
    this.signals.push(signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) throw new HostRequestError("cancelled", "The request was cancelled.");
      if (this.failWith !== undefined) throw this.failWith;
      return words(text).length;
    } finally {
      this.inFlight--;
    }
  };
}

function fitterFor(tokenizer: FakeTokenizer, concurrency?: number): ServerPromptFitter {
  return new ServerPromptFitter({
    tokenizerName: "the test server's tokenizer",
    countOnServer: tokenizer.count,
    concurrency,
  });
}

describe("token counts kept per server", function () {
  it("forgets the least recently used text beyond its capacity", function () {
    const cache = new TokenCountCache(2);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    cache.set("c", 3);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.get("c"), 3);
    cache.clear();
    assert.equal(cache.get("a"), undefined);
  });
});

describe("the completion prompt fitted with a server's tokenizer", function () {
  it("fits as the server counts and says so in the trace", async function () {
    const tokenizer = new FakeTokenizer();
    const fitted = await fitterFor(tokenizer).fit(context());
    const exact = fitInfillContext(context(), words, "counted with the test server's tokenizer");
    assert.deepEqual(fitted.text, exact.text);
    assert.deepEqual(fitted.promptFit, exact.included);
    assert.match(
      fitted.promptFit.at(-1) ?? "",
      /^prompt: \d+ of 400 tokens, counted with the test server's tokenizer$/,
    );
  });

  it("asks the server only for the cursor's block on the next keystroke", async function () {
    const tokenizer = new FakeTokenizer();
    const fitter = fitterFor(tokenizer);
    await fitter.fit(context());
    const cold = tokenizer.asked.length;
    await fitter.fit(context("c"));
    assert.equal(tokenizer.asked.length, cold + 1);
    assert.ok(tokenizer.asked.at(-1)?.endsWith("    result = c"), tokenizer.asked.at(-1));
    await fitter.fit(context("c"));
    assert.equal(tokenizer.asked.length, cold + 1, "the same prompt again needs no request");
  });

  it("counts a cold prompt with a few requests in flight at once, not one at a time nor all at once", async function () {
    const tokenizer = new FakeTokenizer();
    await fitterFor(tokenizer, 3).fit(context());
    assert.ok(tokenizer.asked.length > 6, `${tokenizer.asked.length} texts`);
    assert.equal(tokenizer.maxInFlight, 3);
  });

  it("asks for fewer texts after a jump elsewhere once it knows the server's tokens per character", async function () {
    // Nothing in common with context(): every text must be counted anew.
    const base = context();
    const elsewhere: PromptPieces = {
      prefix: `def other(items):\n${codeLines("q", 150)}    other = `,
      suffix: `\n${codeLines("r", 150)}`,
      context: { ...base.context, path: "app/other.py", pieces: [] },
    };
    const fresh = new FakeTokenizer();
    const freshFit = await fitterFor(fresh).fit(elsewhere);
    const warm = new FakeTokenizer();
    const warmFitter = fitterFor(warm);
    await warmFitter.fit(context());
    const warmAsked = warm.asked.length;
    const warmFit = await warmFitter.fit(elsewhere);
    assert.deepEqual(warmFit, freshFit);
    assert.ok(
      warm.asked.length - warmAsked < fresh.asked.length,
      `${warm.asked.length - warmAsked} texts against ${fresh.asked.length}`,
    );
  });

  it("starts afresh after forgetting the counts (another model)", async function () {
    const tokenizer = new FakeTokenizer();
    const fitter = fitterFor(tokenizer);
    await fitter.fit(context());
    const cold = tokenizer.asked.length;
    fitter.forgetCounts();
    await fitter.fit(context());
    assert.equal(tokenizer.asked.length, 2 * cold);
  });

  it("falls back to the character estimate when /tokenize fails, says why, and asks again next time", async function () {
    const tokenizer = new FakeTokenizer();
    tokenizer.failWith = new HostRequestError("serverError", "llama-server failed with HTTP 500");
    const fitter = fitterFor(tokenizer);
    const fitted = await fitter.fit(context());
    const estimated = fitInfillContext(context(), (text) => Array.from({ length: estimateTokens(text) }, () => 0));
    assert.deepEqual(fitted.text, estimated.text);
    assert.match(
      fitted.promptFit.at(-1) ?? "",
      /tokens, estimated from characters, since the test server's tokenizer failed: llama-server failed with HTTP 500$/,
    );
    // The first failure cancels the requests still in flight.
    assert.ok(tokenizer.signals.every((signal) => signal.aborted));
    const askedBefore = tokenizer.asked.length;
    tokenizer.failWith = undefined;
    const recovered = await fitter.fit(context());
    assert.ok(tokenizer.asked.length > askedBefore);
    assert.match(recovered.promptFit.at(-1) ?? "", /counted with the test server's tokenizer$/);
  });

  it("stops asking a server that has no /tokenize (404)", async function () {
    const tokenizer = new FakeTokenizer();
    tokenizer.failWith = new HostRequestError("modelNotFound", "llama-server answered 404 for /tokenize");
    const fitter = fitterFor(tokenizer);
    await fitter.fit(context());
    const asked = tokenizer.asked.length;
    tokenizer.failWith = undefined;
    const fitted = await fitter.fit(context("c"));
    assert.equal(tokenizer.asked.length, asked);
    assert.match(
      fitted.promptFit.at(-1) ?? "",
      /estimated from characters, since the test server's tokenizer failed: llama-server answered 404 for \/tokenize$/,
    );
  });

  it("rejects as cancelled when the request is aborted, without falling back", async function () {
    const tokenizer = new FakeTokenizer();
    const controller = new AbortController();
    const fitting = fitterFor(tokenizer).fit(context(), controller.signal);
    controller.abort();
    await assert.rejects(fitting, (error) => error instanceof HostRequestError && error.code === "cancelled");
    assert.ok(tokenizer.signals.length > 0 && tokenizer.signals.every((signal) => signal.aborted));
  });
});
