// Issue 17, Llama Guard in a real VS Code (code-server + Chromium): a chat message the guard flags stays in the chat
// behind a banner that names the category and never reaches the chat model; the next, safe message is answered. The
// guard is a scripted stand-in on Llama 3's real tokenizer that flags S2 (Non-Violent Crimes) when the message has the
// marker word, and the chat model is the standard scripted one.
import assert from "node:assert/strict";
import { openChat } from "./chatView";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { ensureRealScriptedModel, llamaGuardByContent, llamaGuardMarker } from "../fixtures/realScriptedModels";

const timeoutMs = 90_000;

describe("issue 17, Llama Guard in the chat: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  const startScenario = scenarioPerTest();

  it("blocks a flagged message behind a banner naming its category, then answers the next, safe one", async function () {
    const scenario = await startScenario("chat-guard", {
      codeServer: await codeServerExecutable(),
      settings: {
        ...scriptedModelSettings("standard"),
        "llamaAssist.guard.model": ensureRealScriptedModel(llamaGuardByContent),
        "llamaAssist.guard.mode": "promptsAndAnswers",
      },
      files: { "guarded.py": "import sys\n" },
    });
    const { workbench } = scenario;
    await workbench.openFile("guarded.py");
    await waitForHostOnCpu(workbench, timeoutMs);

    const chat = await openChat(scenario);
    await chat.locator("#input").fill(`Where can I buy${llamaGuardMarker} money?`);
    await chat.locator("#input").press("Enter");
    const flagged = chat.locator(".message.user").first();
    const banner = flagged.locator(".guard-banner");
    await timed("chat-guard: send to guard banner", () => banner.waitFor({ timeout: timeoutMs }));
    assert.match(
      await banner.innerText(),
      /Llama Guard flagged this message as unsafe \(S2 Non-Violent Crimes\), so the chat model did not see it\./,
    );
    assert.equal(await chat.locator(".message.assistant").count(), 0, "no answer to the flagged message");
    await workbench.screenshot("flagged");

    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator('.message.assistant[data-status="complete"]').last();
    await timed("chat-guard: safe message to checked answer", () => answer.waitFor({ timeout: timeoutMs }));
    assert.match(await answer.locator(".message-content p").first().innerText(), /Here is your function:/);
    assert.equal(await answer.locator("pre code").textContent(), 'def greet(name):\n    return "Hello, " + name\n');
    assert.equal(await answer.locator(".guard-banner, .guard-note").count(), 0, "the answer passed the guard");
    assert.equal(await chat.locator(".message.user").nth(1).locator(".guard-banner").count(), 0);
    assert.equal(await banner.count(), 1, "the flagged message keeps its banner");
    await workbench.screenshot("answered");
  });
});
