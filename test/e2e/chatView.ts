// The chat view in the workbench, for the scenarios and the benchmark that talk to it.
import type { Frame, Page } from "playwright-core";
import type { Scenario } from "./scenario";

/** VS Code nests each webview's document two iframes deep; the chat's is the one with the message box. */
export async function chatFrame(page: Page, waitMs: number): Promise<Frame | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator("#input").count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The chat page once its script ran and the extension answered (the budget line is filled). The page's HTML is there
 * before its script runs, and the extension loads a page that never said "ready" again in a new frame (in code-server
 * a page's script sometimes never arrives; see extension/src/chat/chatView.ts), so the frame is looked up afresh until
 * one has started. Throws when none did within `waitMs`.
 */
export async function runningChat(page: Page, waitMs: number): Promise<Frame> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const frame = await chatFrame(page, Math.max(0, deadline - Date.now()));
    const started = frame !== undefined && (await frame.locator("#budget", { hasText: "tokens" }).waitFor({ timeout: 1_000 }).then(() => true, () => false));
    if (started) return frame;
    if (Date.now() > deadline) throw new Error(frame === undefined ? "no chat page appeared" : "the chat page's script never ran, not even after the extension loaded it again");
  }
}

/** Opens the Llama Assist container unless VS Code restored it open (a click would then close it). */
export async function openChat(scenario: Scenario): Promise<Frame> {
  const page = scenario.workbench.page;
  const containerOpen = page.locator('.activitybar .action-item.checked .action-label[aria-label^="Llama Assist"]');
  // A click toggles the container, and a close requested just before may not have landed yet: look again each try.
  // A view that shows no chat page at all is closed so that the next try opens it afresh: VS Code's own webview
  // bootstrap can stall before our page exists (see chat.e2e.ts). A page that appeared is the extension's to start.
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await containerOpen.count()) === 0) await scenario.workbench.activityBarItem("Llama Assist").click();
    if ((await chatFrame(page, 20_000)) !== undefined) return runningChat(page, 60_000);
    process.stdout.write("      [e2e platform] the chat view shows no page; opening the view afresh\n");
    if (await containerOpen.count()) await scenario.workbench.activityBarItem("Llama Assist").click();
    await containerOpen.waitFor({ state: "detached", timeout: 10_000 });
  }
  throw new Error("the chat webview never appeared");
}
