import type { BackendErrorCode } from "../protocol/backend";

/** What the status bar shows of a remote server. */
export type RemoteStatus =
  | { phase: "checking"; serverName: string }
  | { phase: "reachable"; serverName: string; model: string }
  | { phase: "unreachable"; serverName: string; message: string }
  | { phase: "misconfigured"; message: string };

export interface RemoteStatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
}

export function presentRemoteStatus(status: RemoteStatus): RemoteStatusPresentation {
  const again = "\nClick to check the server again.";
  switch (status.phase) {
    case "checking":
      return {
        text: "$(loading~spin) Llama Assist: remote",
        tooltip: `Checking ${status.serverName}…`,
        isError: false,
      };
    case "reachable":
      // llama-server names its model by the path it was started with: the file name is what fits a status bar.
      return {
        text: `$(cloud) ${status.model.split(/[\\/]/).pop() ?? status.model}`,
        tooltip: `${status.serverName} serves ${status.model}.${again}`,
        isError: false,
      };
    case "unreachable":
      return {
        text: "$(cloud-offline) Llama Assist: server unreachable",
        tooltip: `${status.message}${again}`,
        isError: true,
      };
    case "misconfigured":
      return { text: "$(warning) Llama Assist: remote server", tooltip: `${status.message}${again}`, isError: true };
  }
}

/** What a failed request says about the server: unreachable after a refused or timed-out connection; else nothing new. */
export function statusAfterFailure(
  serverName: string,
  code: BackendErrorCode,
  message: string,
): RemoteStatus | undefined {
  return code === "connectionRefused" || code === "timeout" ? { phase: "unreachable", serverName, message } : undefined;
}
