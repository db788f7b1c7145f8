// `npm start`: Llama Assist in a real VS Code (code-server) in your browser, with a sample workspace and a model.
import { existsSync } from "node:fs";
import { cp } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { buildExtension } from "./build";
import { CodeServer, freePort, workbenchUrl } from "./harness";
import { codeServerExecutable } from "./install";
import { demoWorkspace, repoRoot, sampleWorkspace, userCacheDir } from "./paths";
import { timed } from "./phases";

const usage = `Usage: npm start [-- --model /path/to/model.gguf] [--port N]

Installs what is missing (code-server, in ~/.cache/llama-assist), builds the extension and serves VS Code on
127.0.0.1 with Llama Assist loaded and a sample workspace open. Open the printed URL in a browser.

  --model PATH  a GGUF file to use (or set LLAMA_ASSIST_MODEL). Without one it uses the demo model: a scripted
                GGUF that shows the plumbing (ghost text, chat, the Shield), not intelligence.
  --port N      the port to serve on (default: a free one).

Ctrl+C stops everything.`;

interface StartOptions {
  model: string;
  isDemoModel: boolean;
  port: number | undefined;
}

function readOptions(): StartOptions | undefined {
  const { values } = parseArgs({
    options: { model: { type: "string" }, port: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return undefined;
  const configured = values.model ?? process.env.LLAMA_ASSIST_MODEL;
  if (configured !== undefined && !existsSync(configured)) throw new Error(`No model file at ${configured}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error(`Not a port: ${values.port}`);
  return configured === undefined
    ? { model: ensureScriptedModel("demo"), isDemoModel: true, port }
    : { model: path.resolve(configured), isDemoModel: false, port };
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!options) {
    console.log(usage);
    return;
  }
  const executable = await codeServerExecutable();
  await timed("build", buildExtension);
  if (!existsSync(demoWorkspace)) await cp(sampleWorkspace, demoWorkspace, { recursive: true });

  const port = options.port ?? (await freePort());
  const url = workbenchUrl(port, demoWorkspace, repoRoot);
  console.log(`\nStarting VS Code with Llama Assist at\n  ${url}\n`);
  const server = await timed("start", () =>
    CodeServer.start({
      executable,
      workspace: demoWorkspace,
      extensionPath: repoRoot,
      settings: { "llamaAssist.completionModel.path": options.model },
      logFile: path.join(userCacheDir, "code-server.log"),
      port,
    }),
  );

  // The harness stops the server (and with it the extension host and the inference host) on Ctrl+C.
  process.once("SIGINT", () => console.log("\nCtrl+C: stopping VS Code and the inference host…"));
  process.once("SIGTERM", () => console.log("\nSIGTERM: stopping VS Code and the inference host…"));

  const modelLine = options.isDemoModel
    ? `the demo model (scripted: it shows the plumbing, not intelligence; use --model PATH for a real GGUF)\n  ${options.model}`
    : options.model;
  console.log(
    `\nReady. Open this URL in a browser:\n  ${url}\n\nModel: ${modelLine}\nWorkspace: ${demoWorkspace}\nCtrl+C stops everything.`,
  );

  const exit = await server.exited;
  if (server.stopRequested) return;
  throw new Error(`code-server ended (${exit}); its log: ${path.join(userCacheDir, "code-server.log")}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
