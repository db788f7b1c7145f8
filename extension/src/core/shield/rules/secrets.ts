import type { Node } from "web-tree-sitter";
import { isDocstring, isLiteralString, isStringNode, isSecretName, looksLikeSecretValue, stringValue } from "../syntax";
import type { RuleDefinition, RuleMatch, ShieldLanguage, TextRange } from "../types";

/** Credential formats with a fixed, recognisable shape; matched only inside string nodes (redaction: anywhere). */
export const TOKEN_FORMATS: readonly RegExp[] = [
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API key
  /\bya29\.[0-9A-Za-z_-]{20,}/, // Google OAuth access token
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}/,
  /\bxox[abprs]-[0-9A-Za-z-]{10,}/, // Slack
  /\b[sr]k_live_[0-9A-Za-z]{20,}/, // Stripe
  /\bSK[0-9a-fA-F]{32}\b/, // Twilio API key
  /\bSG\.[\w-]{22}\.[\w-]{43}\b/, // SendGrid
  /\bEAACEdEose0cBA[0-9A-Za-z]+/, // Facebook access token
  /\bglpat-[0-9A-Za-z_-]{20}\b/, // GitLab
  /\bnpm_[A-Za-z0-9]{36}\b/,
];

/** One pass over each string before looking for which format matched: most strings match none. */
const ANY_TOKEN_FORMAT = new RegExp(TOKEN_FORMATS.map((format) => format.source).join("|"));

const STRING_QUERIES: Readonly<Record<string, { languages: ShieldLanguage[]; query: string }>> = {
  python: { languages: ["python"], query: "(string) @finding" },
  javascript: {
    languages: ["javascript", "javascriptreact", "typescript", "typescriptreact"],
    query: "[(string) (template_string)] @finding",
  },
  java: { languages: ["java"], query: "(string_literal) @finding" },
  c: { languages: ["c"], query: "(string_literal) @finding" },
  cpp: { languages: ["cpp"], query: "[(string_literal) (raw_string_literal)] @finding" },
  csharp: {
    languages: ["csharp"],
    query:
      "[(string_literal) (verbatim_string_literal) (raw_string_literal) (interpolated_string_expression)] @finding",
  },
  go: { languages: ["go"], query: "[(interpreted_string_literal) (raw_string_literal)] @finding" },
  rust: { languages: ["rust"], query: "[(string_literal) (raw_string_literal)] @finding" },
  // PHP files embed HTML; keys in script URLs there are as real as keys in PHP strings.
  php: { languages: ["php"], query: "[(string) (encapsed_string) (heredoc) (nowdoc) (text)] @finding" },
  ruby: { languages: ["ruby"], query: "(string) @finding" },
  shellscript: { languages: ["shellscript"], query: "[(string) (raw_string) (heredoc_body)] @finding" },
};

function withoutHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, "");
}

/** The root node type of each grammar, for the one whole-file match of the PEM check. */
const ROOT_TYPES: Readonly<Record<string, ShieldLanguage[]>> = {
  module: ["python"],
  program: ["javascript", "javascriptreact", "typescript", "typescriptreact", "java", "php", "ruby", "shellscript"],
  translation_unit: ["c", "cpp"],
  compilation_unit: ["csharp"],
  source_file: ["go", "rust"],
};

/** A PEM private key header followed by a line of key material (base64, 40 characters or more). */
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:\\n|\r?\n)[ \t]*[A-Za-z0-9+/=]{40,}/g;
const PEM_KEY_IN_TEXT = new RegExp(PEM_PRIVATE_KEY.source);

/**
 * A private key block found in the text itself, whatever the parse says: a snippet that begins inside a multi-line
 * string reads its strings as code and its code as strings, but a header followed by key material is a key either
 * way. The header alone (assertIn('-----BEGIN RSA PRIVATE KEY-----', pem)) is a marker, not a key, and a block the
 * parse puts in a comment is left alone. Reported from the header to the end of the first line of key material, so a
 * suggestion that writes the key under a header already there is reported too; the string check leaves such a block
 * to this one, so the two never count twice. Only the text being checked is read: a document's, for each keystroke,
 * can be megabytes.
 */
