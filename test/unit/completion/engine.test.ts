import assert from "node:assert/strict";
import type { GenerationResult, InfillParams } from "../../../extension/src/core/protocol/host";
import type { ShieldVerdict, SuggestionInContext } from "../../../extension/src/core/shield/gate";
import { AdaptiveDebounce } from "../../../extension/src/core/completion/debounce";
import { CompletionEngine, type CompletionRequest } from "../../../extension/src/core/completion/engine";
import { defaultPromptBudget } from "../../../extension/src/core/completion/prompt";
import { fitInfillContextEstimated } from "../../../extension/src/core/completion/promptFit";

function result(text: string): GenerationResult {
  return { text, stopReason: "eos", tokensEvaluated: 10, promptTokens: 10, generatedTokens: 3 };
}

function harness(
  reply: (params: InfillParams, signal: AbortSignal) => Promise<GenerationResult>,
  gate?: (input: SuggestionInContext) => ShieldVerdict,
) {
  const requests: InfillParams[] = [];
  const scanned: SuggestionInContext[] = [];
  let clock = 0;
  const engine = new CompletionEngine({
    generate: (params, signal) => {
      requests.push(params);
      return reply(params, signal);
    },
    gate: (input) => {
      scanned.push(input);
      return gate ? gate(input) : { action: "show", findings: [] };
    },
    debounce: { kind: "fixed", milliseconds: 0 },
    budget: defaultPromptBudget,
    maxLines: 20,
    now: () => clock++,
    sleep: (_ms, signal) => (signal.aborted ? Promise.reject(new Error("aborted")) : Promise.resolve()),
  });
  return { engine, requests, scanned };
}

function request(prefix: string, suffix: string, trigger: "automatic" | "manual" = "automatic"): CompletionRequest {
  return {
    languageId: "python",
    path: "app.py",
    prefix,
    suffix,
    cursorLine: prefix.split("\n").length - 1,
    trigger,
    style: { insertSpaces: true, tabSize: 4 },
    snippets: async () => [],
  };
}

