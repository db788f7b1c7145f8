import type { Node } from "web-tree-sitter";
import {
  destinationName,
  firstArgument,
  isConstantExpression,
  isLiteralString,
  localAssignedValues,
  namesSecurityValue,
  stringValue,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
import {
  COMMAND_EXPLANATION,
  isWeakCipherName,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_CIPHER_EXPLANATION,
  WEAK_CIPHER_FIX,
  WEAK_CIPHER_MESSAGE,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
  WEAK_RANDOM_EXPLANATION,
} from "./shared";

const JAVA = ["java"] as const;

function literalFirstArgument(match: RuleMatch): string | undefined {
  const first = firstArgument(match.capture("args"));
  return first && isLiteralString(first) ? stringValue(first) : undefined;
}

const weakHash: RuleDefinition = {
  id: "java.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn arguments: (argument_list) @args) @finding (#eq? @class "MessageDigest") (#eq? @fn "getInstance"))`,
      accept: (match) => /^(md5|md4|md2|sha-?1|sha)$/i.test(literalFirstArgument(match) ?? ""),
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn) @finding (#match? @fn "^(md5|md2|sha1|md5Hex|sha1Hex|shaHex|md5Digest|sha1Digest|getMd5Digest|getSha1Digest|md5Hash|sha1Hash)$"))`,
    },
  ],
};

function isWeakTransformation(match: RuleMatch): boolean {
  const name = literalFirstArgument(match);
  if (name === undefined) return false;
  // "AES" alone means AES/ECB/PKCS5Padding; RSA without OAEP is PKCS#1 v1.5 (Bleichenbacher).
  return isWeakCipherName(name) && !/^RSA\//i.test(name)
    ? true
    : /^(AES|RSA|RSA\/ECB\/PKCS1Padding|RSA\/NONE\/PKCS1Padding)$/i.test(name);
}

const weakCipher: RuleDefinition = {
  id: "java.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: WEAK_CIPHER_MESSAGE,
  fixHint: `${WEAK_CIPHER_FIX} For RSA use "RSA/ECB/OAEPWithSHA-256AndMGF1Padding".`,
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @class "Cipher" "KeyGenerator" "SecretKeyFactory") (#eq? @fn "getInstance"))`,
      accept: (match) =>
        match.capture("class")?.text === "Cipher"
          ? isWeakTransformation(match)
          : isWeakCipherName(literalFirstArgument(match) ?? ""),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type) @finding (#any-of? @type "DESKeySpec" "DESedeKeySpec"))`,
    },
  ],
};

function isDynamicValue(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node);
}

const commandExec: RuleDefinition = {
  id: "java.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "An OS command is built from a non-literal value.",
  fixHint: "Use ProcessBuilder with a fixed program and separate arguments; validate values against an allow-list.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (_) @runtime name: (identifier) @fn arguments: (argument_list) @args) @finding (#eq? @fn "exec") (#match? @runtime "[Rr]untime"))`,
      accept: (match) => isDynamicValue(firstArgument(match.capture("args"))),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list) @args) @finding (#eq? @type "ProcessBuilder"))`,
      accept: (match) => {
        // A shell (sh -c / cmd /c) with a spliced command string.
        const text = match.capture("args")?.text ?? "";
        return (
          /"(\/bin\/)?(ba|z)?sh"|"cmd(\.exe)?"/.test(text) &&
          /"(-c|\/c)"/i.test(text) &&
          !isConstantExpression(match.capture("args"))
        );
      },
    },
  ],
};

const deserialization: RuleDefinition = {
  id: "java.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "warn",
  message: "Java object deserialization (ObjectInputStream, XMLDecoder, XStream) can run attacker-chosen code.",
  fixHint: "Exchange data as JSON with a fixed schema; if you must deserialize, set an ObjectInputFilter allow-list.",
  explanation:
    "readObject rebuilds any Serializable class on the classpath; gadget chains in common libraries turn a crafted stream " +
    "into remote code execution.",
  patterns: [
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type) @finding (#any-of? @type "ObjectInputStream" "XMLDecoder"))`,
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn) @finding (#any-of? @fn "fromXML" "enableDefaultTyping"))`,
    },
  ],
};