function locatePemBlock(match: RuleMatch): boolean | TextRange {
  const root = match.capture("finding");
  const checked = match.checkedText();
  if (!root || !checked.text.includes("PRIVATE KEY-----")) return false;
  for (const found of checked.text.matchAll(PEM_PRIVATE_KEY)) {
    const at = checked.startIndex + (found.index ?? 0);
    const node = root.descendantForIndex(at);
    if (/comment/.test(node?.type ?? "")) continue;
    return { startIndex: at, endIndex: at + found[0].length };
  }
  return false;
}

/** Reports the token itself, so a key inside a long multi-line string points at its own line. */
function locateTokenFormat(match: RuleMatch): boolean | TextRange {
  const node = match.capture("finding");
  if (!node) return false;
  // The text first: finding a node's parent costs time in proportion to its depth, and most strings hold no token.
  const text = node.type === "text" ? withoutHtmlComments(node.text) : node.text;
  if (!ANY_TOKEN_FORMAT.test(text)) return false;
  if (PEM_KEY_IN_TEXT.test(text)) return false;
  if (match.language === "python" && isDocstring(node)) return false;
  // A string inside another is reported on the enclosing one; the pieces of "a" "b" are strings of their own.
  const parent = node.parent;
  if (parent && isStringNode(parent) && parent.type !== "concatenated_string") return false;
  for (const format of TOKEN_FORMATS) {
    const found = format.exec(text);
    // Vendors document their key formats with keys that say so (AKIAIOSFODNN7EXAMPLE).
    if (found && /example/i.test(found[0])) continue;
    if (found && node.type !== "text")
      return { startIndex: node.startIndex + found.index, endIndex: node.startIndex + found.index + found[0].length };
    if (found) {
      const at = node.text.indexOf(found[0]);
      return { startIndex: node.startIndex + at, endIndex: node.startIndex + at + found[0].length };
    }
  }
  return false;
}

const hardcodedToken: RuleDefinition = {
  id: "secret.token-format",
  cwe: "CWE-798",
  severity: "block",
  message: "A credential (API key, access token or private key) is written into the source.",
  fixHint: "Load the credential from the environment or a secret manager, and revoke the one that was committed.",
  explanation:
    "Strings with the shape of a cloud API key, an OAuth token or a PEM private key give anyone who can read the code the " +
    "same access as the owner. Source code is copied, logged and pushed to places secrets must not go, and a leaked key " +
    "stays valid until it is revoked.",
  patterns: [
    ...Object.values(STRING_QUERIES).map(({ languages, query }) => ({
      languages,
      query,
      accept: locateTokenFormat,
    })),
    ...Object.entries(ROOT_TYPES).map(([root, languages]) => ({
      languages,
      query: `(${root}) @finding`,
      accept: locatePemBlock,
    })),
  ],
};

/** The name a value is assigned to: an identifier, a field, a dictionary key or a subscript with a string key. */
function nameOf(node: Node): string {
  if (isLiteralString(node)) return stringValue(node);
  switch (node.type) {
    case "attribute":
      return node.childForFieldName("attribute")?.text ?? node.text;
    case "member_expression":
      return node.childForFieldName("property")?.text ?? node.text;
    case "field_access":
      return node.childForFieldName("field")?.text ?? node.text;
    case "member_access_expression":
      return node.childForFieldName("name")?.text ?? node.text;
    case "field_expression":
      return node.childForFieldName("field")?.text ?? node.text;
    case "subscript":
    case "subscript_expression":
    case "element_reference": {
      const key = node.childForFieldName("subscript") ?? node.childForFieldName("index") ?? node.namedChildren[1];
      return key ? nameOf(key) : "";
    }
    case "pointer_declarator":
    case "array_declarator":
      return node.childForFieldName("declarator") ? nameOf(node.childForFieldName("declarator") as Node) : node.text;
    case "simple_symbol":
    case "hash_key_symbol":
      return node.text.replace(/^:/, "");
    case "variable_name":
      return node.text.replace(/^\$/, "");
    default:
      return node.text;
  }
}

