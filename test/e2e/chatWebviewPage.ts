/// <reference lib="dom" />
// The chat webview bundle (dist/webview/chat.js) in headless Chromium, outside VS Code: the page the extension builds,
// served from a fake origin with the same CSP, and an acquireVsCodeApi stand-in that records what the webview posts.
// Any request to another origin is recorded and refused, as is every dialog.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { chatPageHtml } from "../../extension/src/core/chat/html";
import type { ChatFromWebview, ChatToWebview } from "../../extension/src/core/protocol/webview";
import { codeServerExecutable } from "./install";
import { chromiumExecutable, repoRoot } from "./paths";

export const webviewOrigin = "https://chat-webview.test";
const webviewDir = path.join(repoRoot, "dist/webview");

const contentTypes: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".ttf": "font/ttf",
  ".map": "application/json",
};

export type ThemeName = "dark" | "light" | "highContrast";

/** The theme variables VS Code sets on a webview's root, for the ones the chat's stylesheet reads. */
const themes: Record<ThemeName, Record<string, string>> = {
  dark: {
    "--vscode-foreground": "#cccccc",
    "--vscode-sideBar-background": "#181818",
    "--vscode-descriptionForeground": "#9d9d9d",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-button-background": "#0078d4",
    "--vscode-button-hoverBackground": "#026ec1",
    "--vscode-input-foreground": "#cccccc",
    "--vscode-input-background": "#313131",
    "--vscode-input-border": "#3c3c3c",
    "--vscode-textLink-foreground": "#4daafc",
    "--vscode-textCodeBlock-background": "#2b2b2b",
    "--vscode-textBlockQuote-background": "#2b2b2b",
    "--vscode-errorForeground": "#f85149",
    "--vscode-editorWarning-foreground": "#cca700",
    "--vscode-editorInfo-foreground": "#3794ff",
    "--vscode-inputValidation-warningBackground": "#352a05",
    "--vscode-inputValidation-errorBackground": "#5a1d1d",
    "--vscode-badge-foreground": "#f8f8f8",
    "--vscode-badge-background": "#616161",
    "--vscode-focusBorder": "#0078d4",
    "--vscode-editorWidget-border": "#454545",
    "--vscode-dropdown-background": "#313131",
    "--vscode-dropdown-foreground": "#cccccc",
    "--vscode-debugTokenExpression-name": "#c586c0",
    "--vscode-debugTokenExpression-string": "#ce9178",
    "--vscode-debugTokenExpression-number": "#b5cea8",
    "--vscode-font-family": "sans-serif",
    "--vscode-font-size": "13px",
    "--vscode-editor-font-family": "monospace",
    "--vscode-editor-font-size": "13px",
  },
  light: {
    "--vscode-foreground": "#3b3b3b",
    "--vscode-sideBar-background": "#f8f8f8",
    "--vscode-descriptionForeground": "#717171",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-button-background": "#005fb8",
    "--vscode-button-hoverBackground": "#0258a8",
    "--vscode-input-foreground": "#3b3b3b",
    "--vscode-input-background": "#ffffff",
    "--vscode-input-border": "#cecece",
    "--vscode-textLink-foreground": "#005fb8",
    "--vscode-textCodeBlock-background": "#f0f0f0",
    "--vscode-textBlockQuote-background": "#f2f2f2",
    "--vscode-errorForeground": "#a1260d",
    "--vscode-editorWarning-foreground": "#bf8803",
    "--vscode-editorInfo-foreground": "#1a85ff",
    "--vscode-inputValidation-warningBackground": "#f6f5d2",
    "--vscode-inputValidation-errorBackground": "#f2dede",
    "--vscode-badge-foreground": "#3b3b3b",
    "--vscode-badge-background": "#cccccc",
    "--vscode-focusBorder": "#005fb8",
    "--vscode-editorWidget-border": "#c8c8c8",
    "--vscode-dropdown-background": "#ffffff",
    "--vscode-dropdown-foreground": "#3b3b3b",
    "--vscode-debugTokenExpression-name": "#9b46b0",
    "--vscode-debugTokenExpression-string": "#a31515",
    "--vscode-debugTokenExpression-number": "#098658",
    "--vscode-font-family": "sans-serif",
    "--vscode-font-size": "13px",
    "--vscode-editor-font-family": "monospace",
    "--vscode-editor-font-size": "13px",
  },
  highContrast: {
    "--vscode-foreground": "#ffffff",
    "--vscode-sideBar-background": "#000000",
    "--vscode-descriptionForeground": "#ffffff",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-button-background": "#000000",
    "--vscode-button-border": "#6fc3df",
    "--vscode-input-foreground": "#ffffff",
    "--vscode-input-background": "#000000",
    "--vscode-input-border": "#6fc3df",
    "--vscode-textLink-foreground": "#21a6ff",
    "--vscode-textCodeBlock-background": "#000000",
    "--vscode-textBlockQuote-background": "#000000",
    "--vscode-errorForeground": "#f48771",
    "--vscode-editorWarning-foreground": "#ffd370",
    "--vscode-editorInfo-foreground": "#3794ff",
    "--vscode-inputValidation-warningBackground": "#000000",
    "--vscode-inputValidation-errorBackground": "#000000",
    "--vscode-badge-foreground": "#ffffff",
    "--vscode-badge-background": "#000000",
    "--vscode-contrastBorder": "#6fc3df",
    "--vscode-contrastActiveBorder": "#f38518",
    "--vscode-focusBorder": "#f38518",
    "--vscode-editorWidget-border": "#6fc3df",
    "--vscode-dropdown-background": "#000000",
    "--vscode-dropdown-foreground": "#ffffff",
    "--vscode-debugTokenExpression-name": "#ffffff",
    "--vscode-debugTokenExpression-string": "#f48771",
    "--vscode-debugTokenExpression-number": "#b5cea8",
    "--vscode-font-family": "sans-serif",
    "--vscode-font-size": "13px",
    "--vscode-editor-font-family": "monospace",
    "--vscode-editor-font-size": "13px",
  },
};

