// The chat view in the workbench, for the scenarios and the benchmark that talk to it.
import type { Frame, Page } from "playwright-core";
import type { Scenario } from "./scenario";

/** VS Code nests each webview's document two iframes deep; the chat's is the one with the message box. */
async function chatFrame(page: Page, waitMs: number): Promise<Frame | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator("#input").count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Opens the Llama Assist container unless VS Code restored it open (a click would then close it). */
export async function openChat(scenario: Scenario): Promise<Frame> {
  const page = scenario.workbench.page;
  const containerOpen = page.locator('.activitybar .action-item.checked .action-label[aria-label^="Llama Assist"]');
  // A click toggles the container, and a close requested just before may not have landed yet: look again each try,
  // and close a container whose chat stayed blank so that the next try opens it afresh.
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await containerOpen.count()) === 0) await scenario.workbench.activityBarItem("Llama Assist").click();
    const frame = await chatFrame(page, 20_000);
    if (frame !== undefined) {
      // The page's HTML is there before its script runs; the budget line is filled once the extension has answered.
      await frame.locator("#budget", { hasText: "tokens" }).waitFor({ timeout: 60_000 });
      return frame;
    }
    if (await containerOpen.count()) await scenario.workbench.activityBarItem("Llama Assist").click();
    await containerOpen.waitFor({ state: "detached", timeout: 10_000 });
  }
  throw new Error("the chat webview never appeared");
}