const weakRandom: RuleDefinition = {
  id: "java.weak-random",
  cwe: "CWE-330",
  severity: "warn",
  message: "java.util.Random is predictable; this value looks security-sensitive (token, password, key, salt…).",
  fixHint: "Use java.security.SecureRandom.",
  explanation: WEAK_RANDOM_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn) @finding (#match? @fn "^next(Int|Long|Double|Float|Boolean|Bytes|Gaussian)$"))`,
      accept: (match) => {
        const node = match.capture("finding");
        if (!node || /secure/i.test(node.childForFieldName("object")?.text ?? "")) return false;
        const name = destinationName(node);
        return name !== undefined && namesSecurityValue(name);
      },
    },
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn) @finding (#eq? @class "Math") (#eq? @fn "random"))`,
      accept: (match) => {
        const node = match.capture("finding");
        const name = node ? destinationName(node) : undefined;
        return name !== undefined && namesSecurityValue(name);
      },
    },
  ],
};

const fixedSeed: RuleDefinition = {
  id: "java.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "A random generator is seeded with a constant.",
  fixHint: "Do not seed SecureRandom; for Random, a constant seed is only for reproducible tests.",
  explanation: "A constant seed makes every value the generator returns reproducible by anyone who reads the code.",
  patterns: [
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . [(decimal_integer_literal) (hex_integer_literal) (string_literal)] .)) @finding (#eq? @type "SecureRandom"))`,
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . [(decimal_integer_literal) (hex_integer_literal)] .)) @finding (#eq? @fn "setSeed"))`,
    },
  ],
};

const ssrf: RuleDefinition = {
  id: "java.url-from-variable",
  cwe: "CWE-918",
  severity: "warn",
  message: "A connection is opened to a URL built from a non-literal value.",
  fixHint: "Check the host against an allow-list before connecting; never fetch URLs taken directly from a request.",
  explanation:
    "If the URL comes from a request, an attacker can make the server fetch internal addresses (cloud metadata, admin " +
    "ports) on their behalf: server-side request forgery.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: [(object_creation_expression type: (type_identifier) @type arguments: (argument_list) @args) (parenthesized_expression (object_creation_expression type: (type_identifier) @type arguments: (argument_list) @args))] name: (identifier) @fn) @finding (#eq? @type "URL") (#any-of? @fn "openConnection" "openStream"))`,
      accept: (match) => isDynamicValue(firstArgument(match.capture("args"))),
    },
  ],
};

const csrfDisabled: RuleDefinition = {
  id: "java.csrf-disabled",
  cwe: "CWE-352",
  severity: "warn",
  message: "Spring Security's CSRF protection is disabled.",
  fixHint: "Keep CSRF on for browser sessions; disable it only for stateless token-authenticated APIs.",
  explanation: "Without a CSRF token any page the user visits can submit requests with the user's session cookie.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (method_invocation name: (identifier) @csrf) name: (identifier) @fn) @finding (#eq? @csrf "csrf") (#eq? @fn "disable"))`,
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @csrf arguments: (argument_list) @args) @finding (#eq? @csrf "csrf") (#match? @args "disable"))`,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "java.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS hostname or certificate verification is turned off.",
  fixHint: "Use the default HostnameVerifier and TrustManager; add private CAs to a trust store instead.",
  explanation:
    "Without these checks anyone on the network path can impersonate the server and read or change the traffic.",
  patterns: [
    {
      languages: JAVA,
      query: `([(identifier) (type_identifier)] @finding (#any-of? @finding "NoopHostnameVerifier" "AllowAllHostnameVerifier" "ALLOW_ALL_HOSTNAME_VERIFIER" "TrustAllStrategy"))`,
      accept: (match) => {
        // Report each use once: on the import or on the expression, not on both the type and its identifier.
        const parent = match.capture("finding")?.parent;
        return parent?.type !== "scoped_identifier" || parent.parent?.type === "import_declaration";
      },
    },
    {
      languages: JAVA,
      query: `((method_declaration name: (identifier) @name body: (block . (return_statement (true)) .)) @finding (#eq? @name "verify"))`,
    },
    {
      languages: JAVA,
      query: `((method_declaration name: (identifier) @name body: (block) @body) @finding (#any-of? @name "checkServerTrusted" "checkClientTrusted") (#match? @body "^[{][\\\\s]*[}]$"))`,
    },
  ],
};

function isFormattedSql(node: Node | undefined, depth = 0): boolean {
  if (!node) return false;
  if (node.type === "binary_expression") return !isConstantExpression(node) && looksLikeSql(node.text);
  if (node.type === "method_invocation") {
    const fn = node.childForFieldName("name")?.text;
    return (fn === "format" || fn === "formatted") && looksLikeSql(node.text);
  }
  if (node.type === "identifier" && depth === 0)
    return localAssignedValues(node).some((value) => isFormattedSql(value, 1));
  return false;
}

