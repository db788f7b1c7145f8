import assert from "node:assert/strict";
import { HostRequestError } from "../../../extension/src/core/protocol/backend";
import type { HostConfig, HostState, LogLevel } from "../../../extension/src/core/protocol/host";
import {
  HostSupervisor,
  type ProcessEvents,
  type SupervisedProcess,
  healthyAfterMs,
  maxCrashesWhileLoading,
  restartDelayMs,
} from "../../../extension/src/core/host/hostSupervisor";
import { FakeTimers, flush, hostConfig, hostInfo, outcome } from "./hostFakes";

class FakeProcess implements SupervisedProcess {
  /** What end() failed the process's requests with; undefined while it runs. */
  endedWith: HostRequestError | undefined;
  /** Set: end() resolves only at leave(), as a process slow to exit. */
  lingers = false;
  leave: () => void = () => undefined;
  private readonly gone = new Promise<void>((resolve) => (this.leave = resolve));

  constructor(
    readonly config: HostConfig,
    readonly events: ProcessEvents,
  ) {}

  end(error: HostRequestError): Promise<void> {
    this.endedWith = error;
    return this.lingers ? this.gone : Promise.resolve();
  }

  ready(): void {
    this.events.ready(hostInfo(this.config.completionModelPath));
  }
}

const modelA = "/models/a.gguf";
const modelB = "/models/b.gguf";

function rig(config = hostConfig(modelA)): {
  supervisor: HostSupervisor<FakeProcess>;
  processes: FakeProcess[];
  timers: FakeTimers;
  states: HostState[];
  logs: { level: LogLevel; message: string }[];
  latest: () => FakeProcess;
} {
  const processes: FakeProcess[] = [];
  const timers = new FakeTimers();
  const logs: { level: LogLevel; message: string }[] = [];
  const supervisor = new HostSupervisor<FakeProcess>({
    config,
    startProcess: (processConfig, events) => {
      const started = new FakeProcess(processConfig, events);
      processes.push(started);
      return started;
    },
    timers,
    log: (level, message) => logs.push({ level, message }),
  });
  const states: HostState[] = [];
  supervisor.onDidChangeState((state) => states.push(state));
  const latest = (): FakeProcess => {
    const last = processes.at(-1);
    assert.ok(last !== undefined, "a process was started");
    return last;
  };
  return { supervisor, processes, timers, states, logs, latest };
}

function rejection(settled: Awaited<ReturnType<typeof outcome>>): HostRequestError {
  assert.ok(settled !== "pending" && "error" in settled, `expected a rejection, got ${JSON.stringify(settled)}`);
  assert.ok(settled.error instanceof HostRequestError, String(settled.error));
  return settled.error;
}

/** A supervisor whose host loaded modelA and is ready. */
async function readyRig(): Promise<ReturnType<typeof rig>> {
  const parts = rig();
  const started = parts.supervisor.start();
  parts.latest().ready();
  await started;
  return parts;
}