describe("completion engine", () => {
  it("sends the prompt's pieces once, unfitted, and traces the fit the backend reports", async () => {
    const exact = harness(async () => ({
      ...result("len(xs)"),
      promptFit: ["prompt: 9 of 1536 tokens, counted with the model's tokenizer"],
    }));
    const shown = await exact.engine.complete(request("def f(xs):\n    n = ", "\n"), new AbortController().signal);
    const sent = exact.requests[0];
    assert.equal(sent.prefix, "def f(xs):\n    n = ");
    assert.equal(sent.suffix, "\n");
    assert.deepEqual(sent.context, {
      budget: defaultPromptBudget,
      prefixFirstLine: 0,
      languageId: "python",
      path: "app.py",
      pieces: [],
      scopes: [],
    });
    assert.deepEqual(shown.kind === "shown" && shown.trace.slice(1, -1), [
      "prompt: 9 of 1536 tokens, counted with the model's tokenizer",
    ]);
  });

  it("sends the prompt with the file path and shows the processed text", async () => {
    const { engine, requests } = harness(async () => result("len(xs)\nprint(n)"));
    const outcome = await engine.complete(request("def f(xs):\n    n = ", "\n"), new AbortController().signal);
    assert.equal(outcome.kind, "shown");
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "len(xs)");
    const { prefix, suffix, context } = requests[0];
    assert.ok(context);
    assert.equal(
      fitInfillContextEstimated({ prefix, suffix, context }, "estimated").text.prefix,
      "# Path: app.py\ndef f(xs):\n    n = ",
    );
    assert.deepEqual(requests[0].stop, ["\n"]);
  });

  it("sends the stop policy of the request: the cursor's line, the line above, the suffix's first line, maxLines", async () => {
    const { engine, requests } = harness(async () => result("return n"));
    await engine.complete(
      request("def f(xs):\n    n = len(xs)\n    ", "\nprint(f([]))\n"),
      new AbortController().signal,
    );
    assert.deepEqual(requests[0].stopPolicy, {
      mode: "singleLine",
      maxLines: 20,
      tabSize: 4,
      lineBefore: "    ",
      lineAbove: "    n = len(xs)",
      suffixHead: { text: "print(f([]))", onCursorLine: false },
      checksSyntax: false,
      timeCapMs: 0,
    });
  });

  it("serves what the user types ahead from the cache without asking the model", async () => {
    const { engine, requests } = harness(async () => result("compute_total(items)"));
    await engine.complete(request("total = ", "\n"), new AbortController().signal);
    const outcome = await engine.complete(request("total = comp", "\n"), new AbortController().signal);
    assert.equal(requests.length, 1);
    assert.equal(outcome.kind === "shown" && outcome.source, "cache");
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "ute_total(items)");
  });

  it("asks the model again when the typed text departs from the shown completion", async () => {
    const { engine, requests } = harness(async () => result("compute_total(items)"));
    await engine.complete(request("total = ", "\n"), new AbortController().signal);
    await engine.complete(request("total = sum", "\n"), new AbortController().signal);
    assert.equal(requests.length, 2);
  });

  it("reports a cancelled request and shows nothing when the keystroke after it aborts it", async () => {
    const controller = new AbortController();
    const { engine } = harness(
      (_params, signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => resolve({ ...result("x"), stopReason: "abort" }));
        }),
    );
    const pending = engine.complete(request("x = ", "\n"), controller.signal);
    controller.abort();
    assert.deepEqual(await pending, { kind: "skipped", reason: "cancelled" });
  });

  it("withholds what the Shield blocks and scans the suggestion in its context", async () => {
    const { engine, scanned } = harness(
      async () => result("subprocess.call(cmd, shell=True)"),
      () => ({ action: "withhold", findings: [] }),
    );
    const outcome = await engine.complete(request("import subprocess\n", "\n"), new AbortController().signal);
    assert.equal(outcome.kind === "skipped" && outcome.reason, "withheld");
    assert.deepEqual(scanned, [
      {
        prefix: "import subprocess\n",
        suggestion: "subprocess.call(cmd, shell=True)",
        suffix: "\n",
        languageId: "python",
      },
    ]);
  });

  it("does not ask the model when the trigger says no, but does on a manual request", async () => {
    const { engine, requests } = harness(async () => result("1"));
    const outcome = await engine.complete(request("va", "lue = 1"), new AbortController().signal);
    assert.deepEqual(outcome, { kind: "skipped", reason: "noTrigger", detail: "midWord" });
    await engine.complete(request("va", "lue = 1", "manual"), new AbortController().signal);
    assert.ok(requests.length > 0);
  });

  it("offers different alternatives on a manual trigger: the greedy suggestion first, then sampled ones", async () => {
    const replies = ["len(xs)", "sum(xs)", "len(xs)"];
    const { engine, requests } = harness(async () => result(replies[requests.length - 1]));
    const outcome = await engine.complete(request("n = ", "\n", "manual"), new AbortController().signal);
    assert.deepEqual(
      requests.map((params) => params.temperature > 0),
      [false, true, true],
    );
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "len(xs)");
    assert.deepEqual(
      outcome.kind === "shown" && outcome.alternatives.map((alternative) => alternative.insertion.text),
      ["sum(xs)"],
    );
  });

  it("answers the same list again when cycling asks at the same place, without the model", async () => {
    const replies = ["len(xs)", "sum(xs)", "max(xs)", "min(xs)"];
    const { engine, requests } = harness(async () => result(replies[requests.length - 1]));
    await engine.complete(request("n = ", "\n", "manual"), new AbortController().signal);
    const again = await engine.complete(request("n = ", "\n", "manual"), new AbortController().signal);
    assert.equal(requests.length, 3);
    assert.deepEqual(
      again.kind === "shown" && [
        again.insertion.text,
        ...again.alternatives.map((alternative) => alternative.insertion.text),
      ],
      ["len(xs)", "sum(xs)", "max(xs)"],
    );
  });

  it("asks the model once and offers no alternatives on an automatic trigger", async () => {
    const { engine, requests } = harness(async () => result("len(xs)"));
    const outcome = await engine.complete(request("n = ", "\n"), new AbortController().signal);
    assert.equal(requests.length, 1);
    assert.deepEqual(outcome.kind === "shown" && outcome.alternatives, []);
  });

  it("leaves out alternatives the Shield withholds, and leads with the first one it lets through", async () => {
    const replies = ["os.system(cmd)", "run(cmd)", "call(cmd)"];
    const { engine, requests } = harness(
      async () => result(replies[requests.length - 1]),
      (input) =>
        input.suggestion.startsWith("os.system")
          ? { action: "withhold", findings: [] }
          : { action: "show", findings: [] },
    );
    const outcome = await engine.complete(request("x = ", "\n", "manual"), new AbortController().signal);
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "run(cmd)");
    assert.deepEqual(
      outcome.kind === "shown" && outcome.alternatives.map((alternative) => alternative.insertion.text),
      ["call(cmd)"],
    );
  });

  it("precomputes the completion after an accept, so the request that follows is served without the model", async () => {
    const { engine, requests } = harness(async () => result(requests.length === 1 ? "total(items)" : "print(total)"));
    await engine.precompute(request("value = ", "\n"));
    assert.equal(requests.length, 1);
    const outcome = await engine.complete(request("value = ", "\n"), new AbortController().signal);
    assert.equal(requests.length, 1);
    assert.equal(outcome.kind === "shown" && outcome.source, "cache");
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "total(items)");
  });

  it("lets a request at the precomputed position wait for the precompute instead of asking twice", async () => {
    let release: (() => void) | undefined;
    const { engine, requests } = harness(
      () => new Promise((resolve) => (release = () => resolve(result("total(items)")))),
    );
    const precomputed = engine.precompute(request("value = ", "\n"));
    const pending = engine.complete(request("value = ", "\n"), new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    release?.();
    const outcome = await pending;
    await precomputed;
    assert.equal(requests.length, 1);
    assert.equal(outcome.kind === "shown" && outcome.source, "cache");
  });

  it("cancels a precompute when the next request is somewhere else", async () => {
    let precomputeSignal: AbortSignal | undefined;
    const { engine, requests } = harness((_params, signal) => {
      if (requests.length === 1) {
        precomputeSignal = signal;
        return new Promise((resolve) =>
          signal.addEventListener("abort", () => resolve({ ...result(""), stopReason: "abort" })),
        );
      }
      return Promise.resolve(result("other()"));
    });
    const precomputed = engine.precompute(request("value = ", "\n"));
    await new Promise((resolve) => setImmediate(resolve));
    const outcome = await engine.complete(request("elsewhere = ", "\n"), new AbortController().signal);
    await precomputed;
    assert.equal(precomputeSignal?.aborted, true);
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "other()");
  });
});

