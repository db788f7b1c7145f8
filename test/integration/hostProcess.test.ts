// The host as a process: restarted after a crash, gone when its parent dies, stopped cleanly by dispose().
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { once } from "node:events";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, fimCompletion, repoRoot } from "../fixtures/scriptedModel";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe("inference host process", function () {
  it("fails the in-flight request and serves the next one after the host is killed", async function () {
    const { client } = createTestHost(hostConfig(ensureScriptedModel("endless"), { contextSize: 4096 }));
    try {
      await client.start();
      const firstPid = client.pid;
      assert.ok(firstPid !== undefined);
      const inFlight = client.infill({ prefix: "x = 1\n", suffix: "", maxTokens: 3000, stop: [], temperature: 0 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.kill(firstPid, "SIGKILL");
      await assert.rejects(inFlight, (error: unknown) => {
        assert.ok(error instanceof HostRequestError);
        assert.equal(error.code, "hostCrashed");
        assert.match(error.message, /SIGKILL/);
        return true;
      });
      const state = client.state;
      assert.equal(state.phase, "error");
      assert.ok(state.restartInMs !== undefined && state.restartInMs > 0, "a restart is scheduled");

      const next = await client.infill({ prefix: "x = 1\n", suffix: "", maxTokens: 3, stop: [], temperature: 0 });
      assert.equal(next.text, " loop loop loop");
      assert.equal(client.state.phase, "ready");
      assert.notEqual(client.pid, firstPid);
    } finally {
      await client.dispose();
    }
  });

  it("leaves no orphan when the parent process is killed", async function () {
    const parent = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "test/fixtures/hostParent.ts"), ensureScriptedModel("standard")],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    parent.stdout.setEncoding("utf8");
    parent.stdout.on("data", (data: string) => (output += data));
    const started = await waitUntil(() => /host \d+/.test(output) || parent.exitCode !== null, 30_000);
    assert.ok(started && /host \d+/.test(output), `the parent reported its host: ${output}`);
    const hostPid = Number(/host (\d+)/.exec(output)?.[1]);
    assert.ok(isAlive(hostPid));

    const exited = once(parent, "exit");
    parent.kill("SIGKILL");
    await exited;
    const gone = await waitUntil(() => !isAlive(hostPid), 2000);
    if (!gone) process.kill(hostPid, "SIGKILL");
    assert.ok(gone, `host ${hostPid} outlived its parent by more than 2 s`);
  });

  it("dispose() stops the host and resolves after it exited", async function () {
    const { client } = createTestHost(hostConfig(ensureScriptedModel("standard")));
    const result = await client.infill({
      prefix: "def add(a, b):\n",
      suffix: "",
      maxTokens: 16,
      stop: [],
      temperature: 0,
    });
    assert.equal(result.text, fimCompletion);
    const pid = client.pid;
    assert.ok(pid !== undefined);
    await client.dispose();
    assert.equal(isAlive(pid), false);
    assert.equal(client.state.phase, "stopped");
  });
});
