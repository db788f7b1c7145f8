// Cancellation through an AbortSignal: during prompt evaluation (which the host chunks so it can stop between
// chunks) and during generation.
import assert from "node:assert/strict";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { endlessPiece, ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";

function isCancelled(error: unknown): boolean {
  return error instanceof HostRequestError && error.code === "cancelled";
}

function longCode(lines: number, tag: number): string {
  return Array.from(
    { length: lines },
    (_, i) => `    value_${tag}_${i} = transform(items[${i}], offset=${i * 7})\n`,
  ).join("");
}

describe("inference host cancellation", function () {
  describe("during prompt evaluation", function () {
    let host: TestHost;
    before(async function () {
      // The heavy variant evaluates about a thousand prompt tokens per second on two cores: a long prompt takes a while.
      host = createTestHost(hostConfig(ensureScriptedModel("heavy"), { contextSize: 4096 }));
      await host.client.start();
    });
    after(async function () {
      await host?.client.dispose();
    });

    it("stops part-way and keeps what it evaluated for the next request", async function () {
      // The abort must land while the prompt is being evaluated; on a busy machine the host may not have begun
      // after the first delay, so later delays get a fresh prompt each.
      const outcomes: string[] = [];
      for (const [attempt, abortAfterMs] of [300, 1000, 3000].entries()) {
        const params = {
          prefix: `def run_${attempt}(items):\n${longCode(60, attempt)}`,
          suffix: "",
          maxTokens: 8,
          stop: [],
          temperature: 0,
        };
        const controller = new AbortController();
        const cancelled = host.client.infill(params, controller.signal);
        setTimeout(() => controller.abort(), abortAfterMs);
        await assert.rejects(cancelled, isCancelled);

        // The same prompt again: a prefill that had run to the end would leave 1 token to evaluate, one that was
        // never started would leave all of them. Part-way means the abort landed between chunks.
        const again = await host.client.infill(params);
        assert.equal(again.text, fimCompletion);
        outcomes.push(`${again.tokensEvaluated}/${again.promptTokens} after an abort at ${abortAfterMs} ms`);
        assert.ok(
          again.tokensEvaluated > 1,
          `${outcomes.join("; ")}: the first prefill had finished despite the abort`,
        );
        if (again.tokensEvaluated < again.promptTokens) return;
      }
      assert.fail(`the prompt evaluation never started before the abort: ${outcomes.join("; ")}`);
    });
  });

  describe("during generation", function () {
    let host: TestHost;
    before(async function () {
      host = createTestHost(hostConfig(ensureScriptedModel("endless"), { contextSize: 4096 }));
      await host.client.start();
    });
    after(async function () {
      await host?.client.dispose();
    });

    it("stops a streaming chat after some chunks and serves the next request", async function () {
      const controller = new AbortController();
      let chunks = 0;
      const chat = host.client.chat(
        { systemPrompt: "Be brief.", turns: [{ role: "user", text: "Talk" }], maxTokens: 3000, temperature: 0 },
        () => {
          chunks++;
          if (chunks === 5) controller.abort();
        },
        controller.signal,
      );
      await assert.rejects(chat, isCancelled);
      assert.ok(chunks >= 5);
      const next = await host.client.infill({ prefix: "x = 1\n", suffix: "", maxTokens: 2, stop: [], temperature: 0 });
      assert.equal(next.text, endlessPiece.repeat(2));
    });

    it("stops an infill in generation", async function () {
      const controller = new AbortController();
      const infill = host.client.infill(
        { prefix: "x = 1\n", suffix: "", maxTokens: 3000, stop: [], temperature: 0 },
        controller.signal,
      );
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(infill, isCancelled);
      const next = await host.client.infill({ prefix: "y = 2\n", suffix: "", maxTokens: 3, stop: [], temperature: 0 });
      assert.equal(next.text, endlessPiece.repeat(3));
    });

    it("rejects at once when the signal was aborted before the call", async function () {
      await assert.rejects(
        host.client.infill({ prefix: "z\n", suffix: "", maxTokens: 3, stop: [], temperature: 0 }, AbortSignal.abort()),
        isCancelled,
      );
    });
  });
});
