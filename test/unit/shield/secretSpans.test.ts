import assert from "node:assert/strict";
import type { Shield } from "../../../extension/src/core/shield";
import { redactSecrets } from "../../../extension/src/core/shield/secretSpans";
import { loadShield } from "./harness";

// Assembled so that this file itself holds no key a secret scanner would flag.
const githubToken = ["ghp", "_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"].join("");
const awsKey = ["AKIA", "Q3WX7ZL2M4N6P8R0"].join("");
const pemKey = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAv0x1Yq9sJZ2t0cX5c6Ty0m4Kq0m3Q2yWmR0n7Jf0rT3p8a1B",
  "c2VjcmV0IGtleSBib2R5IHRoYXQgaXMgbm90IHJlYWxseSBhIGtleSBhdCBhbGw=",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("secret spans for redaction", function () {
  let shield: Shield;
  before(async function () {
    shield = await loadShield(["python", "typescript"]);
  });
  after(function () {
    shield.dispose();
  });

  it("replaces a key format anywhere in prose, and counts it", function () {
    const result = redactSecrets(`my token is ${githubToken} and the AWS one ${awsKey}.`, {
      shield,
      language: undefined,
    });
    assert.equal(result.text, "my token is [REDACTED] and the AWS one [REDACTED].");
    assert.equal(result.redacted, 2);
  });

  it("replaces a whole PEM private key block, and one cut off by the end of the text", function () {
    const whole = redactSecrets(`key:\n${pemKey}\nafter`, { shield, language: undefined });
    assert.equal(whole.text, "key:\n[REDACTED]\nafter");
    const cut = redactSecrets(`key:\n${pemKey.slice(0, 120)}`, { shield, language: undefined });
    assert.equal(cut.text, "key:\n[REDACTED]");
  });

  it("replaces a PEM key written into a string literal with escaped line breaks", function () {
    const code = `KEY = "${pemKey.replaceAll("\n", "\\n")}"\nprint(KEY)\n`;
    const result = redactSecrets(code, { shield, language: "python" });
    assert.equal(result.text, `KEY = "[REDACTED]"\nprint(KEY)\n`);
  });

  it("uses the Shield's hardcoded-password rule in code it parses: the value goes, the code stays", function () {
    const code = 'db_password = "Tr0ub4dor&3"\nconnect(password=db_password)\n';
    const result = redactSecrets(code, { shield, language: "python" });
    assert.equal(result.text, 'db_password = "[REDACTED]"\nconnect(password=db_password)\n');
    assert.equal(result.redacted, 1);
  });

  it("leaves type annotations, references and placeholders in code alone", function () {
    const code = [
      "function login(password: string, apiKey: ApiKey) {",
      "  const token = session.token;",
      '  const secret = process.env.SECRET ?? "changeme";',
      "}",
    ].join("\n");
    const result = redactSecrets(code, { shield, language: "typescript" });
    assert.equal(result.text, code);
    assert.equal(result.redacted, 0);
  });

  it("finds secret-named values in .env, YAML and JSON text without a grammar", function () {
    const text = [
      "DATABASE_PASSWORD=s3cr3tValue42",
      "api_key: 9f8e7d6c5b4a",
      '{"client_secret": "Zx9-Yw8_Vu7"}',
      "PASSWORD_MIN_LENGTH=12",
      "password: string",
    ].join("\n");
    const result = redactSecrets(text, { shield, language: undefined });
    assert.equal(
      result.text,
      [
        "DATABASE_PASSWORD=[REDACTED]",
        "api_key: [REDACTED]",
        '{"client_secret": "[REDACTED]"}',
        "PASSWORD_MIN_LENGTH=12",
        "password: string",
      ].join("\n"),
    );
    assert.equal(result.redacted, 3);
  });

  it("works without the Shield (grammars not loaded) from the language-independent search alone", function () {
    const result = redactSecrets(`password = "hunter2x"\ntoken = ${JSON.stringify(githubToken)}`, {
      shield: undefined,
      language: "python",
    });
    assert.equal(result.text, 'password = "[REDACTED]"\ntoken = "[REDACTED]"');
  });

  it("keeps the keys vendors document their formats with, as the Shield's rule does", function () {
    const text = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE";
    assert.equal(redactSecrets(text, { shield, language: undefined }).redacted, 0);
  });
});
