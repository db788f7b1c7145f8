import assert from "node:assert/strict";
import { classifyLink, fileLinkTargets } from "../../../extension/src/core/chat/links";

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

describe("where a file link leads", () => {
  const folders = ["/home/me/project", "/home/me/lib"];

  it("resolves a relative link in each workspace folder, inside both", () => {
    assert.deepEqual(fileLinkTargets("src/app.py", folders), [
      { path: "/home/me/project/src/app.py", inside: true, folder: 0 },
      { path: "/home/me/lib/src/app.py", inside: true, folder: 1 },
    ]);
  });

  it("applies . and .. before deciding, so a link cannot climb out unseen", () => {
    assert.deepEqual(fileLinkTargets("./src/../README.md", ["/home/me/project"]), [
      { path: "/home/me/project/README.md", inside: true, folder: 0 },
    ]);
    assert.deepEqual(fileLinkTargets("../../../etc/passwd", ["/home/me/project"]), [
      { path: "/etc/passwd", inside: false, folder: 0 },
    ]);
    assert.deepEqual(fileLinkTargets("../../../../../../../etc/passwd", ["/home/me/project"]), [
      { path: "/etc/passwd", inside: false, folder: 0 },
    ]);
    assert.deepEqual(fileLinkTargets("..\\..\\.ssh\\id_rsa", ["/home/me/project"]), [
      { path: "/home/.ssh/id_rsa", inside: false, folder: 0 },
    ]);
  });

  it("a sibling folder with the workspace folder's name as its start is outside", () => {
    assert.deepEqual(fileLinkTargets("../project-secrets/key.pem", ["/home/me/project"]), [
      { path: "/home/me/project-secrets/key.pem", inside: false, folder: 0 },
    ]);
  });

  it("an absolute path is inside only under a workspace folder", () => {
    assert.deepEqual(fileLinkTargets("/etc/passwd", folders), [{ path: "/etc/passwd", inside: false }]);
    assert.deepEqual(fileLinkTargets("/home/me/lib/x.ts", folders), [
      { path: "/home/me/lib/x.ts", inside: true, folder: 1 },
    ]);
    assert.deepEqual(fileLinkTargets("/home/me/project/../other/x.ts", folders), [
      { path: "/home/me/other/x.ts", inside: false },
    ]);
  });

  it("compares Windows paths without case, and .. stops at the drive", () => {
    assert.deepEqual(fileLinkTargets("/C:/Src/App.ts", ["/c:/src"]), [
      { path: "/C:/Src/App.ts", inside: true, folder: 0 },
    ]);
    assert.deepEqual(fileLinkTargets("C:/Windows/system.ini", ["/c:/src"]), [
      { path: "/C:/Windows/system.ini", inside: false },
    ]);
    assert.deepEqual(fileLinkTargets("../../../x.ini", ["/c:/src"]), [{ path: "/c:/x.ini", inside: false, folder: 0 }]);
  });

  it("with no workspace folder, every file is outside", () => {
    assert.deepEqual(fileLinkTargets("/tmp/x", []), [{ path: "/tmp/x", inside: false }]);
    assert.deepEqual(fileLinkTargets("src/x", []), []);
  });
});
