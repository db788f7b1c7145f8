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
 * Whether the chat page's script ran and the extension answered (the budget line is filled). In code-server 4.100.3 a
 * webview's stylesheet and script sometimes never arrive through VS Code's webview service worker (see
 * ../shared/notes/vscode-e2e.md): that view stays HTML-only, and only a fresh webview recovers. Logged, so it stays seen.
 */
export async function chatScriptRan(frame: Frame, waitMs: number): Promise<boolean> {
  const ran = await frame.locator("#budget", { hasText: "tokens" }).waitFor({ timeout: waitMs }).then(() => true, () => false);
  if (!ran) process.stdout.write("      [e2e platform] the chat webview's script never arrived; opening the view afresh\n");
  return ran;
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
    if (frame !== undefined && (await chatScriptRan(frame, 40_000))) return frame;
    if (await containerOpen.count()) await scenario.workbench.activityBarItem("Llama Assist").click();
    await containerOpen.waitFor({ state: "detached", timeout: 10_000 });
  }
  throw new Error("the chat webview never appeared");
}
