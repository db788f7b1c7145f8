import assert from "node:assert/strict";
import { isShieldLanguage, languageForFileName, type Shield } from "../../../extension/src/core/shield";
import { loadShield } from "./harness";

describe("Shield engine", () => {
  let shield: Shield;
  before(async () => {
    shield = await loadShield(["python", "javascript", "php", "c", "rust"]);
  });
  after(() => shield.dispose());

  describe("scanSuggestion", () => {
    const insecurePrefix = "import os\nos.system('rm -rf ' + path)\n";

    it("does not report an insecure line already in the prefix for a harmless suggestion", () => {
      const findings = shield.scanSuggestion({
        prefix: insecurePrefix,
        suggestion: "print('done')",
        suffix: "\n",
        language: "python",
      });
      assert.deepEqual(findings, []);
      // The same text scanned whole does contain the finding, so the filter is what keeps it out.
      assert.ok(
        shield.scan(insecurePrefix + "print('done')\n", "python").some((f) => f.ruleId === "python.os-command"),
      );
    });

    it("reports an insecure suggestion", () => {
      const findings = shield.scanSuggestion({
        prefix: "import subprocess\n",
        suggestion: "subprocess.call(cmd, shell=True)",
        suffix: "\n",
        language: "python",
      });
      assert.deepEqual(
        findings.map((f) => f.ruleId),
        ["python.subprocess-shell"],
      );
    });

    it("reports a suggestion that completes an insecure call begun in the prefix", () => {
      const findings = shield.scanSuggestion({
        prefix: "subprocess.call(cmd, ",
        suggestion: "shell=True)",
        suffix: "\n",
        language: "python",
      });
      assert.deepEqual(
        findings.map((f) => f.ruleId),
        ["python.subprocess-shell"],
      );
    });

    it("works on a fragment that does not parse on its own", () => {
      const findings = shield.scanSuggestion({
        prefix: "def handler(request):\n    if request.user:\n        ",
        suggestion: "os.system('ping ' + request.GET['host'])",
        suffix: "",
        language: "python",
      });
      assert.deepEqual(
        findings.map((f) => f.ruleId),
        ["python.os-command"],
      );
    });

    it("reports positions in the combined text, 0-based", () => {
      const [finding] = shield.scanSuggestion({
        prefix: "x = 1\n",
        suggestion: "el.innerHTML = html;",
        suffix: "\n",
        language: "javascript",
      });
      assert.ok(finding);
      assert.deepEqual([finding.startLine, finding.startColumn, finding.endLine, finding.endColumn], [1, 0, 1, 19]);
      assert.deepEqual([finding.startIndex, finding.endIndex], [6, 25]);
    });
  });

  describe("scan", () => {
    it("honours disabledRules", () => {
      const code = "h = hashlib.md5(data)\n";
      assert.equal(shield.scan(code, "python").length, 1);
      assert.deepEqual(shield.scan(code, "python", { disabledRules: new Set(["python.weak-hash"]) }), []);
    });

    it("points a token inside a multi-line string at its own line", () => {
      const code = 'PEM = """\nheader\n-----BEGIN PRIVATE KEY-----\nMIIE\n"""\n';
      const [finding] = shield.scan(code, "python");
      assert.equal(finding?.ruleId, "secret.token-format");
      assert.deepEqual([finding?.startLine, finding?.startColumn], [2, 0]);
    });

    it("reports a private key block in a string once, from its header to its first line of key material", () => {
      const keyLine = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
      const code = `KEY = "-----BEGIN RSA PRIVATE KEY-----\\n${keyLine}\\n-----END RSA PRIVATE KEY-----"\n`;
      const findings = shield.scan(code, "python");
      assert.deepEqual(
        findings.map((f) => [f.ruleId, code.slice(f.startIndex, f.endIndex)]),
        [["secret.token-format", `-----BEGIN RSA PRIVATE KEY-----\\n${keyLine}`]],
      );
    });

    it("scans a PHP fragment without its opening tag and keeps its columns", () => {
      const [finding] = shield.scan("$h = md5($x);\n", "php");
      assert.equal(finding?.ruleId, "php.weak-hash");
      assert.deepEqual([finding?.startLine, finding?.startColumn, finding?.startIndex], [0, 5, 5]);
    });

    it("reads a fragment that begins inside a docstring as code after the docstring ends", () => {
      // Read from its start, the fragment's first quotes would open a string that runs to the next docstring.
      const fragment =
        '    Returns:\n      the digest of the node\n    """\n    hasher = hashlib.sha1()\n    hasher.update(data)\n\n' +
        'def helper():\n    """Does nothing."""\n';
      const findings = shield.scan(fragment, "python");
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.startLine]),
        [["python.weak-hash", 3]],
      );
    });

    it("keeps the code before a docstring when the fragment did not begin inside one", () => {
      const fragment =
        "    session['flash'] = message\n\n\n  def hash_pw(pw):\n    return hashlib.md5(pw.encode('utf8')).hexdigest()\n\n\n" +
        "  def makedirs(path):\n    \'\'\' Shorthand that creates a directory and stays silent when it\n    already exists. \'\'\'\n\n" +
        "    if not os.path.exists(path):\n      os.makedirs(path)\n";
      const findings = shield.scan(fragment, "python");
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.startLine]),
        [["python.weak-hash", 4]],
      );
    });

    it("reads a fragment that begins inside a block comment as code after the comment ends", () => {
      // Read from its start, the backtick in the comment would open a template string that hides the call.
      const fragment =
        " * Pass the name in `quotes\n */\nfunction list(dir) {\n  child_process.exec('ls ' + dir);\n}\n// see `docs`\n";
      assert.deepEqual(
        shield.scan(fragment, "javascript").map((f) => [f.ruleId, f.startLine]),
        [["js.child-process", 3]],
      );
    });

    it("reads a fragment cut off inside a call as if its brackets were closed, and ends findings where the code ends", () => {
      const fragment =
        'import { exec } from "child_process"\ntest("watch", (t) => {\n  exec(\n    `${ bin }/run --watch`,\n    (err, stdout) => {\n' +
        '      t.ok(\n        err,\n        "should fail when " +\n          "`--watch` is passed"';
      const findings = shield.scan(fragment, "javascript");
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.startLine]),
        [["js.child-process", 2]],
      );
      assert.equal(findings[0]?.endIndex, fragment.length);
      assert.equal(findings[0]?.endLine, 8);
    });

    it("closes a call left open under an open block, when that reads better", () => {
      // The callback's body is cut off inside an `if` block: the innermost closer is "}", the call's ")" comes later.
      const fragment =
        "build(options, function (err) {\n  if (ready) {\n    var name = 'Developer ID';\n" +
        "    child_process.exec('codesign --sign \"' + name + '\" App.app', { cwd: './dist' }, function (err) {\n" +
        "      if (err) {\n        console.log('failed', err);\n";
      assert.deepEqual(
        shield.scan(fragment, "javascript").map((f) => [f.ruleId, f.startLine]),
        [["js.child-process", 3]],
      );
    });

    it('treats a PHP fragment whose only "<?" is inside a string as PHP', () => {
      const fragment = "function lint($code) {\n  $code = '<?' . $code . '?>';\n  $name = md5($code) . '.php';\n}\n";
      assert.deepEqual(
        shield.scan(fragment, "php").map((f) => [f.ruleId, f.startLine]),
        [["php.weak-hash", 2]],
      );
    });

    it("reads a PHP file's markup fragment, with its inline script, as markup rather than as PHP", () => {
      const key = "AIza" + "SyA665aDyAPFDgxFO5H4t12jyRqIQX-6x6I";
      const fragment = `      var numValue = latLng + "";\n    </script>\n    <script async defer\n    src="https://maps.googleapis.com/maps/api/js?key=${key}">\n    </script>\n`;
      assert.deepEqual(
        shield.scan(fragment, "php").map((f) => [f.ruleId, f.startLine]),
        [["secret.token-format", 3]],
      );
    });

    it("points a finding in a builder chain at the method, not at the chain's first line", () => {
      const code =
        "fn client(insecure: bool) -> Client {\n    Client::builder()\n        .danger_accept_invalid_certs(insecure)\n        .build()\n}\n";
      const [finding] = shield.scan(code, "rust");
      assert.equal(finding?.ruleId, "rust.tls-verification-off");
      assert.deepEqual([finding?.startLine, finding?.startColumn], [2, 9]);
    });

    it("refuses a language it has not loaded", () => {
      assert.throws(() => shield.scan("puts 1", "ruby"), /no grammar loaded for ruby/);
    });

    it("lists each rule once, with the languages it covers", () => {
      const rules = shield.rules();
      assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
      const weakHash = rules.find((r) => r.id === "python.weak-hash");
      assert.deepEqual(weakHash?.languages, ["python"]);
      assert.ok(rules.find((r) => r.id === "secret.token-format")?.languages.includes("shellscript"));
    });
  });

  describe("languages", () => {
    it("accepts exactly VS Code's ids for the supported languages", () => {
      assert.ok(isShieldLanguage("typescriptreact"));
      assert.ok(isShieldLanguage("shellscript"));
      assert.ok(!isShieldLanguage("tsx"));
      assert.ok(!isShieldLanguage("markdown"));
    });

    it("infers the language from a file name", () => {
      assert.equal(languageForFileName("src/app.tsx"), "typescriptreact");
      assert.equal(languageForFileName("lib/x.mjs"), "javascript");
      assert.equal(languageForFileName("C:\\code\\main.cpp"), "cpp");
      assert.equal(languageForFileName("include/x.h"), "c");
      assert.equal(languageForFileName("types.d.ts"), "typescript");
      assert.equal(languageForFileName("run.sh"), "shellscript");
      assert.equal(languageForFileName("README.md"), undefined);
      assert.equal(languageForFileName("Makefile"), undefined);
    });
  });
});
