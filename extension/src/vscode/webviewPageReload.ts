import type * as vscode from "vscode";

/**
 * How long a shown page may take to say "ready" before it is loaded again. In code-server (VS Code for the Web) a
 * webview's frame is sometimes created while VS Code's webview service worker is being replaced, typically as a window
 * reload brings back two webview views at once: the frame's requests for its script and stylesheet then miss the worker
 * and fail, and the page stays unstyled and dead. Only new HTML, which makes VS Code create a new frame, brings it back.
 */
const pageReadyTimeoutMs = 15_000;
/** Loads in a row of a page that never said "ready", after which the log says the view is broken. */
const maxSilentPageReloads = 2;

export interface PageReload extends vscode.Disposable {
  /** Renders the page (new HTML each time, so that VS Code builds a new frame) and waits for it to say "ready". */
  render(): void;
  /** The page's script runs. */
  ready(): void;
}

/**
 * Keeps a webview view's page alive: `html()` must differ on every call (a fresh nonce does). A page is loaded when it
 * gets its HTML and again each time the view is shown, as VS Code discards it while hidden.
 */
export function reloadUntilReady(
  view: vscode.WebviewView,
  html: () => string,
  viewName: string,
  log: vscode.LogOutputChannel,
): PageReload {
  let readyTimer: NodeJS.Timeout | undefined;
  let silentReloads = 0;
  const stopWaiting = (): void => clearTimeout(readyTimer);
  const waitForReady = (): void => {
    stopWaiting();
    readyTimer = setTimeout(() => {
      if (!view.visible) return;
      if (silentReloads === maxSilentPageReloads) {
        log.error(
          `The ${viewName}'s page did not start after ${maxSilentPageReloads + 1} loads. Close the view and open it again.`,
        );
        return;
      }
      silentReloads++;
      log.warn(`The ${viewName}'s page did not start within ${pageReadyTimeoutMs / 1000} s; loading it again.`);
      render();
    }, pageReadyTimeoutMs);
  };
  const render = (): void => {
    view.webview.html = html();
    waitForReady();
  };
  const visibility = view.onDidChangeVisibility(() => {
    if (!view.visible) return stopWaiting();
    // Shown again, the view gets a new page from VS Code, and that page its own tries.
    silentReloads = 0;
    waitForReady();
  });
  return {
    render,
    ready: () => {
      stopWaiting();
      silentReloads = 0;
    },
    dispose: () => {
      stopWaiting();
      visibility.dispose();
    },
  };
}
