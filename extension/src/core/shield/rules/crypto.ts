import { firstArgument, isLiteralString, stringValue } from "../syntax";
import type { RuleDefinition } from "../types";
import { UNAUTHENTICATED_MODE_EXPLANATION, UNAUTHENTICATED_MODE_FIX, UNAUTHENTICATED_MODE_MESSAGE } from "./shared";

/** One rule across languages, so turning it off by id covers every language. */
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
  ],
};

export const CRYPTO_RULES: readonly RuleDefinition[] = [unauthenticatedMode];