export interface ChatWebviewPage {
  page: Page;
  /** Messages the webview posted, in order. */
  posted(): Promise<ChatFromWebview[]>;
  /** Delivers a message as the extension would. */
  send(message: ChatToWebview): Promise<void>;
  setTheme(theme: ThemeName): Promise<void>;
  /** Requests to anything but the webview's own files, dialogs opened, and CSP violations: all must stay empty. */
  foreignRequests: string[];
  dialogs: string[];
  cspViolations(): Promise<string[]>;
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

declare global {
  interface Window {
    __posted: unknown[];
    __cspViolations: string[];
    __pwned?: unknown;
  }
}

async function ensureChromium(): Promise<void> {
  // The end-to-end installer brings Chromium with the rest of the browser harness.
  if (!existsSync(chromiumExecutable)) await codeServerExecutable();
}

let sharedBrowser: Promise<Browser> | undefined;

async function browser(): Promise<Browser> {
  sharedBrowser ??= ensureChromium().then(() =>
    chromium.launch({
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
    }),
  );
  return sharedBrowser;
}

export async function closeChatBrowser(): Promise<void> {
  const pending = sharedBrowser;
  sharedBrowser = undefined;
  if (pending !== undefined) await (await pending).close();
}

export async function openChatWebview(options: { width?: number; height?: number } = {}): Promise<ChatWebviewPage> {
  if (!existsSync(path.join(webviewDir, "chat.js")))
    throw new Error(`${webviewDir}/chat.js is missing: run npm run build first`);
  const context = await (
    await browser()
  ).newContext({ viewport: { width: options.width ?? 420, height: options.height ?? 760 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const foreignRequests: string[] = [];
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const html = chatPageHtml({
    nonce: "dGVzdC1ub25jZS0xMjM0NQ==",
    cspSource: webviewOrigin,
    scriptUri: `${webviewOrigin}/chat.js`,
    styleUri: `${webviewOrigin}/chat.css`,
  });
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== webviewOrigin) {
      foreignRequests.push(route.request().url());
      await route.abort();
      return;
    }
    if (url.pathname === "/index.html") {
      await route.fulfill({ status: 200, contentType: "text/html", body: html });
      return;
    }
    const file = path.join(webviewDir, path.basename(url.pathname));
    if (!existsSync(file)) {
      await route.fulfill({ status: 404, body: "" });
      return;
    }
    await route.fulfill({
      status: 200,
      contentType: contentTypes[path.extname(file)] ?? "application/octet-stream",
      body: await readFile(file),
    });
  });
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await context.addInitScript({
    content: `
      window.__posted = [];
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI));
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => window.__posted.push(message),
        getState: () => undefined,
        setState: () => undefined,
      });
    `,
  });
  await page.goto(`${webviewOrigin}/index.html`);
  await page.waitForFunction(() => window.__posted.length > 0);
  return {
    page,
    posted: () => page.evaluate(() => window.__posted as ChatFromWebview[]),
    // window.postMessage dispatches later: resolve once the page's own handler (registered first) has run.
    send: (message) =>
      page.evaluate(
        (data) =>
          new Promise<void>((resolve) => {
            window.addEventListener("message", () => resolve(), { once: true });
            window.postMessage(data, "*");
          }),
        message,
      ),
    setTheme: (theme) =>
      page.evaluate((variables) => {
        // VS Code sets these on the root element; through the CSSOM, as it does, the CSP does not apply.
        for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
      }, themes[theme]),
    foreignRequests,
    dialogs,
    cspViolations: () => page.evaluate(() => window.__cspViolations),
    pageErrors,
    close: () => context.close(),
  };
}
