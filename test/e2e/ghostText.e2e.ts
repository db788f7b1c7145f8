// Issue 5, "Ghost text": the scripted model's fill-in-the-middle completion, through the real provider, in Monaco.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fimCompletion, type ScriptedVariant } from "../fixtures/scriptedModel";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { type Scenario, scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";

const functionHeader = "def add(a, b):\n";
const indentation = "    ";
const ghostTimeoutMs = 60_000;

describe("ghost text: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  let codeServer: string;
  const startScenario = scenarioPerTest();

  before(async function () {
    codeServer = await codeServerExecutable();
  });

  /** Opens the scenario's own file, the cursor on the empty line under the header, and types the indentation. */
  async function typeIntoFunctionBody(
    name: string,
    file: string,
    variant: ScriptedVariant = "standard",
  ): Promise<Scenario> {
    const scenario = await startScenario(name, {
      codeServer,
      settings: scriptedModelSettings(variant),
      files: { [file]: functionHeader },
    });
    const { workbench } = scenario;
    await workbench.openFile(file);
    // As a user would: the file opened the host, and the status bar says it is ready.
    await waitForHostOnCpu(workbench, ghostTimeoutMs);
    await workbench.page.keyboard.press("Control+End");
    await workbench.type(indentation);
    return scenario;
  }

  it("type in a Python file; the scripted model's completion appears as ghost text", async function () {
    const { workbench } = await typeIntoFunctionBody("ghost-text-appears", "ghost_appears.py");
    const ghost = await timed("ghost-text-appears: first ghost text", () => workbench.waitForGhostText(ghostTimeoutMs));
    await workbench.screenshot("ghost-text");
    assert.equal(ghost, fimCompletion);
  });

  it("a model that rambles on into the next function, never ending, shows the body alone", async function () {
    const { workbench } = await typeIntoFunctionBody("ghost-text-rambling", "ghost_rambling.py", "rambling");
    const ghost = await timed("ghost-text-rambling: first ghost text", () =>
      workbench.waitForGhostText(ghostTimeoutMs),
    );
    await workbench.screenshot("ghost-text-rambling");
    assert.equal(ghost, fimCompletion);
  });

  it("Tab accepts it; the file content on disk matches after save", async function () {
    const current = await typeIntoFunctionBody("ghost-text-tab", "ghost_tab.py");
    const { workbench } = current;
    await workbench.waitForGhostText(ghostTimeoutMs);
    await workbench.page.keyboard.press("Tab");
    await workbench.waitForNoGhostText(10_000);
    await workbench.save();
    await workbench.screenshot("accepted");
    const onDisk = await readFile(path.join(current.workspace, "ghost_tab.py"), "utf8");
    assert.equal(onDisk, `${functionHeader}${indentation}${fimCompletion}`);
  });

  it("Escape dismisses it", async function () {
    const current = await typeIntoFunctionBody("ghost-text-escape", "ghost_escape.py");
    const { workbench } = current;
    await workbench.waitForGhostText(ghostTimeoutMs);
    await workbench.page.keyboard.press("Escape");
    await workbench.waitForNoGhostText(10_000);
    await workbench.save();
    await workbench.screenshot("dismissed");
    const onDisk = await readFile(path.join(current.workspace, "ghost_escape.py"), "utf8");
    assert.equal(onDisk, `${functionHeader}${indentation}`);
  });
});
