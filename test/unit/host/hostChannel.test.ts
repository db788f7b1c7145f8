import assert from "node:assert/strict";
import { HostRequestError } from "../../../extension/src/core/protocol/backend";
import type { GenerationResult, HostInfo, LifecycleMessage, LogLevel } from "../../../extension/src/core/protocol/host";
import { HostChannel, cancelGraceMs } from "../../../extension/src/node/host/hostChannel";
import { FakeTimers, FakeTransport, generationResult, hostInfo, outcome } from "./hostFakes";

const infillParams = { prefix: "def add(a, b):\n", suffix: "", maxTokens: 16, stop: [], temperature: 0 };
const chatParams = { systemPrompt: "", turns: [{ role: "user" as const, text: "hi" }], maxTokens: 16, temperature: 0 };

function rig(): {
  channel: HostChannel;
  transport: FakeTransport;
  timers: FakeTimers;
  logs: { level: LogLevel; message: string }[];
  lifecycle: LifecycleMessage[];
} {
  const transport = new FakeTransport();
  const timers = new FakeTimers();
  const logs: { level: LogLevel; message: string }[] = [];
  const lifecycle: LifecycleMessage[] = [];
  const channel = new HostChannel(transport, {
    log: (level, message) => logs.push({ level, message }),
    onLifecycle: (message) => lifecycle.push(message),
    closedError: (reason) => new HostRequestError("hostCrashed", `The host ${reason}.`),
    timers,
  });
  return { channel, transport, timers, logs, lifecycle };
}

function errorCode(settled: Awaited<ReturnType<typeof outcome>>): string {
  assert.ok(settled !== "pending" && "error" in settled, `expected a rejection, got ${JSON.stringify(settled)}`);
  assert.ok(settled.error instanceof HostRequestError, String(settled.error));
  return settled.error.code;
}

