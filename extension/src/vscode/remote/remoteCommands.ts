import * as vscode from "vscode";
import { checkRemoteAccess } from "../../core/remote/remoteAccess";
import { apiKeySecretName, type InferenceRouter } from "./inferenceRouter";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";

/** The API key lives in VS Code's secret storage, per server origin, never in settings a workspace could read. */
export function register(
  router: InferenceRouter,
  settings: Settings,
  secrets: vscode.SecretStorage,
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(commandIds.setRemoteApiKey, async () => {
      const { backend } = settings.current;
      const access = backend.kind === "local" ? undefined : checkRemoteAccess(backend.url, backend.allowInsecureHttp);
      if (access === undefined || access.kind === "refused") {
        void vscode.window.showInformationMessage(
          access?.message ??
            "Llama Assist uses the local host: set llamaAssist.backend and llamaAssist.remote.url first.",
        );
        return;
      }
      const key = await vscode.window.showInputBox({
        title: `API key for ${access.origin}`,
        prompt: "Kept in VS Code's secret storage. Leave empty to remove the stored key.",
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      if (key.trim() === "") await secrets.delete(apiKeySecretName(access.origin));
      else await secrets.store(apiKeySecretName(access.origin), key.trim());
    }),
    vscode.commands.registerCommand(commandIds.forgetRemoteConsent, async () => {
      await router.forgetConsent();
      void vscode.window.showInformationMessage(
        "Llama Assist will ask again before it sends code to a server that is not on this machine.",
      );
    }),
  );
}