function isHardcodedSecret(match: RuleMatch): boolean {
  const name = match.capture("name");
  const value = match.capture("value");
  if (!name || !value || !isLiteralString(value)) return false;
  const key = nameOf(name);
  return isSecretName(key) && looksLikeSecretValue(stringValue(value), key);
}

const hardcodedPassword: RuleDefinition = {
  id: "secret.hardcoded-password",
  cwe: "CWE-798",
  severity: "warn",
  message: "A password or secret is assigned from a string literal.",
  fixHint: "Read the secret from configuration, the environment or a secret manager at run time.",
  explanation:
    "A password written into the code is shared with everyone who can read the repository, cannot be rotated without a " +
    "release, and is usually the same in every deployment. Tests should build fixtures from clearly fake values in one place.",
  patterns: [
    {
      languages: ["python"],
      query: `
        (assignment left: [(identifier) (attribute) (subscript)] @name right: (string) @value) @finding
        (keyword_argument name: (identifier) @name value: (string) @value) @finding
        (pair key: (string) @name value: (string) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["javascript", "javascriptreact", "typescript", "typescriptreact"],
      query: `
        (variable_declarator name: (identifier) @name value: (string) @value) @finding
        (assignment_expression left: [(identifier) (member_expression) (subscript_expression)] @name right: (string) @value) @finding
        (pair key: [(property_identifier) (string)] @name value: (string) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["java"],
      query: `
        (variable_declarator name: (identifier) @name value: (string_literal) @value) @finding
        (assignment_expression left: [(identifier) (field_access)] @name right: (string_literal) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["c", "cpp"],
      query: `
        (init_declarator declarator: [(identifier) (pointer_declarator) (array_declarator)] @name value: (string_literal) @value) @finding
        (assignment_expression left: [(identifier) (field_expression)] @name right: (string_literal) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["csharp"],
      query: `
        (variable_declarator name: (identifier) @name (string_literal) @value) @finding
        (assignment_expression left: [(identifier) (member_access_expression)] @name right: (string_literal) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["go"],
      query: `
        (short_var_declaration left: (expression_list (identifier) @name) right: (expression_list (interpreted_string_literal) @value)) @finding
        (const_spec name: (identifier) @name value: (expression_list (interpreted_string_literal) @value)) @finding
        (var_spec name: (identifier) @name value: (expression_list (interpreted_string_literal) @value)) @finding
        (keyed_element (literal_element (identifier) @name) (literal_element (interpreted_string_literal) @value)) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["rust"],
      query: `
        (let_declaration pattern: (identifier) @name value: (string_literal) @value) @finding
        (const_item name: (identifier) @name value: (string_literal) @value) @finding
        (static_item name: (identifier) @name value: (string_literal) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["php"],
      query: `
        (assignment_expression left: [(variable_name) (member_access_expression) (subscript_expression)] @name right: [(string) (encapsed_string)] @value) @finding
        (array_element_initializer [(string) (encapsed_string)] @name [(string) (encapsed_string)] @value) @finding
        (const_element (name) @name [(string) (encapsed_string)] @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["ruby"],
      query: `
        (assignment left: [(identifier) (constant) (instance_variable)] @name right: (string) @value) @finding
        (pair key: [(hash_key_symbol) (simple_symbol) (string)] @name value: (string) @value) @finding`,
      accept: isHardcodedSecret,
    },
    {
      languages: ["shellscript"],
      query: `(variable_assignment name: (variable_name) @name value: [(string) (raw_string)] @value) @finding`,
      accept: isHardcodedSecret,
    },
  ],
};

export const SECRET_RULES: readonly RuleDefinition[] = [hardcodedToken, hardcodedPassword];
