// Issue 9 in a real VS Code: with llamaAssist.backend set to llama-server, the ghost text comes from a real llama-server
// on 127.0.0.1 (built from node-llama-cpp's bundled llama.cpp), its status bar item names the server's model, and the
// local host's item stays hidden: no local model is configured or loaded.
import assert from "node:assert/strict";
import path from "node:path";
import { ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";
import { type RunningLlamaServer, startLlamaServer } from "../remote/llamaServer";
import { codeServerExecutable } from "./install";
import { extensionId } from "./paths";
import { timed } from "./phases";
import { scenarioPerTest, hostStatusEntry } from "./scenario";

const remoteStatusEntry = `${extensionId}.llamaAssist.remoteStatus`;
const ghostTimeoutMs = 60_000;

describe("issue 9, remote servers: Llama Assist in a real VS Code against a real llama-server", function () {
  this.timeout(300_000);
  let server: RunningLlamaServer | undefined;
  const startScenario = scenarioPerTest();

  before(async function () {
    server = await startLlamaServer({ modelPath: ensureScriptedModel("standard"), threads: 1, contextSize: 4096 });
  });

  afterEach(function () {
    // CI keeps only what the tests print.
    if (this.currentTest?.state === "failed" && server)
      console.log(`      llama-server's log, the end:\n${server.log().slice(-3000)}`);
  });

  after(async function () {
    await server?.stop();
  });

  it("ghost text comes from llama-server, and the status bar names the server's model instead of a local host", async function () {
    if (server === undefined) throw new Error("llama-server did not start");
    const modelFile = path.basename(ensureScriptedModel("standard"));
    const scenario = await startScenario("remote-llama-server", {
      codeServer: await codeServerExecutable(),
      settings: { "llamaAssist.backend": "llama-server", "llamaAssist.remote.url": server.url },
      files: { "remote.py": "def add(a, b):\n" },
    });
    const { workbench } = scenario;
    await workbench.openFile("remote.py");
    await workbench.waitForStatusText(remoteStatusEntry, (text) => text === modelFile, ghostTimeoutMs);
    await workbench.page.keyboard.press("Control+End");
    await workbench.type("    ");
    const ghost = await timed("remote-llama-server: first ghost text", () =>
      workbench.waitForGhostText(ghostTimeoutMs),
    );
    await workbench.screenshot("remote-ghost-text");
    assert.equal(ghost, fimCompletion);
    assert.equal(await workbench.statusBarItem(hostStatusEntry).isVisible(), false, "the local host's item is hidden");
  });
});
