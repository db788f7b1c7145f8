// The one protocol between the extension and its webview views. The webview bundle compiles this file too, so it
// imports nothing but types.
import type { HostState } from "./host";

export type ToWebview = {
  kind: "hostState";
  state: HostState;
  modelConfigured: boolean;
  /** Pre-formatted detail lines for a ready host, so the webview does not duplicate the formatting. */
  details: string[];
};

export type FromWebview = { kind: "ready" } | { kind: "restartHost" } | { kind: "showLog" } | { kind: "chooseModel" };

const fromWebviewKinds: ReadonlySet<string> = new Set<FromWebview["kind"]>(["ready", "restartHost", "showLog", "chooseModel"]);

/** Webview messages are untrusted input: narrow them before acting. */
export function isFromWebview(value: unknown): value is FromWebview {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    fromWebviewKinds.has((value as { kind: string }).kind)
  );
}