describe("debounce in the engine", () => {
  it("counts the wait from the keystroke, so the editor's own wait before asking is not added to it", async () => {
    let clock = 1_000;
    const slept: number[] = [];
    const engine = new CompletionEngine({
      generate: async () => result("len(xs)"),
      gate: () => ({ action: "show", findings: [] }),
      debounce: { kind: "fixed", milliseconds: 200 },
      budget: defaultPromptBudget,
      maxLines: 20,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    await engine.complete(
      { ...request("def f(xs):\n    n = ", "\n"), typedAt: clock - 50 },
      new AbortController().signal,
    );
    await engine.complete(
      { ...request("def g(xs):\n    n = ", "\n"), typedAt: clock - 300 },
      new AbortController().signal,
    );
    assert.deepEqual(slept, [150], "no wait once the keystroke is older than the delay");
  });
});

describe("adaptive debounce", () => {
  it("waits less for a fast typist than for a slow one", () => {
    const fast = new AdaptiveDebounce({ kind: "adaptive" });
    const slow = new AdaptiveDebounce({ kind: "adaptive" });
    for (let key = 0; key < 20; key++) {
      fast.recordKeystroke(key * 60);
      slow.recordKeystroke(key * 250);
    }
    assert.ok(fast.delayMs() < slow.delayMs(), `${fast.delayMs()} < ${slow.delayMs()}`);
    assert.ok(fast.delayMs() >= 60, "a fast typist's next key arrives before the request would start");
  });
  it("ignores pauses when learning the pace", () => {
    const debounce = new AdaptiveDebounce({ kind: "adaptive" });
    for (let key = 0; key < 10; key++) debounce.recordKeystroke(key * 100);
    const before = debounce.delayMs();
    debounce.recordKeystroke(60_000);
    assert.equal(debounce.delayMs(), before);
  });
  it("does not learn a pause longer than its longest wait as pace", () => {
    const debounce = new AdaptiveDebounce({ kind: "adaptive" });
    for (let key = 0; key < 20; key++) debounce.recordKeystroke(key * 100);
    const typing = debounce.delayMs();
    for (let key = 0; key < 20; key++) debounce.recordKeystroke(10_000 + key * 800);
    assert.equal(debounce.delayMs(), typing);
  });
  it("waits no longer than a fast model takes to answer", () => {
    const debounce = new AdaptiveDebounce({ kind: "adaptive" });
    const paced = debounce.delayMs();
    debounce.recordModelTime(60);
    assert.equal(debounce.delayMs(), 60);
    debounce.recordModelTime(5_000);
    assert.equal(debounce.delayMs(), paced, "a slow model waits for the typist's pace");
  });
  it("uses the fixed delay when set", () => {
    assert.equal(new AdaptiveDebounce({ kind: "fixed", milliseconds: 120 }).delayMs(), 120);
  });
});