const sqlFormatting: RuleDefinition = {
  id: "java.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by concatenation or String.format.",
  fixHint: "Use a PreparedStatement with ? placeholders and setString/setInt.",
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn "executeQuery" "executeUpdate" "execute" "addBatch" "prepareStatement" "createQuery" "createNativeQuery" "createSQLQuery" "queryForObject" "queryForList" "update"))`,
      accept: (match) => isFormattedSql(firstArgument(match.capture("args"))),
    },
  ],
};

/** A string concatenated from literal text and at least one value, or String.format with values. */
function isBuiltText(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === "binary_expression") return !isConstantExpression(node) && /"/.test(node.text);
  if (node.type === "method_invocation") {
    const fn = node.childForFieldName("name")?.text;
    return (fn === "format" || fn === "formatted") && positionalCount(node) > 1;
  }
  if (node.type === "identifier")
    return localAssignedValues(node).some((value) => value.type !== "identifier" && isBuiltText(value));
  return false;
}

function positionalCount(call: Node): number {
  return (
    call.childForFieldName("arguments")?.namedChildren.filter((child) => child !== null && child.type !== "comment")
      .length ?? 0
  );
}

const xpathInjection: RuleDefinition = {
  id: "java.xpath-injection",
  cwe: "CWE-643",
  severity: "warn",
  message: "An XPath expression is built from a non-literal value.",
  fixHint: "Bind values as XPath variables (XPath.setXPathVariableResolver and $name in the expression).",
  explanation:
    "Values spliced into XPath can change the query: ' or '1'='1 selects every node, including other users' data.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (_) @xpath name: (identifier) @fn arguments: (argument_list . (_) @expression)) @finding (#any-of? @fn "compile" "evaluate" "evaluateExpression"))`,
      accept: (match) => /xpath/i.test(match.capture("xpath")?.text ?? "") && isBuiltText(match.capture("expression")),
    },
  ],
};

const worldReadable: RuleDefinition = {
  id: "java.world-accessible-file",
  cwe: "CWE-276",
  severity: "warn",
  message: "A file or preference store is made world-readable or world-writable.",
  fixHint: "Use MODE_PRIVATE and share data through a ContentProvider or FileProvider.",
  explanation: "Any other app on the device can read (or overwrite) data stored with MODE_WORLD_READABLE / WRITEABLE.",
  patterns: [
    {
      languages: JAVA,
      query: `((identifier) @finding (#any-of? @finding "MODE_WORLD_READABLE" "MODE_WORLD_WRITEABLE"))`,
    },
  ],
};

const webViewFileAccess: RuleDefinition = {
  id: "java.webview-file-access",
  cwe: "CWE-200",
  severity: "warn",
  message: "The WebView may read local files.",
  fixHint: "Call setAllowFileAccess(false) and load local content through WebViewAssetLoader.",
  explanation: "Script in a page loaded into the WebView can read the app's private files through file:// URLs.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (true) .)) @finding (#any-of? @fn "setAllowFileAccess" "setAllowFileAccessFromFileURLs" "setAllowUniversalAccessFromFileURLs"))`,
    },
  ],
};

const cookieFlags: RuleDefinition = {
  id: "java.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "A cookie's Secure or HttpOnly flag is turned off.",
  fixHint: "Call setSecure(true) and setHttpOnly(true) on session cookies.",
  explanation: "Without Secure the cookie is sent over plain HTTP; without HttpOnly any injected script can read it.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (false) .)) @finding (#any-of? @fn "setSecure" "setHttpOnly"))`,
    },
  ],
};

