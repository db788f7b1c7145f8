import type { FromWebview, ToWebview } from "../../extension/src/core/protocol/webview";
import type { HostState } from "../../extension/src/core/protocol/host";

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById("host-status") as HTMLElement;

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function button(label: string, message: FromWebview): HTMLButtonElement {
  const node = element("button", label);
  node.addEventListener("click", () => vscode.postMessage(message));
  return node;
}

function headline(state: HostState): string {
  switch (state.phase) {
    case "stopped":
      return "The inference host starts with the first code file.";
    case "starting":
      return "Starting the inference host…";
    case "loading":
      return `Loading the model: ${Math.round(state.progress * 100)}%`;
    case "ready":
      return "Ready";
    case "error":
      return state.error.message;
  }
}

function render(message: ToWebview): void {
  const children: HTMLElement[] = [];
  if (!message.modelConfigured) {
    children.push(
      element("p", "No model is set. Choose a GGUF file to start."),
      button("Choose a model", { kind: "chooseModel" }),
    );
  } else {
    children.push(element("p", headline(message.state), message.state.phase === "error" ? "error" : "headline"));
    if (message.details.length > 0) children.push(element("pre", message.details.join("\n"), "details"));
    const actions = element("div", undefined, "actions");
    actions.append(button("Restart host", { kind: "restartHost" }), button("Show log", { kind: "showLog" }));
    children.push(actions);
  }
  root.replaceChildren(...children);
}

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  if (event.data.kind === "hostState") render(event.data);
});
vscode.postMessage({ kind: "ready" });
