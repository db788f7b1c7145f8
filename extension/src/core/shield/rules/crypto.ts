import type { Node } from "web-tree-sitter";
import { firstArgument, isLiteralString, nthArgument, stringValue } from "../syntax";
import type { RuleDefinition } from "../types";
import { UNAUTHENTICATED_MODE_EXPLANATION, UNAUTHENTICATED_MODE_FIX, UNAUTHENTICATED_MODE_MESSAGE } from "./shared";

/** A cipher name such as "aes-256-cbc" or "AES/CBC/PKCS5Padding" that selects a mode without authentication. */
const UNAUTHENTICATED_NAME = /[-/_](cbc|cfb\d*|ofb|ctr)([-/_]|$)/i;

function namesUnauthenticatedMode(node: Node | undefined): boolean {
  return node !== undefined && isLiteralString(node) && UNAUTHENTICATED_NAME.test(stringValue(node));
}

/**
 * One rule across languages, so turning it off by id covers every language.
 *
 * Warn, never block: CBC or CTR followed by an HMAC over IV and ciphertext (encrypt-then-MAC) is sound, and the
 * MAC is usually computed in another function or file the Shield cannot see. What the mode alone proves is that
 * nothing in the cipher authenticates the data, so the finding asks the author to check, rather than refusing the
 * code. A fixed IV (static-iv rules) or a broken cipher (weak-cipher rules) is a definite flaw and blocks.
 */
const unauthenticatedMode: RuleDefinition = {
  id: "crypto.unauthenticated-mode",
  cwe: "CWE-347",
  severity: "warn",
  message: UNAUTHENTICATED_MODE_MESSAGE,
  fixHint: UNAUTHENTICATED_MODE_FIX,
  explanation: UNAUTHENTICATED_MODE_EXPLANATION,
  patterns: [
    {
      languages: ["java"],
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn arguments: (argument_list) @args) @finding (#eq? @class "Cipher") (#eq? @fn "getInstance"))`,
      accept: (match) => {
        const transformation = firstArgument(match.capture("args"));
        return (
          transformation !== undefined &&
          isLiteralString(transformation) &&
          /\/(CBC|CFB\d*|OFB|CTR)\//i.test(stringValue(transformation))
        );
      },
    },
    {
      languages: ["c", "cpp"],
      query: `((call_expression function: (identifier) @fn) @finding (#match? @fn "^EVP_(aes|camellia|aria|sm4)_\\\\d+_(cbc|cfb\\\\d*|ofb|ctr)$"))`,
    },
    {
      languages: ["csharp"],
      query: `((member_access_expression expression: (identifier) @enum name: (identifier) @mode) @finding (#eq? @enum "CipherMode") (#any-of? @mode "CBC" "CFB" "OFB" "CTS"))`,
    },
    {
      // pycryptodome: AES.new(key, AES.MODE_CBC, iv), under any name the file imported the cipher as.
      languages: ["python"],
      query: `((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list . (_) . (attribute attribute: (identifier) @mode))) @finding
        (#eq? @fn "new") (#any-of? @mode "MODE_CBC" "MODE_CFB" "MODE_OFB" "MODE_CTR" "MODE_OPENPGP"))`,
    },
    {
      // cryptography: Cipher(algorithms.AES(key), modes.CBC(iv)).
      languages: ["python"],
      query: `((call function: [(identifier) (attribute)] @callee) @finding (#match? @callee "(^|\\.)(CBC|CFB|CFB8|OFB|CTR)$"))`,
      accept: (match) => {
        const callee = match.capture("callee");
        return callee !== undefined && /(^|\.)modes\.(CBC|CFB|CFB8|OFB|CTR)$/.test(match.qualifiedName(callee));
      },
    },
    {
      languages: ["javascript", "javascriptreact", "typescript", "typescriptreact"],
      query: `((call_expression function: [(identifier) (member_expression)] @callee arguments: (arguments) @args) @finding (#match? @callee "(^|\\.)create(Cipher|Decipher)iv$"))`,
      accept: (match) => namesUnauthenticatedMode(firstArgument(match.capture("args"))),
    },
    {
      // OpenSSL::Cipher.new("aes-256-cbc")
      languages: ["ruby"],
      query: `((call receiver: (_) @receiver method: (identifier) @fn arguments: (argument_list . (string) @name)) @finding (#match? @receiver "Cipher$") (#eq? @fn "new"))`,
      accept: (match) => namesUnauthenticatedMode(match.capture("name")),
    },
    {
      languages: ["php"],
      query: `((function_call_expression function: (name) @fn arguments: (arguments) @args) @finding (#any-of? @fn "openssl_encrypt" "openssl_decrypt"))`,
      accept: (match) => namesUnauthenticatedMode(nthArgument(match.capture("args"), 1)),
    },
  ],
};

export const CRYPTO_RULES: readonly RuleDefinition[] = [unauthenticatedMode];
