/// <reference lib="dom" />
// The chat webview in headless Chromium (issue 6): streaming rendering, Shield-gated code blocks and their actions,
// hostile model output, very large answers, the composer, and a screenshot per theme under test/artifacts/chat-webview/.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { codeKey, createChatMarkdown, extractCodeBlocks } from "../../extension/src/core/chat/markdown";
import type {
  ChatFromWebview,
  ChatMessageView,
  ChatToWebview,
  CodeVerdictView,
} from "../../extension/src/core/protocol/webview";
import { type ChatWebviewPage, closeChatBrowser, openChatWebview } from "./chatWebviewPage";
import { artifactsDir } from "./paths";

const emptyConversation: ChatToWebview = {
  kind: "conversation",
  conversationId: "c1",
  title: "New chat",
  messages: [],
  budget: { droppedMessages: 0 },
  busy: false,
};

function user(id: string, text: string, attachments: string[] = []): ChatMessageView {
  return { id, role: "user", text, status: "complete", attachments, verdicts: [] };
}

function assistant(
  id: string,
  text: string,
  verdicts: CodeVerdictView[] = [],
  status: ChatMessageView["status"] = "complete",
): ChatMessageView {
  return { id, role: "assistant", text, status, attachments: [], verdicts };
}

function shown(index: number, code: string, findings: CodeVerdictView["findings"] = []): CodeVerdictView {
  return { index, key: codeKey(code), action: "show", findings };
}

const scriptedChunks = [
  "Here",
  " is",
  " your",
  " function:",
  "\n\n```python",
  "\ndef",
  " greet",
  "(name",
  "):\n    return",
  ' "Hello, "',
  " + name",
  "\n```",
];
const scriptedCode = 'def greet(name):\n    return "Hello, " + name\n';

async function postedOfKind<K extends ChatFromWebview["kind"]>(
  view: ChatWebviewPage,
  kind: K,
): Promise<Array<Extract<ChatFromWebview, { kind: K }>>> {
  return (await view.posted()).filter(
    (message): message is Extract<ChatFromWebview, { kind: K }> => message.kind === kind,
  );
}

