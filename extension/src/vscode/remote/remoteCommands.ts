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
      const { backend, guard } = settings.current;
      // The chat's server and Llama Guard's each take the key stored for their origin.
      const accesses = [
        backend.kind === "local" ? undefined : checkRemoteAccess(backend.url, backend.allowInsecureHttp),
        guard.url === "" ? undefined : checkRemoteAccess(guard.url, backend.allowInsecureHttp, "llamaAssist.guard.url"),
      ].filter((access) => access !== undefined);
      const origins = [...new Set(accesses.flatMap((access) => (access.kind === "allowed" ? [access.origin] : [])))];
      if (origins.length === 0) {
        const refused = accesses.find((access) => access.kind === "refused");
        void vscode.window.showInformationMessage(
          refused?.message ??
            "Llama Assist uses the local host: set llamaAssist.backend and llamaAssist.remote.url (or llamaAssist.guard.url) first.",
        );
        return;
      }
      const origin =
        origins.length === 1
          ? origins[0]
          : await vscode.window.showQuickPick(origins, { title: "Which server's API key?" });
      if (origin === undefined) return;
      const key = await vscode.window.showInputBox({
        title: `API key for ${origin}`,
        prompt: "Kept in VS Code's secret storage. Leave empty to remove the stored key.",
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      if (key.trim() === "") await secrets.delete(apiKeySecretName(origin));
      else await secrets.store(apiKeySecretName(origin), key.trim());
    }),
    vscode.commands.registerCommand(commandIds.forgetRemoteConsent, async () => {
      await router.forgetConsent();
      void vscode.window.showInformationMessage(
        "Llama Assist will ask again before it sends code to a server that is not on this machine.",
      );
    }),
  );
}
