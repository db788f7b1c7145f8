// A real VS Code (code-server) driven by Debian's Chromium through playwright-core.
// code-server and Chromium are installed by .ci/install-e2e.sh, outside the project's dependencies.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { chromiumExecutable } from "./paths";

/** Settings that keep the word-suggest widget and first-run editors from getting in the way of typed keys. */
const quietEditorSettings = {
  "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
  "editor.suggestOnTriggerCharacters": false,
  "editor.wordBasedSuggestions": "off",
  "editor.acceptSuggestionOnEnter": "off",
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "workbench.editor.enablePreview": false,
  // code-server saves after a delay by default, and VS Code then never marks a tab dirty, so save() could not tell
  // when its own save has finished.
  "files.autoSave": "off",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "git.openRepositoryInParentFolders": "never",
};

export interface CodeServerOptions {
  executable: string;
  workspace: string;
  /** The extension's folder, loaded in development mode (no packaging needed). */
  extensionPath?: string;
  /** Instead of extensionPath: a .vsix, installed into the fresh extensions folder with --install-extension. */
  vsix?: string;
  /** llamaAssist.* settings. They are machine-scoped, so they go in both the user and the machine settings. */
  settings: Record<string, unknown>;
  /** code-server's stdout and stderr go here. */
  logFile: string;
  /** 0 picks a free port. */
  port?: number;
}

/** Servers not stopped yet; they are stopped when this process ends, however it ends. */
const liveServers = new Set<CodeServer>();
let stopOnEndInstalled = false;

/**
 * code-server runs in its own process group, so nothing stops it when the runner dies: a runner without signal
 * handlers (mocha) dies on Ctrl+C without even an "exit" event. These handlers stop every live server in order, then
 * exit with the signal's conventional code; "exit" is the last resort for any other way out.
 */
