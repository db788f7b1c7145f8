// The chat view's page. The extension fills in webview URIs; the browser test serves the same page from its own origin.

export interface ChatPageResources {
  nonce: string;
  /** The webview's resource origin (webview.cspSource). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
}

/**
 * Strict CSP: nothing loads but our own script (by nonce), our own stylesheet and codicon font, and no inline handlers
 * exist. Images are not allowed at all: model output renders them as placeholders.
 */
export function chatPageHtml(resources: ChatPageResources): string {
  const { nonce, cspSource, scriptUri, styleUri } = resources;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Llama Assist Chat</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Conversations">
  <select id="conversation-select" aria-label="Conversation"></select>
  <button type="button" id="new-chat" class="icon-button" title="New chat" aria-label="New chat"><span class="codicon codicon-add"></span></button>
  <button type="button" id="rename-chat" class="icon-button" title="Rename chat" aria-label="Rename chat"><span class="codicon codicon-edit"></span></button>
  <button type="button" id="delete-chat" class="icon-button" title="Delete chat" aria-label="Delete chat"><span class="codicon codicon-trash"></span></button>
</div>
<div id="host-banner" class="banner info" role="status" hidden></div>
<div id="notice" class="banner" role="alert" hidden></div>
<main id="messages" role="log" aria-label="Conversation" aria-live="polite">
</main>
<p id="empty">Ask about your code. Attach the current file or selection, or type @ to pick a file, folder, symbol, problems or changes.</p>
<div id="composer">
  <div id="budget" aria-live="polite"></div>
  <div id="chips" aria-label="Attached context" hidden></div>
  <ul id="mentions" role="listbox" aria-label="Workspace files" hidden></ul>
  <textarea id="input" rows="3" placeholder="Ask Llama Assist (Enter sends, Shift+Enter adds a line, @ attaches files, folders, symbols, problems, changes)" aria-label="Message" role="combobox" aria-controls="mentions" aria-autocomplete="list" aria-expanded="false"></textarea>
  <div id="composer-actions">
    <button type="button" id="attach-file" class="icon-button" title="Attach the current file" aria-label="Attach the current file"><span class="codicon codicon-file-add"></span></button>
    <button type="button" id="attach-selection" class="icon-button" title="Attach the selection" aria-label="Attach the selection"><span class="codicon codicon-selection"></span></button>
    <button type="button" id="regenerate" class="icon-button" title="Regenerate the last answer" aria-label="Regenerate the last answer"><span class="codicon codicon-refresh"></span></button>
    <label class="toggle" title="Send each question with the workspace code that matches it, and cite it under the answer"><input type="checkbox" id="retrieval" checked> Workspace</label>
    <span class="spacer"></span>
    <button type="button" id="stop" title="Stop the answer" aria-label="Stop the answer" hidden><span class="codicon codicon-debug-stop"></span> Stop</button>
    <button type="button" id="send" title="Send (Enter)" aria-label="Send"><span class="codicon codicon-send"></span> Send</button>
  </div>
</div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
