// Issue 20 in a real VS Code (code-server + Chromium): a chat question about a function defined in another file of the
// workspace sends that function's chunk with the question (workspace retrieval, on by default), the answer cites it as
// path:line, and clicking the citation opens the file at that line.
import assert from "node:assert/strict";
import { codeServerExecutable } from "./install";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { openChat } from "./chatView";
import { askAboutInvoiceTotal, invoiceMain, invoiceModule } from "./invoiceWorkspace";

const readyTimeoutMs = 90_000;

describe("issue 20, workspace retrieval: sources cited in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("cites the chunk of another file that defines the function asked about, and opens it at the line", async function () {
    const scenario = await startScenario("chat-retrieval", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: {
        "invoice.py": invoiceModule,
        "main.py": invoiceMain,
        "helpers.py": "def greet(name):\n    return 'Hello, ' + name\n",
      },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("main.py");
    // The host's start takes longer than indexing three files, which starts with the window.
    await waitForHostOnCpu(workbench, readyTimeoutMs);

    const chat = await openChat(scenario);
    const { sources, labels } = await askAboutInvoiceTotal(chat);
    assert.equal(labels[0], "invoice.py:8", labels.join(", "));
    await workbench.screenshot("sources-cited");

    await sources.first().click();
    await page.locator('.tabs-container .tab.active[aria-label^="invoice.py"]').waitFor();
    await workbench.waitForStatusText("status.editor.selection", (text) => /^Ln 8, Col 1\b/.test(text), 30_000);
    await workbench.screenshot("source-opened");
  });
});