describe("host supervisor", function () {
  it("starts one process, reports its loading and resolves every start() once it is ready", async function () {
    const { supervisor, processes, states, latest } = rig();
    const first = supervisor.start();
    const second = supervisor.start();
    assert.equal(processes.length, 1);
    assert.deepEqual(latest().config, hostConfig(modelA));
    latest().events.loading(0.5);
    assert.equal(await outcome(first), "pending");
    latest().ready();
    assert.deepEqual(await outcome(first), { value: hostInfo(modelA) });
    assert.deepEqual(await outcome(second), { value: hostInfo(modelA) });
    assert.deepEqual(await outcome(supervisor.start()), { value: hostInfo(modelA) });
    assert.equal(processes.length, 1);
    assert.deepEqual(
      states.map((state) => state.phase),
      ["starting", "loading", "ready"],
    );
    assert.deepEqual(states[1], { phase: "loading", progress: 0.5 });
    assert.equal(supervisor.process, latest());
  });

  it("stops on a load failure: no restart, and start() gets the same error until restart()", async function () {
    const { supervisor, processes, timers, latest } = rig();
    const started = supervisor.start();
    latest().events.loadFailed({ code: "notGguf", message: "Not a GGUF file." });
    assert.equal(rejection(await outcome(started)).code, "notGguf");
    assert.deepEqual(supervisor.state, { phase: "error", error: { code: "notGguf", message: "Not a GGUF file." } });
    assert.equal(latest().endedWith?.code, "notReady", "the failed process is ended");
    timers.advance(10 * 60_000);
    assert.equal(rejection(await outcome(supervisor.start())).code, "notGguf");
    assert.equal(processes.length, 1);

    const restarted = supervisor.restart(hostConfig(modelB));
    await flush();
    assert.equal(processes.length, 2);
    assert.equal(latest().config.completionModelPath, modelB);
    latest().ready();
    assert.deepEqual(await outcome(restarted), { value: undefined });
    assert.equal(supervisor.state.phase, "ready");
  });

  it("restarts a crashed host after a delay, and start() waits for the new one meanwhile", async function () {
    const { supervisor, processes, timers, logs, latest } = await readyRig();
    latest().events.exited("was killed (SIGKILL)");
    assert.deepEqual(supervisor.state, {
      phase: "error",
      error: { code: "hostCrashed", message: "The inference host was killed (SIGKILL)." },
      restartInMs: 500,
    });
    assert.equal(supervisor.process, undefined);
    assert.ok(
      logs.some(
        (entry) =>
          entry.level === "warn" && entry.message === "The inference host was killed (SIGKILL); restarting in 500 ms.",
      ),
    );
    const waiting = supervisor.start();
    timers.advance(499);
    assert.equal(processes.length, 1);
    timers.advance(1);
    assert.equal(processes.length, 2);
    assert.equal(supervisor.state.phase, "starting");
    latest().ready();
    assert.deepEqual(await outcome(waiting), { value: hostInfo(modelA) });
  });

  it("backs off 0.5 s, 1 s, 2 s … up to 30 s while the host keeps crashing", async function () {
    const { supervisor, timers, latest } = await readyRig();
    const delays: (number | undefined)[] = [];
    for (let crash = 0; crash < 9; crash++) {
      latest().events.exited("exited with code 1");
      const state = supervisor.state;
      delays.push(state.phase === "error" ? state.restartInMs : undefined);
      timers.advance(30_000);
      // Ready again each time, so these are not crashes while loading, which give up after three.
      latest().ready();
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.deepEqual([0, 1, 6, 7, 100].map(restartDelayMs), [500, 1000, 30_000, 30_000, 30_000]);
  });

  it("starts the backoff over after a healthy minute, with a timer that does not keep the process alive", async function () {
    const { supervisor, timers, latest } = await readyRig();
    assert.deepEqual(timers.pending, [{ inMs: healthyAfterMs, background: true }]);
    latest().events.exited("exited with code 1");
    timers.advance(500);
    latest().ready();
    timers.advance(healthyAfterMs - 1);
    latest().events.exited("exited with code 1");
    assert.equal(
      supervisor.state.phase === "error" && supervisor.state.restartInMs,
      1000,
      "not healthy for a minute yet",
    );
    timers.advance(1000);
    latest().ready();
    timers.advance(healthyAfterMs);
    latest().events.exited("exited with code 1");
    assert.equal(supervisor.state.phase === "error" && supervisor.state.restartInMs, 500);
  });

  it(`gives up after ${maxCrashesWhileLoading} crashes in a row while loading`, async function () {
    const { supervisor, processes, timers, latest } = rig();
    const started = supervisor.start();
    for (let crash = 1; crash < maxCrashesWhileLoading; crash++) {
      latest().events.exited("was killed (SIGSEGV)");
      timers.advance(30_000);
    }
    assert.equal(await outcome(started), "pending");
    latest().events.exited("was killed (SIGSEGV)");
    const error = rejection(await outcome(started));
    assert.equal(error.code, "hostCrashed");
    assert.equal(
      error.message,
      `The inference host was killed (SIGSEGV) 3 times while loading ${modelA}. Giving up until restarted.`,
    );
    assert.deepEqual(supervisor.state, { phase: "error", error: { code: "hostCrashed", message: error.message } });
    timers.advance(10 * 60_000);
    assert.equal(processes.length, maxCrashesWhileLoading, "no restart after giving up");
    assert.equal(rejection(await outcome(supervisor.start())).code, "hostCrashed");
  });

  it("counts only crashes in a row while loading: a ready host starts the count over", async function () {
    const { supervisor, timers, latest } = rig();
    void supervisor.start();
    latest().events.exited("exited with code 1");
    timers.advance(30_000);
    latest().events.exited("exited with code 1");
    timers.advance(30_000);
    latest().ready();
    latest().events.exited("exited with code 1");
    timers.advance(30_000);
    latest().events.exited("exited with code 1");
    assert.ok(supervisor.state.phase === "error" && supervisor.state.restartInMs !== undefined, "still restarting");
  });

  it("stop() ends the process with its reason, cancels a scheduled restart and fails the waiting start()", async function () {
    const { supervisor, processes, timers, states, latest } = await readyRig();
    const stopped = supervisor.stop();
    assert.equal(latest().endedWith?.message, "The inference host was stopped.");
    await stopped;
    assert.deepEqual(states.at(-1), { phase: "stopped" });

    const started = supervisor.start();
    latest().events.exited("exited with code 1");
    await supervisor.stop();
    assert.equal(rejection(await outcome(started)).code, "notReady");
    timers.advance(60_000);
    assert.equal(processes.length, 2, "the scheduled restart was cancelled");
    assert.deepEqual(supervisor.state, { phase: "stopped" });
  });

  it("ignores what a process it has moved on from reports", async function () {
    const { supervisor, processes, latest } = await readyRig();
    const old = latest();
    const restarted = supervisor.restart(hostConfig(modelB));
    await flush();
    old.events.exited("exited with code 0");
    old.events.loadFailed({ code: "internal", message: "late" });
    assert.equal(supervisor.state.phase, "starting");
    latest().ready();
    await restarted;
    old.events.exited("exited with code 0");
    assert.equal(supervisor.state.phase, "ready");
    assert.equal(processes.length, 2);
  });

  it("after dispose() refuses to start and ends the process", async function () {
    const { supervisor, processes, latest } = await readyRig();
    await supervisor.dispose();
    assert.equal(latest().endedWith?.code, "notReady");
    assert.equal(rejection(await outcome(supervisor.start())).code, "notReady");
    assert.equal(processes.length, 1);
    assert.equal(supervisor.process, undefined);
  });

  describe("a configuration change that does not load", function () {
    it("loads the previous configuration again and says why the new one is not in use", async function () {
      const { supervisor, processes, logs, latest } = await readyRig();
      const restarted = supervisor.restart(hostConfig(modelB));
      await flush();
      const failing = latest();
      failing.events.loadFailed({ code: "unsupportedArchitecture", message: "Not supported." });
      await flush();
      assert.equal(failing.endedWith?.code, "unsupportedArchitecture");
      assert.ok(logs.some((entry) => entry.message === `Not supported. Loading the previous model again: ${modelA}.`));
      assert.equal(processes.length, 3);
      assert.equal(latest().config.completionModelPath, modelA);
      latest().ready();
      const error = rejection(await outcome(restarted));
      assert.equal(error.code, "unsupportedArchitecture");
      assert.equal(error.message, "Not supported. The previous model stays in use: a.gguf.");
      assert.deepEqual(supervisor.state, {
        phase: "ready",
        info: hostInfo(modelA),
        failedChange: { code: "unsupportedArchitecture", message: "Not supported." },
      });

      const again = supervisor.restart(hostConfig(modelB));
      await flush();
      latest().ready();
      assert.deepEqual(await outcome(again), { value: undefined });
      assert.deepEqual(
        supervisor.state,
        { phase: "ready", info: hostInfo(modelB) },
        "a good change forgets the failed one",
      );
    });

    it("falls back after the new configuration crashed the host while loading it three times", async function () {
      const { supervisor, processes, timers, latest } = await readyRig();
      const restarted = supervisor.restart(hostConfig(modelB));
      await flush();
      for (let crash = 0; crash < maxCrashesWhileLoading; crash++) {
        latest().events.exited("was killed (SIGKILL)");
        timers.advance(30_000);
      }
      await flush();
      assert.equal(processes.length, 1 + maxCrashesWhileLoading + 1);
      assert.equal(latest().config.completionModelPath, modelA);
      latest().ready();
      const error = rejection(await outcome(restarted));
      assert.equal(error.code, "hostCrashed");
      assert.equal(
        error.message,
        `The inference host was killed (SIGKILL) 3 times while loading ${modelB}. The previous model stays in use: a.gguf.`,
      );
    });

    it("reports both failures when the previous configuration does not load either", async function () {
      const { supervisor, latest } = await readyRig();
      const restarted = supervisor.restart(hostConfig(modelB));
      await flush();
      latest().events.loadFailed({ code: "notGguf", message: "Not a GGUF file." });
      await flush();
      latest().events.loadFailed({ code: "outOfMemory", message: "No memory." });
      const error = rejection(await outcome(restarted));
      assert.equal(error.code, "notGguf");
      assert.equal(error.message, "Not a GGUF file. The previous model did not load either: No memory.");
      assert.equal(supervisor.state.phase, "error");
    });

    it("lets a stop() while the failed process exits decide what runs next", async function () {
      const { supervisor, processes, latest } = await readyRig();
      const restarted = supervisor.restart(hostConfig(modelB));
      await flush();
      const failing = latest();
      failing.lingers = true;
      failing.events.loadFailed({ code: "notGguf", message: "Not a GGUF file." });
      const stopped = supervisor.stop();
      failing.leave();
      await stopped;
      await flush();
      assert.equal(rejection(await outcome(restarted)).code, "notReady");
      assert.equal(processes.length, 2, "no fallback process after the stop");
      assert.deepEqual(supervisor.state, { phase: "stopped" });
    });

    it("does not fall back when nothing loaded before", async function () {
      const { supervisor, processes, latest } = rig();
      const started = supervisor.start();
      latest().events.loadFailed({ code: "notGguf", message: "Not a GGUF file." });
      assert.equal(rejection(await outcome(started)).code, "notGguf");
      const restarted = supervisor.restart(hostConfig(modelB));
      await flush();
      latest().events.loadFailed({ code: "unsupportedArchitecture", message: "Not supported." });
      assert.equal(rejection(await outcome(restarted)).code, "unsupportedArchitecture");
      assert.equal(processes.length, 2);
    });
  });
});