function stopLiveServersWhenTheProcessEnds(): void {
  if (stopOnEndInstalled) return;
  stopOnEndInstalled = true;
  process.on("exit", () => {
    for (const server of liveServers) signalGroup(server.processGroup, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      void Promise.allSettled([...liveServers].map((server) => server.stop())).then(() =>
        process.exit(128 + os.constants.signals[signal]),
      );
    });
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** True while any process of the group lives, the inference host and code-server's helpers included. */
export function groupIsAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(pollMs);
  }
  return condition();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Copies a workspace template to a fresh temporary folder, so a scenario's edits touch nothing in the repository. */
export async function freshWorkspace(template: string): Promise<string> {
  const workspace = await mkdtemp(path.join(os.tmpdir(), "llama-assist-workspace-"));
  await cp(template, workspace, { recursive: true });
  return workspace;
}

/** The workbench with the workspace open, and the extension loaded in development mode when a path is given. */
export function workbenchUrl(port: number, workspace: string, extensionPath: string | undefined): string {
  const authority = `127.0.0.1:${port}`;
  const folder = `http://${authority}/?folder=${encodeURIComponent(workspace)}`;
  if (extensionPath === undefined) return folder;
  const payload = [["extensionDevelopmentPath", `vscode-remote://${authority}${extensionPath}`]];
  return `${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Runs code-server once with these arguments (no server), its output going to the log. */
function runCodeServer(executable: string, args: readonly string[], log: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`code-server ${args.join(" ")} failed with exit code ${String(code)}`));
    });
  });
}

export class CodeServer {
  private stopCalled = false;

  private constructor(
    private readonly server: ChildProcess & { pid: number },
    readonly port: number,
    readonly userDataDir: string,
    readonly workspace: string,
    readonly extensionPath: string | undefined,
    /** Resolves when the code-server process itself exits, with its exit code or the signal that ended it. */
    readonly exited: Promise<string>,
  ) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const port = options.port || (await freePort());
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), "llama-assist-user-data-"));
    const settings = JSON.stringify({ ...quietEditorSettings, ...options.settings }, null, 2);
    for (const scope of ["User", "Machine"]) {
      await mkdir(path.join(userDataDir, scope), { recursive: true });
      await writeFile(path.join(userDataDir, scope, "settings.json"), settings);
    }
    await mkdir(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile);
    const extensionsDir = path.join(userDataDir, "extensions");
    if ((options.vsix === undefined) === (options.extensionPath === undefined))
      throw new Error("give either extensionPath or vsix");
    if (options.vsix !== undefined) {
      const install = [
        "--user-data-dir",
        userDataDir,
        "--extensions-dir",
        extensionsDir,
        "--install-extension",
        options.vsix,
      ];
      await runCodeServer(options.executable, install, log);
    }
    // Its own process group, so teardown reaches every descendant (extension host, inference host)
    // and Ctrl+C in a terminal reaches only us, who then stop it in order.
    const server = spawn(
      options.executable,
      [
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--user-data-dir",
        userDataDir,
        "--extensions-dir",
        extensionsDir,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--ignore-last-opened",
        "--config",
        "/dev/null",
        options.workspace,
      ],
      { detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    if (server.pid === undefined) throw new Error(`code-server did not start: ${options.executable}`);
    const exited = new Promise<string>((resolve) => {
      server.once("exit", (code, signal) => resolve(signal ?? `exit code ${String(code)}`));
    });
    server.stdout?.pipe(log);
    server.stderr?.pipe(log);
    const codeServer = new CodeServer(
      server as ChildProcess & { pid: number },
      port,
      userDataDir,
      options.workspace,
      options.extensionPath,
      exited,
    );
    liveServers.add(codeServer);
    stopLiveServersWhenTheProcessEnds();

    const healthy = await waitUntil(
      async () => {
        if (server.exitCode !== null) return true;
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      30_000,
      200,
    );
    if (!healthy || server.exitCode !== null) {
      await codeServer.stop();
      throw new Error(`code-server did not become healthy on port ${port}; see ${options.logFile}`);
    }
    return codeServer;
  }

  get processGroup(): number {
    return this.server.pid;
  }

  get workbenchUrl(): string {
    return workbenchUrl(this.port, this.workspace, this.extensionPath);
  }

  /** Pids in code-server's process group whose command line contains `fragment`. */
  async processesMatching(fragment: string): Promise<number[]> {
    const listing = await new Promise<string>((resolve, reject) => {
      const ps = spawn("ps", ["-e", "-o", "pid=,pgid=,args="], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      ps.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      ps.on("error", reject);
      ps.on("close", () => resolve(out));
    });
    return listing
      .split("\n")
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .filter((match) => Number(match[2]) === this.processGroup && match[3].includes(fragment))
      .map((match) => Number(match[1]));
  }

  /** Copies code-server's own logs (the extension host's output channels among them) for a failed run. */
  async saveLogs(targetDir: string): Promise<void> {
    await cp(path.join(this.userDataDir, "logs"), targetDir, { recursive: true }).catch(() => undefined);
  }

  /** True once stop() was called, so an exit that follows is expected. */
  get stopRequested(): boolean {
    return this.stopCalled;
  }

  /** SIGTERM to the whole group, SIGKILL for what is left after 5 s; resolves when no process of it remains. */
  async stop(): Promise<void> {
    this.stopCalled = true;
    const group = this.processGroup;
    if (groupIsAlive(group)) {
      signalGroup(group, "SIGTERM");
      if (!(await waitUntil(() => !groupIsAlive(group), 5_000))) {
        signalGroup(group, "SIGKILL");
        await waitUntil(() => !groupIsAlive(group), 5_000);
      }
    }
    liveServers.delete(this);
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  static async open(server: CodeServer, screenshotDir: string): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: chromiumExecutable,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(server.workbenchUrl);
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
      return new Workbench(browser, page, screenshotDir);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  activityBarItem(viewContainerTitle: string): Locator {
    return this.page.locator(`.activitybar .action-item .action-label[aria-label^="${viewContainerTitle}"]`);
  }

  /** A status bar entry by the id the extension gave it; VS Code prefixes it with the extension's id. */
  statusBarItem(entryId: string): Locator {
    return this.page.locator(`.statusbar-item[id$="${entryId}" i]`).first();
  }

  async statusBarText(entryId: string): Promise<string> {
    return normalizeSpaces(await this.statusBarItem(entryId).innerText());
  }

  /** Polls the status entry until `accept` is true; on timeout, the error names the last text seen. */
  async waitForStatusText(entryId: string, accept: (text: string) => boolean, timeoutMs: number): Promise<string> {
    let last = "";
    const matched = await waitUntil(
      async () => {
        last = await this.statusBarText(entryId).catch(() => "");
        return accept(last);
      },
      timeoutMs,
      250,
    );
    if (!matched) throw new Error(`status bar entry ${entryId} never matched; last text: ${JSON.stringify(last)}`);
    return last;
  }

  /**
   * Starts recording every text the status entry shows, from now on, so a test sees short-lived states (a restart's
   * "starting") that polling could miss. Read them with statusTextsSeen().
   */
  async recordStatusTexts(entryId: string): Promise<void> {
    // A string, because it runs in the page and this project's Node typings have no DOM.
    await this.page.evaluate(`(() => {
      const id = ${JSON.stringify(entryId.toLowerCase())};
      const seen = (window.__llamaAssistStatusTexts = []);
      const record = () => {
        const item = [...document.querySelectorAll(".statusbar-item")].find((element) => element.id.toLowerCase().endsWith(id));
        const text = item ? item.innerText.replace(/\\s+/g, " ").trim() : "";
        if (seen[seen.length - 1] !== text) seen.push(text);
      };
      record();
      new MutationObserver(record).observe(document.querySelector(".part.statusbar") || document.body, {
        subtree: true, childList: true, characterData: true, attributes: true,
      });
    })()`);
  }

  async statusTextsSeen(): Promise<string[]> {
    const seen: unknown = await this.page.evaluate("window.__llamaAssistStatusTexts");
    if (!Array.isArray(seen)) throw new Error("recordStatusTexts() was not called");
    return seen.map(String);
  }

  /** Rests the mouse on an element and returns the text of the hover (a status bar tooltip, say) that VS Code shows. */
  async hoverText(element: Locator): Promise<string> {
    await element.hover();
    const hover = this.page.locator(".workbench-hover, .monaco-hover").filter({ visible: true }).first();
    await hover.waitFor({ timeout: 10_000 });
    const text = normalizeSpaces(await hover.innerText());
    await this.page.mouse.move(0, 0);
    return text;
  }

  /** Runs a command through the palette by its title, as a user would. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
    await row.waitFor();
    await row.click();
  }

  /** Types into the focused editor with a small delay per key, as the note advises for the workbench. */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 30 });
  }

  /**
   * The first line of the visible ghost text ("" when none). Monaco splits it into token spans; later lines live in a
   * view zone and are not part of it.
   */
  async ghostTextFirstLine(): Promise<string> {
    const pieces = await this.page.locator(".monaco-editor .ghost-text-decoration").allTextContents();
    return pieces.join("").replace(/\u00a0/g, " ");
  }

  async waitForGhostText(timeoutMs: number): Promise<string> {
    await this.page.locator(".monaco-editor .ghost-text-decoration").first().waitFor({ timeout: timeoutMs });
    return this.ghostTextFirstLine();
  }

  async waitForNoGhostText(timeoutMs: number): Promise<void> {
    await this.page
      .locator(".monaco-editor .ghost-text-decoration")
      .first()
      .waitFor({ state: "detached", timeout: timeoutMs });
  }

  /** Saves the active editor, which must have unsaved changes, and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    const dirtyTab = this.page.locator(".tabs-container .tab.active.dirty");
    await dirtyTab.waitFor({ timeout: 5_000 });
    await this.page.keyboard.press("Control+S");
    await dirtyTab.waitFor({ state: "detached" });
  }

  /** The modal dialog VS Code shows for a modal message; its text holds the message, the detail and the buttons. */
  async modalDialogText(): Promise<string> {
    const dialog = this.page.locator(".monaco-dialog-box");
    await dialog.waitFor();
    return normalizeSpaces(await dialog.innerText());
  }

  /** Opens a workspace file through Quick Open and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor();
    // Without the leading ">" the palette is Quick Open.
    await input.fill(relativePath);
    const row = this.page
      .locator(".quick-input-widget .monaco-list-row", { hasText: path.basename(relativePath) })
      .first();
    await row.waitFor();
    await input.press("Enter");
    await this.page.locator(`.tabs-container .tab[aria-label^="${path.basename(relativePath)}"]`).waitFor();
    await this.page.locator(".monaco-editor .view-lines").first().waitFor();
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** The workbench renders spaces as NBSP and keeps codicon glyphs out of innerText. */
function normalizeSpaces(text: string): string {
  return text
    .replace(/\u00a0/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