describe("host channel", function () {
  it("sends each request with a new id and resolves it with the result its kind gets", async function () {
    const { channel, transport } = rig();
    const infill: Promise<GenerationResult> = channel.request("infill", infillParams);
    const info: Promise<HostInfo> = channel.request("info", undefined);
    assert.deepEqual(transport.sent, [
      { kind: "infill", id: 1, params: infillParams },
      { kind: "info", id: 2 },
    ]);
    transport.deliver({ kind: "info", id: 2, info: hostInfo() });
    transport.deliver({ kind: "result", id: 1, result: generationResult("return a + b") });
    assert.deepEqual(await outcome(infill), { value: generationResult("return a + b") });
    assert.deepEqual(await outcome(info), { value: hostInfo() });
  });

  it("settles only the request whose id the reply names", async function () {
    const { channel, transport } = rig();
    const first = channel.request("infill", infillParams);
    const second = channel.request("infill", infillParams);
    transport.deliver({ kind: "result", id: 2, result: generationResult("second") });
    assert.equal(await outcome(first), "pending");
    assert.deepEqual(await outcome(second), { value: generationResult("second") });
    transport.deliver({ kind: "result", id: 2, result: generationResult("again") });
    transport.deliver({ kind: "result", id: 1, result: generationResult("first") });
    assert.deepEqual(await outcome(first), { value: generationResult("first") });
  });

  it("streams a chat answer's chunks to the request they name", async function () {
    const { channel, transport } = rig();
    const chunks: string[] = [];
    const chat = channel.request("chat", chatParams, { onChunk: (text) => chunks.push(text) });
    transport.deliver({ kind: "chunk", id: 1, text: "Hel" });
    transport.deliver({ kind: "chunk", id: 7, text: "other" });
    transport.deliver({ kind: "chunk", id: 1, text: "lo" });
    transport.deliver({ kind: "result", id: 1, result: generationResult("Hello") });
    assert.deepEqual(await outcome(chat), { value: generationResult("Hello") });
    assert.deepEqual(chunks, ["Hel", "lo"]);
  });

  it("rejects with the host's error code and message", async function () {
    const { channel, transport } = rig();
    const infill = channel.request("infill", infillParams);
    transport.deliver({ kind: "error", id: 1, error: { code: "contextExceeded", message: "Too long." } });
    const settled = await outcome(infill);
    assert.equal(errorCode(settled), "contextExceeded");
    assert.ok(
      settled !== "pending" &&
        "error" in settled &&
        settled.error instanceof Error &&
        settled.error.message === "Too long.",
    );
  });

  it("fails a request answered with another kind's reply instead of resolving it with the wrong type", async function () {
    const { channel, transport, logs } = rig();
    const info = channel.request("info", undefined);
    transport.deliver({ kind: "result", id: 1, result: generationResult("not info") });
    assert.equal(errorCode(await outcome(info)), "internal");
    assert.ok(logs.some((entry) => entry.level === "warn" && /malformed result/.test(entry.message)));
  });

  it("fails a request whose reply is malformed", async function () {
    const { channel, transport } = rig();
    const infill = channel.request("infill", infillParams);
    transport.deliver({ kind: "result", id: 1, result: { ...generationResult("x"), stopReason: "tired" } });
    assert.equal(errorCode(await outcome(infill)), "internal");
  });

  it("logs and drops a malformed message that answers no waiting request", async function () {
    const { channel, transport, logs, lifecycle } = rig();
    const infill = channel.request("infill", infillParams);
    for (const message of [
      null,
      "ready",
      { kind: "ready", info: {} },
      { kind: "result", id: 9, result: {} },
      { kind: "surprise", id: 1 },
    ]) {
      transport.deliver(message);
    }
    assert.equal(logs.filter((entry) => entry.level === "warn" && /malformed message/.test(entry.message)).length, 5);
    assert.deepEqual(lifecycle, []);
    assert.equal(await outcome(infill), "pending", "a malformed message without the request's id leaves it waiting");
    transport.deliver({ kind: "result", id: 1, result: generationResult("ok") });
    assert.deepEqual(await outcome(infill), { value: generationResult("ok") });
  });

  it("passes on the host's log lines and its lifecycle news", function () {
    const { transport, logs, lifecycle } = rig();
    transport.deliver({ kind: "log", level: "info", message: "Models loaded." });
    transport.deliver({ kind: "loading", progress: 0.5, modelPath: "/m.gguf" });
    transport.deliver({ kind: "ready", info: hostInfo() });
    transport.deliver({ kind: "loadFailed", error: { code: "notGguf", message: "Not a GGUF file." } });
    assert.deepEqual(logs, [{ level: "info", message: "Models loaded." }]);
    assert.deepEqual(lifecycle, [
      { kind: "loading", progress: 0.5, modelPath: "/m.gguf" },
      { kind: "ready", info: hostInfo() },
      { kind: "loadFailed", error: { code: "notGguf", message: "Not a GGUF file." } },
    ]);
  });

  describe("cancellation", function () {
    it("sends nothing for a signal that was aborted already", async function () {
      const { channel, transport } = rig();
      const infill = channel.request("infill", infillParams, { signal: AbortSignal.abort() });
      assert.equal(errorCode(await outcome(infill)), "cancelled");
      assert.deepEqual(transport.sent, []);
    });

    it("asks the host to cancel, stops streaming, and rejects with the host's confirmation", async function () {
      const { channel, transport, timers } = rig();
      const controller = new AbortController();
      const chunks: string[] = [];
      const chat = channel.request("chat", chatParams, {
        signal: controller.signal,
        onChunk: (text) => chunks.push(text),
      });
      transport.deliver({ kind: "chunk", id: 1, text: "a" });
      controller.abort();
      assert.deepEqual(transport.sent.at(-1), { kind: "cancel", id: 1 });
      transport.deliver({ kind: "chunk", id: 1, text: "b" });
      assert.equal(await outcome(chat), "pending");
      transport.deliver({ kind: "error", id: 1, error: { code: "cancelled", message: "The request was cancelled." } });
      assert.equal(errorCode(await outcome(chat)), "cancelled");
      assert.deepEqual(chunks, ["a"]);
      assert.deepEqual(timers.pending, [], "the grace timer is cancelled once the host confirmed");
    });

    it("rejects as cancelled a result that crossed the cancel", async function () {
      const { channel, transport } = rig();
      const controller = new AbortController();
      const infill = channel.request("infill", infillParams, { signal: controller.signal });
      controller.abort();
      transport.deliver({ kind: "result", id: 1, result: generationResult("late") });
      assert.equal(errorCode(await outcome(infill)), "cancelled");
    });

    it("rejects after the grace period when the host does not confirm", async function () {
      const { channel, transport, timers } = rig();
      const controller = new AbortController();
      const infill = channel.request("infill", infillParams, { signal: controller.signal });
      controller.abort();
      controller.signal.dispatchEvent(new Event("abort"));
      assert.equal(transport.sent.filter((message) => message.kind === "cancel").length, 1, "one cancel per request");
      timers.advance(cancelGraceMs - 1);
      assert.equal(await outcome(infill), "pending");
      timers.advance(1);
      assert.equal(errorCode(await outcome(infill)), "cancelled");
    });
  });

  describe("close", function () {
    it("fails the waiting requests with the transport's reason, an aborted one as cancelled", async function () {
      const { channel, transport } = rig();
      const controller = new AbortController();
      const infill = channel.request("infill", infillParams);
      const aborted = channel.request("infill", infillParams, { signal: controller.signal });
      controller.abort();
      transport.close("was killed (SIGKILL)");
      const [settled, settledAborted] = await Promise.all([outcome(infill), outcome(aborted)]);
      assert.equal(errorCode(settled), "hostCrashed");
      assert.ok(
        settled !== "pending" &&
          "error" in settled &&
          settled.error instanceof Error &&
          settled.error.message === "The host was killed (SIGKILL).",
      );
      assert.equal(errorCode(settledAborted), "cancelled");
    });

    it("fails later requests without sending them, and ignores what still arrives", async function () {
      const { channel, transport, logs, lifecycle } = rig();
      channel.close(new HostRequestError("notReady", "Stopped."));
      const infill = channel.request("infill", infillParams);
      assert.equal(errorCode(await outcome(infill)), "notReady");
      assert.deepEqual(transport.sent, []);
      transport.deliver({ kind: "log", level: "warn", message: "Dispose failed." });
      transport.deliver({ kind: "ready", info: hostInfo() });
      assert.deepEqual(logs, []);
      assert.deepEqual(lifecycle, []);
    });
  });
});