/** Any of these in the same file shows the parser is being configured against external entities. */
const XML_HARDENING =
  /setFeature\s*\(|ACCESS_EXTERNAL_(DTD|SCHEMA|STYLESHEET)|setExpandEntityReferences\s*\(\s*false|IS_SUPPORTING_EXTERNAL_ENTITIES|SUPPORT_DTD|disallow-doctype-decl|setXIncludeAware|FEATURE_SECURE_PROCESSING/;

/** Calls that hand out a parser with the factory's defaults, which resolve external entities. */
const UNHARDENED_PARSER_SOURCE =
  /\.(newSAXParser|newDocumentBuilder|getXMLReader)\s*\(\s*\)$|^XMLReaderFactory\s*\.\s*createXMLReader\s*\(/;

const xxe: RuleDefinition = {
  id: "java.xxe",
  cwe: "CWE-611",
  severity: "warn",
  message: "An XML parser factory is created and never hardened against external entities.",
  fixHint:
    'Call factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true) (or disable external entities and DTD loading) before parsing.',
  explanation:
    "Java's XML parsers resolve external entities by default, so a document can read local files (file:///etc/passwd), " +
    "make the server send requests, or expand entities until memory runs out. The Shield reports a factory created in a " +
    "file that sets no parser feature at all, and any feature or property that turns external entities on.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn) @finding (#any-of? @class "DocumentBuilderFactory" "SAXParserFactory" "XMLInputFactory" "TransformerFactory" "SchemaFactory" "XMLReaderFactory") (#match? @fn "^(newInstance|newFactory|newDefaultInstance|createXMLReader)$"))`,
      accept: (match) => !XML_HARDENING.test(match.capture("finding")?.tree.rootNode.text ?? ""),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type) @finding (#any-of? @type "SAXReader" "SAXBuilder"))`,
      accept: (match) => !XML_HARDENING.test(match.capture("finding")?.tree.rootNode.text ?? ""),
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list (_) @setting . (true))) @finding (#any-of? @fn "setFeature" "setProperty") (#match? @setting "external-general-entities|external-parameter-entities|IS_SUPPORTING_EXTERNAL_ENTITIES|SUPPORT_DTD"))`,
    },
    {
      // The parse itself, on a parser this method took from a default factory: where the document comes in.
      languages: JAVA,
      query: `((method_invocation object: (identifier) @parser name: (identifier) @fn) @finding (#eq? @fn "parse"))`,
      accept: (match) => {
        const parser = match.capture("parser");
        if (!parser || XML_HARDENING.test(parser.tree.rootNode.text)) return false;
        return localAssignedValues(parser).some((value) => UNHARDENED_PARSER_SOURCE.test(value.text));
      },
    },
  ],
};

/** The operands of a chain of +, left to right. */
function concatenatedParts(node: Node): Node[] {
  if (node.type !== "binary_expression" || node.childForFieldName("operator")?.text !== "+") return [node];
  const left = node.childForFieldName("left");
  const right = node.childForFieldName("right");
  return [...(left ? concatenatedParts(left) : []), ...(right ? concatenatedParts(right) : [])];
}

/** Encode.forHtml(x), StringEscapeUtils.escapeHtml4(x), HtmlUtils.htmlEscape(x): a value made safe for HTML. */
const HTML_ESCAPER = /(escape|encode|sanitize|forHtml)\w*$/i;

/** Text assembled with + from literals and at least one unescaped value: HTML written with data spliced in. */
function isConcatenatedWithValue(node: Node | undefined): boolean {
  if (node?.type !== "binary_expression" || node.childForFieldName("operator")?.text !== "+") return false;
  const parts = concatenatedParts(node);
  const hasText = parts.some((part) => part.type === "string_literal");
  const unescaped = parts.some(
    (part) =>
      !isConstantExpression(part) &&
      !(part.type === "method_invocation" && HTML_ESCAPER.test(part.childForFieldName("name")?.text ?? "")),
  );
  return hasText && unescaped;
}

const servletResponseXss: RuleDefinition = {
  id: "java.servlet-response-xss",
  cwe: "CWE-79",
  severity: "warn",
  message: "Text concatenated with a value is written into the HTTP response without HTML escaping.",
  fixHint:
    "Escape every value for HTML (OWASP Encoder's Encode.forHtml, or a template engine that escapes by default).",
  explanation:
    "A servlet's writer and sendError's message go to the browser as HTML. A request parameter or an exception message " +
    "spliced into that text can carry <script> and run in the user's session. Writing a value alone (a JSON body, a " +
    "fixed page) is not reported; text built with + around a value is.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (method_invocation name: (identifier) @writer) name: (identifier) @fn arguments: (argument_list . (_) @text .)) @finding
        (#eq? @writer "getWriter") (#any-of? @fn "write" "print" "println" "append" "printf" "format"))`,
      accept: (match) => isConcatenatedWithValue(match.capture("text")),
    },
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @response name: (identifier) @fn arguments: (argument_list (_) . (_) @text .)) @finding
        (#eq? @fn "sendError") (#match? @response "^(resp|response|res|httpResponse|servletResponse)$"))`,
      accept: (match) => isConcatenatedWithValue(match.capture("text")),
    },
  ],
};

export const JAVA_RULES: readonly RuleDefinition[] = [
  weakHash,
  weakCipher,
  commandExec,
  deserialization,
  weakRandom,
  fixedSeed,
  ssrf,
  csrfDisabled,
  tlsVerificationOff,
  sqlFormatting,
  xpathInjection,
  worldReadable,
  webViewFileAccess,
  cookieFlags,
  xxe,
  servletResponseXss,
];
