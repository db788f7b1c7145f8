// Issue 9 in a real VS Code: with llamaAssist.backend set to llama-server, the ghost text comes from a real llama-server
// on 127.0.0.1 (built from node-llama-cpp's bundled llama.cpp), its status bar item names the server's model, and the
// local host's item stays hidden: no local model is configured or loaded. Issue 20: a server off this machine gets code
// only after the user agrees, and the question says that the chat's workspace retrieval sends workspace code too.
import assert from "node:assert/strict";
import path from "node:path";
import { ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";
import { type RunningLlamaServer, startLlamaServer } from "../remote/llamaServer";
import { ScriptedServer, offLoopbackAddress } from "../remote/scriptedServer";
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

describe("issue 20, remote consent: the question before code leaves the machine, in a real VS Code", function () {
  this.timeout(300_000);
  let server: ScriptedServer | undefined;
  const startScenario = scenarioPerTest();

  before(async function () {
    // Off loopback, so the extension treats it as any server on the network and asks first.
    server = await ScriptedServer.start(undefined, offLoopbackAddress());
    server.respondWith((request, response) => {
      if (request.path === "/v1/models")
        response.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"id":"recording-model"}]}');
      else response.writeHead(500).end("no code was to arrive here");
    });
  });

  after(async function () {
    await server?.close();
  });

  it("asks before sending code, says that workspace code goes too, and sends none when refused", async function () {
    if (server === undefined) throw new Error("the recording server did not start");
    const scenario = await startScenario("remote-consent", {
      codeServer: await codeServerExecutable(),
      settings: {
        "llamaAssist.backend": "openai",
        "llamaAssist.remote.url": server.url,
        "llamaAssist.remote.allowInsecureHttp": true,
      },
      files: { "remote.py": "def add(a, b):\n" },
    });
    const { workbench } = scenario;
    await workbench.openFile("remote.py");
    await workbench.waitForStatusText(remoteStatusEntry, (text) => text === "recording-model", ghostTimeoutMs);
    await workbench.page.keyboard.press("Control+End");
    await workbench.type("    ");
    const dialog = await workbench.modalDialogText();
    await workbench.screenshot("remote-consent");
    assert.ok(dialog.includes(`Send your code to`), dialog);
    assert.ok(dialog.includes("the workspace code that the chat finds for each question"), dialog);
    await workbench.page.locator(".monaco-dialog-box").getByRole("button", { name: "Don't Allow" }).click();
    await workbench.page.locator(".monaco-dialog-box").waitFor({ state: "detached" });
    assert.deepEqual(
      server.requests.filter((request) => request.path !== "/v1/models").map((request) => request.path),
      [],
      "nothing but the model list was asked of the server",
    );
  });
});
