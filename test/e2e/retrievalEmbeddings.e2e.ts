// Issue 20's embedding lane in a real VS Code (code-server + Chromium): with llamaAssist.embeddingModel.path set, the
// host loads the benchmark embedding GGUF, the workspace's chunks are embedded in the background with their progress in
// the status bar, and a chat question is still answered with the other file's chunk cited while ranking is hybrid.
// The model's weights are random, so its vectors rank by shared tokens at best: the test asserts that the pass ran to
// its end and that the citation holds, not that embeddings improved the ranking.
import assert from "node:assert/strict";
import { ensureEmbeddingModel } from "../fixtures/embeddingModel";
import { codeServerExecutable } from "./install";
import { type Scenario, scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { openChat } from "./chatView";
import { askAboutInvoiceTotal, invoiceMain, invoiceModule } from "./invoiceWorkspace";

const readyTimeoutMs = 90_000;
const embeddedTimeoutMs = 120_000;
const answerTimeoutMs = 90_000;
/** VS Code's entry for window progress in the status bar. */
const progressEntry = "status.progress";

/**
 * Enough functions that the embedding pass outlasts VS Code's delay before it shows window progress (150 ms), and
 * none shares a word with the question.
 */
function fillerModules(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let module = 0; module < 8; module++) {
    const functions = Array.from(
      { length: 40 },
      (_, index) => `def step_${module}_${index}(value):\n    return value * ${index + 2} - ${module}\n`,
    );
    files[`steps_${module}.py`] = functions.join("\n\n");
  }
  return files;
}

const passEnded = /Workspace embeddings: (\d+) chunks embedded by the host; the index holds (\d+) chunks\./;

/** The log lines of the embedding passes that have ended, once there are `count` and VS Code has written them. */
async function embeddingPassesLogged(scenario: Scenario, count: number, timeoutMs: number): Promise<RegExpExecArray[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const passes = (await scenario.extensionLogLines())
      .map((text) => passEnded.exec(text))
      .filter((match) => match !== null);
    if (passes.length >= count) return passes;
    if (Date.now() > deadline) throw new Error(`the extension logged the end of ${passes.length} embedding passes`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Asserts that a pass embedded every chunk of the index, and returns how many there were. */
function embeddedEveryChunk(pass: RegExpExecArray): number {
  const [, embedded, chunks] = pass;
  assert.ok(Number(chunks) > 8 * 40, `the index holds every function as a chunk: ${chunks}`);
  assert.equal(embedded, chunks, "the host embedded every chunk of the index in one pass");
  return Number(chunks);
}

describe("issue 20, workspace retrieval with the embedding lane in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("embeds the workspace with progress in the status bar, cites the other file's chunk with hybrid ranking, drops it on request, and embeds again after a rebuild", async function () {
    const scenario = await startScenario("chat-retrieval-embeddings", {
      codeServer: await codeServerExecutable(),
      settings: {
        ...scriptedModelSettings("standard"),
        "llamaAssist.embeddingModel.path": ensureEmbeddingModel(),
      },
      files: {
        "invoice.py": invoiceModule,
        "main.py": invoiceMain,
        ...fillerModules(),
      },
    });
    const { workbench } = scenario;
    // The host loads the embedding model after the completion model, so the pass cannot have begun yet.
    await workbench.recordStatusTexts(progressEntry);
    await workbench.openFile("main.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);

    const [firstPass] = await embeddingPassesLogged(scenario, 1, embeddedTimeoutMs);
    const chunks = embeddedEveryChunk(firstPass);
    const progress = (await workbench.statusTextsSeen()).filter((text) => text.includes("embedding the workspace"));
    assert.ok(
      progress.some((text) => /: \d+\/\d+ chunks$/.test(text)),
      `the status bar showed the pass's progress: ${JSON.stringify(await workbench.statusTextsSeen())}`,
    );
    await workbench.waitForStatusText(progressEntry, (text) => !text.includes("embedding the workspace"), 10_000);

    const chat = await openChat(scenario);
    const { sources, labels } = await askAboutInvoiceTotal(chat);
    assert.ok(labels.includes("invoice.py:8"), `the invoice function's chunk is cited: ${labels.join(", ")}`);
    await workbench.screenshot("sources-cited-hybrid");

    await sources.filter({ hasText: "invoice.py:8" }).first().click();
    await workbench.page.locator('.tabs-container .tab.active[aria-label^="invoice.py"]').waitFor();
    await workbench.waitForStatusText("status.editor.selection", (text) => /^Ln 8, Col 1\b/.test(text), 30_000);

    await chat.getByRole("button", { name: "Leave invoice.py:8 out and ask again" }).click();
    await chat.locator(".message.assistant").filter({ hasText: "invoice.py:8" }).waitFor({ state: "detached" });
    await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: answerTimeoutMs });
    const again = await chat
      .locator(".message.assistant")
      .last()
      .locator(".message-sources .source-link")
      .allInnerTexts();
    assert.deepEqual(
      again,
      labels.filter((label) => label !== "invoice.py:8"),
      "asked again with the other sources",
    );

    await workbench.runCommand("Llama Assist: Rebuild the Workspace Index");
    const passes = await embeddingPassesLogged(scenario, 2, embeddedTimeoutMs);
    assert.equal(embeddedEveryChunk(passes[1]), chunks, "the rebuilt index is embedded anew, chunk for chunk");
  });
});
