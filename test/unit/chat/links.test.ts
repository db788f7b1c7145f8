import assert from "node:assert/strict";
import { classifyLink } from "../../../extension/src/core/chat/links";

describe("chat link policy", () => {
  it("opens http and https pages externally (after the adapter's confirmation)", () => {
    assert.deepEqual(classifyLink("https://nodejs.org/api/fs.html"), {
      kind: "external",
      url: "https://nodejs.org/api/fs.html",
    });
    assert.deepEqual(classifyLink("HTTP://example.com"), { kind: "external", url: "http://example.com/" });
  });

  it("opens workspace files, with a line from #L fragments", () => {
    assert.deepEqual(classifyLink("src/app.py"), { kind: "file", path: "src/app.py" });
    assert.deepEqual(classifyLink("src/app.py#L12"), { kind: "file", path: "src/app.py", line: 12 });
    assert.deepEqual(classifyLink("file:///home/me/project/main.c#L3-L9"), {
      kind: "file",
      path: "/home/me/project/main.c",
      line: 3,
    });
    assert.deepEqual(classifyLink("my%20file.ts"), { kind: "file", path: "my file.ts" });
  });

  it("treats a Windows drive letter as a path, not a scheme", () => {
    assert.deepEqual(classifyLink("C:/src/app.ts"), { kind: "file", path: "C:/src/app.ts" });
  });

  const refused = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "\u0001javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "command:workbench.action.terminal.new",
    "vscode://ms-python.python/run",
    "mailto:someone@example.com",
    "#section",
    "",
  ];
  for (const href of refused) {
    it(`refuses ${JSON.stringify(href)}`, () => assert.equal(classifyLink(href).kind, "refuse"));
  }
});