async function nextFrame(view: ChatWebviewPage): Promise<void> {
  await view.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

describe("chat webview in a real browser (issue 6)", function () {
  this.timeout(120_000);
  let view: ChatWebviewPage;

  afterEach(async function () {
    if (view !== undefined) assert.deepEqual(view.pageErrors, [], "no uncaught exceptions in the webview");
    await view?.close();
  });

  after(async function () {
    await closeChatBrowser();
  });

  it("streams an answer token by token; its code shows only once the Shield's verdict arrives", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.send({ kind: "messageAdded", message: user("u1", "Write a greeting function.") });
    await view.send({ kind: "messageAdded", message: assistant("a1", "", [], "streaming") });
    assert.equal(await view.page.locator("#stop").isVisible(), true);
    for (const chunk of scriptedChunks.slice(0, 6))
      await view.send({ kind: "answerDelta", messageId: "a1", text: chunk });
    await nextFrame(view);
    const answer = view.page.locator('.message.assistant[data-message="a1"]');
    assert.match(await answer.locator(".message-content p").first().innerText(), /Here is your function:/);
    assert.match(await answer.locator(".code-pending").innerText(), /^Writing python… 1 line/);
    assert.equal(await answer.locator("pre").count(), 0);

    for (const chunk of scriptedChunks.slice(6)) await view.send({ kind: "answerDelta", messageId: "a1", text: chunk });
    await view.send({ kind: "answerDelta", messageId: "a1", text: "\n" });
    await nextFrame(view);
    assert.match(await answer.locator(".code-pending").innerText(), /Checking python with the Shield/);
    assert.equal(await answer.locator("pre").count(), 0);

    // A verdict for other code (a key mismatch) must not reveal this block.
    await view.send({ kind: "codeVerdict", messageId: "a1", verdict: shown(0, "print('something else')\n") });
    assert.equal(await answer.locator("pre").count(), 0);

    await view.send({ kind: "codeVerdict", messageId: "a1", verdict: shown(0, scriptedCode) });
    assert.equal(await answer.locator("pre code").textContent(), scriptedCode);
    assert.ok((await answer.locator("pre code .hljs-keyword").count()) >= 2, "python is highlighted");
    await view.send({ kind: "answerEnded", messageId: "a1", status: "complete" });
    assert.equal(await view.page.locator("#send").isVisible(), true);
    assert.equal(await view.page.locator("#stop").isVisible(), false);
  });

  it("renders an unclosed fence sensibly when the answer stops mid-block", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.send({ kind: "messageAdded", message: assistant("a1", "", [], "streaming") });
    await view.send({ kind: "answerDelta", messageId: "a1", text: "Start:\n\n```js\nconst a = 1;\nconst b" });
    await nextFrame(view);
    const answer = view.page.locator('.message.assistant[data-message="a1"]');
    assert.match(await answer.locator(".code-pending").innerText(), /Writing js… 2 lines/);
    // The extension scans the open block once the answer ends, with the same parser.
    const [block] = extractCodeBlocks(createChatMarkdown(), "Start:\n\n```js\nconst a = 1;\nconst b", true);
    await view.send({ kind: "codeVerdict", messageId: "a1", verdict: shown(0, block.code) });
    await view.send({ kind: "answerEnded", messageId: "a1", status: "stopped" });
    assert.equal(await answer.locator("pre code").textContent(), block.code);
    assert.match(block.code, /^const a = 1;\nconst b\n?$/);
    assert.equal(await answer.locator(".message-status").innerText(), "Stopped.");
  });

  it("code-block buttons post the right actions; Stop and Regenerate post theirs", async function () {
    view = await openChatWebview();
    const text = "One:\n\n```py\nprint(1)\n```\n\nTwo:\n\n```ts\nlet x = 2;\n```\n";
    await view.send({
      ...emptyConversation,
      messages: [
        user("u1", "two blocks please"),
        assistant("a1", text, [shown(0, "print(1)\n"), shown(1, "let x = 2;\n")]),
      ],
    });
    const blocks = view.page.locator('.message.assistant[data-message="a1"] .code-block');
    await blocks.nth(1).getByRole("button", { name: "Insert at cursor" }).click();
    await blocks.nth(0).getByRole("button", { name: "Copy" }).click();
    await blocks.nth(1).getByRole("button", { name: "Apply" }).click();
    await blocks.nth(0).getByRole("button", { name: "New file" }).click();
    assert.deepEqual(await postedOfKind(view, "codeAction"), [
      { kind: "codeAction", action: "insert", messageId: "a1", index: 1 },
      { kind: "codeAction", action: "copy", messageId: "a1", index: 0 },
      { kind: "codeAction", action: "apply", messageId: "a1", index: 1 },
      { kind: "codeAction", action: "newFile", messageId: "a1", index: 0 },
    ]);
    await view.page.locator("#regenerate").click();
    await view.send({ kind: "messageAdded", message: assistant("a2", "", [], "streaming") });
    await view.page.locator("#stop").click();
    assert.deepEqual((await view.posted()).slice(-2), [{ kind: "regenerate" }, { kind: "stop" }]);
  });

  it("shows warn findings as a banner and collapses blocked code behind Show anyway", async function () {
    view = await openChatWebview();
    const warnCode = "import hashlib\nhashlib.md5(data)\n";
    const blockCode = "import os\nos.system(cmd)\n";
    const text = `\`\`\`python\n${warnCode}\`\`\`\n\n\`\`\`python\n${blockCode}\`\`\`\n`;
    await view.send({
      ...emptyConversation,
      messages: [
        assistant("a1", text, [
          shown(0, warnCode, [{ ruleId: "py.md5", cwe: "CWE-328", severity: "warn", message: "MD5 is a broken hash" }]),
          {
            index: 1,
            key: codeKey(blockCode),
            action: "withhold",
            findings: [
              { ruleId: "py.os-system", cwe: "CWE-78", severity: "block", message: "Shell command built from input" },
            ],
          },
        ]),
      ],
    });
    const blocks = view.page.locator(".code-block");
    assert.equal(
      (await blocks.nth(0).locator(".shield-banner.warn").innerText()).trim(),
      "py.md5 (CWE-328): MD5 is a broken hash",
    );
    assert.equal(await blocks.nth(0).locator("pre").count(), 1);
    assert.match(
      await blocks.nth(1).locator(".shield-banner.block").innerText(),
      /py\.os-system \(CWE-78\): Shell command built from input/,
    );
    assert.equal(await blocks.nth(1).locator("pre").count(), 0);
    assert.equal(
      await view.page
        .locator("body")
        .innerText()
        .then((body) => body.includes("os.system")),
      false,
    );
    await blocks.nth(1).getByRole("button", { name: "Show anyway" }).click();
    assert.equal(await blocks.nth(1).locator("pre code").textContent(), blockCode);
  });

  it("executes and loads nothing from hostile markup in answers, and routes every link through the extension", async function () {
    view = await openChatWebview();
    const payloads = [
      "<script>window.__pwned = 'script'; alert('script')</script>",
      "<img src=x onerror=\"window.__pwned='img'; alert('img')\">",
      "<svg onload=\"window.__pwned='svg'\"><circle r=5 /></svg>",
      '<iframe src="https://evil.test/frame"></iframe>',
      "<iframe srcdoc=\"<script>parent.__pwned='srcdoc'</script>\"></iframe>",
      "[click me](javascript:window.__pwned='link';alert(1))",
      "[java\tscript](java\tscript:alert(1))",
      '<a href="javascript:alert(1)">raw link</a>',
      "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "<javascript:alert(1)>",
      '<div style="background:url(https://evil.test/css.png)">css</div>',
      "<style>body { background: url(https://evil.test/style.png) }</style>",
      "![tracking pixel](https://evil.test/pixel.png)",
      "![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)",
      '<object data="https://evil.test/x.swf"></object><embed src="https://evil.test/y">',
      '<form action="https://evil.test"><button>submit</button></form>',
      '<link rel=stylesheet href=https://evil.test/x.css><meta http-equiv=refresh content="0;url=https://evil.test">',
      "[ok link](https://example.com/docs) and [file](src/app.py#L3)",
    ];
    const text = payloads.join("\n\n");
    await view.send({ ...emptyConversation, messages: [user("u1", payloads.join("\n")), assistant("a1", text)] });
    // The same payloads again, streamed token by token, to cover the incremental path.
    await view.send({ kind: "messageAdded", message: assistant("a2", "", [], "streaming") });
    for (let i = 0; i < text.length; i += 7)
      await view.send({ kind: "answerDelta", messageId: "a2", text: text.slice(i, i + 7) });
    await view.send({ kind: "answerEnded", messageId: "a2", status: "complete" });
    await nextFrame(view);

    const links = view.page.locator("#messages a[data-href]");
    const linkCount = await links.count();
    for (let i = 0; i < linkCount; i++) await links.nth(i).click();
    await nextFrame(view);

    const dom = await view.page.evaluate(() => ({
      pwned: window.__pwned,
      scripts: document.querySelectorAll("script").length,
      dangerous: document.querySelectorAll(
        "#messages :is(script, img, svg, iframe, object, embed, form, style, link, meta, input)",
      ).length,
      handlerAttributes: Array.from(document.querySelectorAll("#messages *"))
        .flatMap((node) => Array.from(node.attributes).map((attribute) => attribute.name))
        .filter(
          (name) => name.startsWith("on") || name === "style" || name === "href" || name === "src" || name === "srcdoc",
        ),
      url: location.href,
      placeholders: document.querySelectorAll("#messages .image-placeholder").length,
    }));
    assert.equal(dom.pwned, undefined);
    assert.equal(dom.scripts, 1, "only the view's own script element");
    assert.equal(dom.dangerous, 0);
    assert.deepEqual(dom.handlerAttributes, []);
    assert.equal(dom.url, "https://chat-webview.test/index.html");
    // The http image becomes a placeholder in both answers; markdown-it keeps the data:image/svg+xml one as text.
    assert.equal(dom.placeholders, 2);
    assert.deepEqual(view.dialogs, []);
    assert.deepEqual(view.foreignRequests, []);
    assert.deepEqual(await view.cspViolations(), []);
    // markdown-it leaves javascript: and data: links as text; the two real links reach the extension's policy.
    const opened = (await postedOfKind(view, "openLink")).map((message) => message.href);
    assert.deepEqual(opened, [
      "https://example.com/docs",
      "src/app.py#L3",
      "https://example.com/docs",
      "src/app.py#L3",
    ]);
  });

  it("renders a 1 MB streamed answer, a 10,000-line code block and control characters", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.send({ kind: "messageAdded", message: assistant("big", "", [], "streaming") });
    const paragraph = "This sentence is part of a very long answer, repeated to make a megabyte. ";
    const megabyte = Array.from(
      { length: 1024 },
      (_, i) => `${i} ${paragraph.repeat(14)}${i % 4 === 3 ? "\n\n" : " "}`,
    ).join("");
    assert.ok(megabyte.length >= 1_000_000);
    for (let i = 0; i < megabyte.length; i += 4096)
      await view.send({ kind: "answerDelta", messageId: "big", text: megabyte.slice(i, i + 4096) });
    await view.send({ kind: "answerEnded", messageId: "big", status: "complete" });
    const renderedLength = await view.page
      .locator('[data-message="big"] .message-content')
      .evaluate((node) => node.textContent?.length ?? 0);
    assert.ok(renderedLength > 990_000, `rendered ${renderedLength} characters`);

    const lines = Array.from({ length: 10_000 }, (_, i) => `    value_${i} = compute(${i})`).join("\n");
    const code = `def huge():\n${lines}\n`;
    const longBlock = `Here:\n\n\`\`\`python\n${code}\`\`\`\n`;
    await view.send({ kind: "messageAdded", message: assistant("long", "", [], "streaming") });
    for (let i = 0; i < longBlock.length; i += 8192)
      await view.send({ kind: "answerDelta", messageId: "long", text: longBlock.slice(i, i + 8192) });
    await view.send({ kind: "codeVerdict", messageId: "long", verdict: shown(0, code) });
    await view.send({ kind: "answerEnded", messageId: "long", status: "complete" });
    const codeLines = await view.page
      .locator('[data-message="long"] pre code')
      .evaluate((node) => (node.textContent ?? "").split("\n").length);
    assert.equal(codeLines, 10_002);

    await view.send({
      kind: "messageAdded",
      message: assistant("ctl", "bell\u0007 null\u0000 escape\u001b[31m red\u001b[0m and\ttab", [], "complete"),
    });
    assert.equal(
      await view.page.locator('[data-message="ctl"] p').textContent(),
      "bell null escape[31m red[0m and\ttab",
    );
  });

  it("renders a reference-style link defined after a blank line the same streamed as from history", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    const answer =
      "See [the docs][docs] and [fs].\n\nA second paragraph.\n\n[docs]: https://nodejs.org/api\n[fs]: src/fs.ts\n";
    await view.send({ kind: "messageAdded", message: assistant("live", "", [], "streaming") });
    for (let i = 0; i < answer.length; i += 3)
      await view.send({ kind: "answerDelta", messageId: "live", text: answer.slice(i, i + 3) });
    await nextFrame(view);
    const links = (id: string) =>
      view.page
        .locator(`[data-message="${id}"] a[data-href]`)
        .evaluateAll((nodes) => nodes.map((node) => [node.textContent, node.getAttribute("data-href")]));
    const expected = [
      ["the docs", "https://nodejs.org/api"],
      ["fs", "src/fs.ts"],
    ];
    assert.deepEqual(await links("live"), expected, "while streaming");
    await view.send({ kind: "answerEnded", messageId: "live", status: "complete" });
    await view.send({ kind: "messageAdded", message: assistant("history", answer) });
    assert.deepEqual(await links("live"), expected, "once ended");
    assert.deepEqual(await links("history"), expected, "from history");
    const html = (id: string) => view.page.locator(`[data-message="${id}"] .message-content`).innerText();
    assert.equal(await html("live"), await html("history"));
  });

  it("streams a 2 MB single line in frames that do not grow with it, and ends as history renders it", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.send({ kind: "messageAdded", message: assistant("line", "", [], "streaming") });
    const words = "lorem ipsum dolor sit amet ";
    const line = `Intro **bold**: ${words.repeat(Math.ceil(2_000_000 / words.length))}`;
    for (let i = 0; i < line.length; i += 64 * 1024)
      await view.send({ kind: "answerDelta", messageId: "line", text: line.slice(i, i + 64 * 1024) });
    await nextFrame(view);
    const content = view.page.locator('[data-message="line"] .message-content');
    // The start of the line is markdown; its rest is shown as it came, inside the same paragraph.
    assert.equal(await content.locator("p strong").first().textContent(), "bold");
    assert.equal(await content.locator("p").count(), 1);
    const shown = await content.evaluate((node) => node.textContent ?? "");
    assert.ok(shown.includes(line.slice(-1000)), "the line's last characters are shown");
    await view.send({ kind: "answerEnded", messageId: "line", status: "complete" });
    await view.send({ kind: "messageAdded", message: assistant("line-history", line) });
    const text = (id: string) =>
      view.page.locator(`[data-message="${id}"] .message-content`).evaluate((node) => node.innerHTML);
    assert.equal(await text("line"), await text("line-history"));
  });

  it("sends with Enter, adds a line with Shift+Enter, and hands the draft to the extension", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.page.locator("#input").click();
    await view.page.keyboard.type("first line");
    await view.page.keyboard.press("Shift+Enter");
    await view.page.keyboard.type("second line");
    assert.deepEqual(await postedOfKind(view, "send"), []);
    // The extension keeps the draft, because a hidden view is discarded.
    // Polled from here: the page's CSP forbids the eval that waitForFunction with a string needs.
    while (!(await postedOfKind(view, "draftChanged")).some((message) => message.text === "first line\nsecond line")) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await view.page.keyboard.press("Enter");
    assert.deepEqual(await postedOfKind(view, "send"), [{ kind: "send", text: "first line\nsecond line" }]);
    assert.equal(await view.page.locator("#input").inputValue(), "");
  });

  it("says when the host is down and gives the unsent question back", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.send({
      kind: "hostAvailability",
      availability: "restarting",
      message: "The inference host was killed (SIGKILL).",
    });
    assert.match(await view.page.locator("#host-banner").innerText(), /restarting/);
    await view.send({ kind: "restoreDraft", text: "my question" });
    await view.send({ kind: "notice", level: "error", text: "No answer: The inference host was killed (SIGKILL)." });
    assert.equal(await view.page.locator("#input").inputValue(), "my question");
    assert.match(await view.page.locator("#notice").innerText(), /SIGKILL/);
    await view.send({ kind: "hostAvailability", availability: "ready", message: "" });
    assert.equal(await view.page.locator("#host-banner").isVisible(), false);
  });

  it("completes @ mentions from the workspace and shows attachments as removable chips", async function () {
    view = await openChatWebview();
    await view.send(emptyConversation);
    await view.page.locator("#input").click();
    await view.page.keyboard.type("explain @app");
    assert.deepEqual((await postedOfKind(view, "searchMentions")).at(-1), { kind: "searchMentions", query: "app" });
    await view.send({
      kind: "mentionMatches",
      query: "app",
      items: [
        { kind: "file", label: "src/app.py", detail: "File", value: "src/app.py" },
        { kind: "file", label: "src/app_test.py", detail: "File", value: "src/app_test.py" },
      ],
    });
    // window.postMessage delivers later than send() returns: wait for the list before counting it.
    await view.page.getByRole("option").nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await view.page.getByRole("option").count(), 2);
    await view.page.keyboard.press("ArrowDown");
    await view.page.keyboard.press("Enter");
    assert.deepEqual((await postedOfKind(view, "attachMention")).at(-1), {
      kind: "attachMention",
      mention: { kind: "file", value: "src/app_test.py" },
    });
    assert.equal(await view.page.locator("#input").inputValue(), "explain ");
    assert.deepEqual(await postedOfKind(view, "send"), [], "Enter picked the file and did not send");

    // A kind that takes an argument goes into the input and searches on; the next pick attaches.
    await view.page.keyboard.type("@fo");
    await view.send({
      kind: "mentionMatches",
      query: "fo",
      items: [{ kind: "folder", label: "@folder:", detail: "The files of a folder…", value: "", complete: "@folder:" }],
    });
    await view.page.getByRole("option").first().waitFor({ timeout: 10_000 });
    await view.page.keyboard.press("Enter");
    assert.equal(await view.page.locator("#input").inputValue(), "explain @folder:");
    assert.deepEqual((await postedOfKind(view, "searchMentions")).at(-1), {
      kind: "searchMentions",
      query: "folder:",
    });
    await view.send({
      kind: "mentionMatches",
      query: "folder:",
      items: [{ kind: "folder", label: "src/", detail: "Folder", value: "src" }],
    });
    await view.page.getByRole("option").first().waitFor({ timeout: 10_000 });
    await view.page.keyboard.press("Tab");
    assert.deepEqual((await postedOfKind(view, "attachMention")).at(-1), {
      kind: "attachMention",
      mention: { kind: "folder", value: "src" },
    });
    assert.equal(await view.page.locator("#input").inputValue(), "explain ");

    await view.send({
      kind: "attachments",
      chips: [
        { id: "7", kind: "file", label: "src/app_test.py", detail: "/w/src/app_test.py", tokens: 1234 },
        { id: "8", kind: "folder", label: "src/", detail: "2 files of src", tokens: 56 },
      ],
    });
    await view.page.getByRole("button", { name: "Remove src/app_test.py" }).waitFor({ timeout: 10_000 });
    assert.match(
      await view.page.locator("#chips").innerText(),
      /src\/app_test\.py\s+~1,234 tokens[\s\S]*src\/\s+~56 tokens/,
    );
    await view.page.getByRole("button", { name: "Remove src/app_test.py" }).click();
    assert.deepEqual((await postedOfKind(view, "removeAttachment")).at(-1), {
      kind: "removeAttachment",
      attachmentId: "7",
    });
  });

  it("saves a screenshot per theme", async function () {
    const directory = path.join(artifactsDir, "chat-webview");
    await mkdir(directory, { recursive: true });
    for (const theme of ["dark", "light", "highContrast"] as const) {
      view = await openChatWebview();
      await view.setTheme(theme);
      const blockCode = "import os\nos.system(cmd)\n";
      await view.send({
        kind: "conversationList",
        conversations: [{ id: "c1", title: "Greeting function", updatedAt: 1 }],
        activeId: "c1",
      });
      await view.send({
        ...emptyConversation,
        budget: { usedTokens: 1234, contextSize: 4096, droppedMessages: 2 },
        messages: [
          user("u1", "Write a greeting function and run a command.", ["app.py:1-20"]),
          assistant(
            "a1",
            `Here is your function:\n\n\`\`\`python\n${scriptedCode}\`\`\`\n\nAnd the command, see [the docs](https://docs.python.org):\n\n\`\`\`python\n${blockCode}\`\`\`\n`,
            [
              shown(0, scriptedCode, [
                { ruleId: "py.demo-warning", cwe: "CWE-000", severity: "warn", message: "An example warning" },
              ]),
              {
                index: 1,
                key: codeKey(blockCode),
                action: "withhold",
                findings: [
                  {
                    ruleId: "py.os-system",
                    cwe: "CWE-78",
                    severity: "block",
                    message: "Shell command built from input",
                  },
                ],
              },
            ],
          ),
        ],
      });
      await view.send({
        kind: "attachments",
        chips: [{ id: "1", kind: "file", label: "src/app.py", detail: "src/app.py", tokens: 412 }],
      });
      await view.page.evaluate(() => document.fonts.ready);
      await view.page.screenshot({ path: path.join(directory, `${theme}.png`) });
      await view.close();
    }
  });
});
