import { existsSync } from "node:fs";
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type ScriptedVariant, ensureScriptedModel } from "../fixtures/scriptedModel";
import { CodeServer, Workbench, freshWorkspace, groupIsAlive } from "./harness";
import { artifactsDir, extensionId, repoRoot, sampleWorkspace } from "./paths";
import { timed } from "./phases";

/** The status bar entry the extension creates, as VS Code ids it. */
export const hostStatusEntry = `${extensionId}.llamaAssist.hostStatus`;
export const hostScriptFragment = "dist/host/main.mjs";

export interface ScenarioOptions {
  codeServer: string;
  /** llamaAssist.* settings for this scenario's fresh user-data dir. */
  settings: Record<string, unknown>;
  /** The scenario's own files, written into its fresh copy of the sample workspace. */
  files: Record<string, string>;
  /** Runs this .vsix, installed as a user would, instead of the repository's folder in development mode. */
  vsix?: string;
}

/** One scenario: its own workspace copy, a fresh user-data dir, its own code-server and browser. */
export class Scenario {
  private constructor(
    readonly name: string,
    readonly server: CodeServer,
    readonly workbench: Workbench,
    readonly workspace: string,
    readonly artifacts: string,
  ) {}

  static async start(name: string, options: ScenarioOptions): Promise<Scenario> {
    if (options.vsix === undefined && !existsSync(path.join(repoRoot, "dist/extension.js"))) {
      throw new Error("dist/extension.js is missing: run `npm run build` first");
    }
    const artifacts = path.join(artifactsDir, name);
    await rm(artifacts, { recursive: true, force: true });
    const workspace = await freshWorkspace(sampleWorkspace);
    for (const [file, text] of Object.entries(options.files)) await writeFile(path.join(workspace, file), text);
    const server = await timed(`${name}: code-server up`, () =>
      CodeServer.start({
        executable: options.codeServer,
        workspace,
        ...(options.vsix === undefined ? { extensionPath: repoRoot } : { vsix: options.vsix }),
        settings: options.settings,
        logFile: path.join(artifacts, "code-server.log"),
      }),
    );
    try {
      const workbench = await timed(`${name}: workbench with Llama Assist`, async () => {
        const opened = await Workbench.open(server, artifacts);
        await opened.activityBarItem("Llama Assist").waitFor({ timeout: 60_000 });
        return opened;
      });
      return new Scenario(name, server, workbench, workspace, artifacts);
    } catch (error) {
      await server.saveLogs(path.join(artifacts, "logs"));
      await server.stop();
      await rm(workspace, { recursive: true, force: true });
      throw error;
    }
  }

  /** The lines the extension has written to its log so far (VS Code writes them to the file a little after). */
  async extensionLogLines(): Promise<string[]> {
    const logsDir = path.join(this.server.userDataDir, "logs");
    const files = await readdir(logsDir, { recursive: true }).catch(() => [] as string[]);
    const lines: string[] = [];
    for (const file of files.filter((name) => path.basename(name) === extensionLogName))
      lines.push(...(await readFile(path.join(logsDir, file), "utf8")).split("\n"));
    return lines;
  }

  /** Inference host processes of this scenario (children of its extension host). */
  hostProcesses(): Promise<number[]> {
    return this.server.processesMatching(hostScriptFragment);
  }

  /**
   * Saves the closing screenshot (and the logs when the scenario failed), then stops everything and checks that
   * no process of the scenario outlived it.
   */
  async finish(failed: boolean): Promise<void> {
    const hostPids = await this.hostProcesses();
    try {
      await this.workbench.screenshot(failed ? "failed" : "end");
    } finally {
      await this.workbench.close();
      if (failed) {
        await this.server.saveLogs(path.join(this.artifacts, "logs"));
        await printExtensionLog(this.name, path.join(this.artifacts, "logs"));
      }
      await this.server.stop();
      await rm(this.workspace, { recursive: true, force: true });
    }
    if (groupIsAlive(this.server.processGroup))
      throw new Error(`${this.name}: processes of code-server's group outlived teardown`);
    const survivors = hostPids.filter(isRunning);
    if (survivors.length > 0)
      throw new Error(`${this.name}: inference host processes outlived teardown: ${survivors.join(", ")}`);
  }
}

const extensionLogName = "Llama Assist.log";
const printedLogLines = 40;

/** CI keeps only what the tests print, so a failed scenario prints the end of the extension's own log. */
async function printExtensionLog(scenarioName: string, logsDir: string): Promise<void> {
  const files = await readdir(logsDir, { recursive: true }).catch(() => [] as string[]);
  const logFile = files.find((file) => path.basename(file) === extensionLogName);
  if (logFile === undefined) {
    console.log(`      [${scenarioName}] no ${extensionLogName} under ${logsDir}`);
    return;
  }
  const lines = (await readFile(path.join(logsDir, logFile), "utf8")).trimEnd().split("\n");
  console.log(
    `      [${scenarioName}] the last ${Math.min(lines.length, printedLogLines)} lines of ${extensionLogName}:`,
  );
  for (const line of lines.slice(-printedLogLines)) console.log(`        ${line}`);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers, in the calling `describe`, the teardown of the scenario each test starts (screenshots and logs kept when
 * the test failed), and returns the function that starts one.
 */
export function scenarioPerTest(): (name: string, options: ScenarioOptions) => Promise<Scenario> {
  let current: Scenario | undefined;
  afterEach(async function () {
    const finished = current;
    current = undefined;
    if (finished)
      await timed(`${finished.name}: teardown`, () => finished.finish(this.currentTest?.state === "failed"));
  });
  return async (name, options) => {
    current = await Scenario.start(name, options);
    return current;
  };
}

/** A scripted model on the CPU: known answers, and the same backend on every machine. */
export function scriptedModelSettings(variant: ScriptedVariant): Record<string, unknown> {
  return { "llamaAssist.completionModel.path": ensureScriptedModel(variant), "llamaAssist.gpu": "cpu" };
}

/** Waits until the status bar says the host is ready on the CPU, as a user would see it. */
export function waitForHostOnCpu(workbench: Workbench, timeoutMs: number): Promise<string> {
  return workbench.waitForStatusText(hostStatusEntry, (text) => / · CPU$/.test(text), timeoutMs);
}
