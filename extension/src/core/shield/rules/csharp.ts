import type { Node } from "web-tree-sitter";
import {
  destinationName,
  firstArgument,
  isConstantExpression,
  isLiteralString,
  localAssignedValues,
  namesIdentifier,
  namesSecurityValue,
  positionalArguments,
  stringValue,
  unwrapArgument,
} from "../syntax";
import type { RuleDefinition, RuleMatch, TextRange } from "../types";
import {
  anyOf,
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
} from "./shared";

const CS = ["csharp"] as const;

const weakHash: RuleDefinition = {
  id: "csharp.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: CS,
      query: `((object_creation_expression type: (_) @type) @finding (#match? @type "(^|[.])(MD5|SHA1|MD4|RIPEMD160)(CryptoServiceProvider|Managed|Cng)$"))`,
    },
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @class name: (identifier) @fn)) @finding (#match? @class "(^|[.])(MD5|SHA1|HMACMD5|HMACSHA1)$") (#eq? @fn "Create"))`,
    },
  ],
};

const weakCipher: RuleDefinition = {
  id: "csharp.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: WEAK_CIPHER_MESSAGE,
  fixHint: WEAK_CIPHER_FIX,
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: [
    {
      languages: CS,
      query: `((object_creation_expression type: (_) @type) @finding (#match? @type "(^|[.])(DES|TripleDES|RC2)(CryptoServiceProvider|Managed)?$"))`,
    },
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @class name: (identifier) @fn)) @finding (#match? @class "(^|[.])(DES|TripleDES|RC2)$") (#eq? @fn "Create"))`,
    },
    {
      languages: CS,
      query: `((member_access_expression expression: (identifier) @enum name: (identifier) @mode) @finding (#eq? @enum "CipherMode") (#eq? @mode "ECB"))`,
    },
  ],
};

function isDynamic(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node);
}

function isStartInfoTarget(node: Node | undefined): boolean {
  return (
    node !== undefined &&
    /StartInfo$|startInfo$|ProcessStartInfo|psi$|[Ii]nfo$/.test(node.childForFieldName("expression")?.text ?? "")
  );
}

const command: RuleDefinition = {
  id: "csharp.command-injection",
  cwe: "CWE-78",
  severity: "warn",
  message: "A process is started with a program or arguments from a non-literal value.",
  fixHint:
    "Start a fixed program; pass arguments through ProcessStartInfo.ArgumentList and validate them against an allow-list.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @class name: (identifier) @fn) arguments: (argument_list) @args) @finding (#match? @class "(^|[.])Process$") (#eq? @fn "Start"))`,
      accept: (match) => isDynamic(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((object_creation_expression type: (_) @type arguments: (argument_list) @args) @finding (#match? @type "(^|[.])ProcessStartInfo$"))`,
      accept: (match) => isDynamic(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((assignment_expression left: (member_access_expression name: (identifier) @field) @target right: (_) @value) @finding (#any-of? @field "FileName" "Arguments"))`,
      accept: (match) => isStartInfoTarget(match.capture("target")) && isDynamic(match.capture("value")),
    },
  ],
};

const DANGEROUS_FORMATTERS =
  /^(BinaryFormatter|SoapFormatter|NetDataContractSerializer|LosFormatter|ObjectStateFormatter)$/;

function receiverIsDangerousFormatter(receiver: Node | undefined): boolean {
  if (!receiver) return false;
  if (receiver.type === "object_creation_expression")
    return DANGEROUS_FORMATTERS.test(receiver.childForFieldName("type")?.text ?? "");
  if (receiver.type === "parenthesized_expression")
    return receiverIsDangerousFormatter(receiver.namedChildren[0] ?? undefined);
  if (receiver.type !== "identifier") return false;
  if (/formatter|^bf$/i.test(receiver.text)) return true;
  return localAssignedValues(receiver).some((value) => receiverIsDangerousFormatter(value));
}

const deserialization: RuleDefinition = {
  id: "csharp.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "block",
  message: "BinaryFormatter-style deserialization (or TypeNameHandling) can run attacker-chosen code.",
  fixHint: "Use System.Text.Json or DataContractSerializer with known types; never TypeNameHandling.All/Auto.",
  explanation:
    "BinaryFormatter, SoapFormatter, NetDataContractSerializer and LosFormatter rebuild any type named in the data; gadget " +
    "chains turn a crafted payload into code execution. Microsoft marks them dangerous for any input.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @receiver name: (identifier) @fn)) @finding (#any-of? @fn "Deserialize" "UnsafeDeserialize" "DeserializeMethodResponse"))`,
      accept: (match) => receiverIsDangerousFormatter(match.capture("receiver")),
    },
    {
      languages: CS,
      query: `((member_access_expression expression: (identifier) @enum name: (identifier) @value) @finding (#eq? @enum "TypeNameHandling") (#any-of? @value "All" "Auto" "Objects" "Arrays"))`,
    },
  ],
};

/** System.Random's own methods; RandomNumberGenerator (the CSPRNG) has GetBytes/GetInt32/Fill instead. */
const SYSTEM_RANDOM_METHODS = ["Next", "NextDouble", "NextBytes", "NextInt64", "NextSingle", "Shuffle", "GetItems"];

/**
 * Names that say "a general-purpose generator" when the file does not declare the receiver (a field of a base class,
 * a fixture, a member of another object). Together with a method only System.Random has, the name is the evidence;
 * the false-alarm risk is a home-made generator with Next() kept in a field called rng or random, which is as
 * predictable in practice. `generator` and single letters are left out: ID and sequence generators have Next() too.
 */
const GENERATOR_NAME = /^(m_?|_)?(rnd|rng|rand|random|randomizer|randomGenerator|prng)$/i;

function isRandomType(type: Node | null | undefined): boolean {
  return /^(global::)?(System\.)?Random$/.test(type?.text ?? "");
}

/** new Random(42): a generator seeded with a constant is asked to repeat itself (a test, a benchmark, a simulation). */
function isReproducibleGenerator(creation: Node | null | undefined): boolean {
  if (creation?.type !== "object_creation_expression" && creation?.type !== "implicit_object_creation_expression")
    return false;
  const seed = firstArgument(
    creation.childForFieldName("arguments") ?? creation.namedChildren.find((c) => c?.type === "argument_list"),
  );
  return seed !== undefined && isConstantExpression(seed);
}

interface CSharpDeclaration {
  readonly type: Node | null;
  readonly value?: Node;
}

/** How a field, property, local or parameter of this name is declared in the file, if it is. */
function csharpDeclaration(name: string, anywhere: Node): CSharpDeclaration | undefined {
  for (const node of anywhere.tree.rootNode.descendantsOfType([
    "variable_declarator",
    "parameter",
    "property_declaration",
  ])) {
    if (!node || node.childForFieldName("name")?.text !== name) continue;
    if (node.type !== "variable_declarator") return { type: node.childForFieldName("type") };
    const value = node.namedChildren[node.namedChildCount - 1];
    return {
      type: node.parent?.type === "variable_declaration" ? node.parent.childForFieldName("type") : null,
      value: value && value !== node.childForFieldName("name") ? value : undefined,
    };
  }
  return undefined;
}

/**
 * A receiver that is a System.Random: created in place, Random.Shared, or a name declared in the file as a Random
 * (or `var x = new Random()`); where the file does not declare it, a generator-like name. A generator seeded with a
 * constant is left out, as in Java: csharp.fixed-seed reports it where the values look like secrets.
 */
function isSystemRandom(receiver: Node | null | undefined): boolean {
  if (!receiver) return false;
  if (receiver.type === "parenthesized_expression") return isSystemRandom(receiver.namedChildren[0]);
  if (receiver.type === "object_creation_expression")
    return isRandomType(receiver.childForFieldName("type")) && !isReproducibleGenerator(receiver);
  let name: string;
  if (receiver.type === "identifier") name = receiver.text;
  else if (receiver.type === "member_access_expression") {
    if (isRandomType(receiver.childForFieldName("expression")))
      return receiver.childForFieldName("name")?.text === "Shared";
    name = receiver.childForFieldName("name")?.text ?? "";
  } else return false;
  const declaration = csharpDeclaration(name, receiver);
  if (!declaration) return GENERATOR_NAME.test(name);
  return declaresRandom(declaration) && !isReproducibleGenerator(declaration.value);
}

function declaresRandom(declaration: CSharpDeclaration): boolean {
  if (declaration.type?.type !== "implicit_type") return isRandomType(declaration.type);
  return (
    declaration.value?.type === "object_creation_expression" &&
    isRandomType(declaration.value.childForFieldName("type"))
  );
}

/** A random number concatenated into text or interpolated: a generated name, code or identifier. */
function madeIntoText(call: Node): boolean {
  let current: Node = call;
  while (current.parent?.type === "parenthesized_expression" || current.parent?.type === "cast_expression")
    current = current.parent;
  const parent = current.parent;
  if (parent?.type === "interpolation") return true;
  return (
    parent?.type === "binary_expression" &&
    parent.childForFieldName("operator")?.text === "+" &&
    parent.namedChildren.some((side) => side !== null && side !== current && isLiteralString(side))
  );
}

/**
 * A receiver named like a generator, not declared in the file as anything but a Random (a constant-seeded one
 * included), whose value becomes a secret: its name, bytes, or text.
 */
function feedsSecret(match: RuleMatch): boolean {
  const node = match.capture("finding");
  const receiver = match.capture("receiver");
  if (!node || !receiver || !/rand|rnd|rng/i.test(receiver.text)) return false;
  const name = receiver.type === "member_access_expression" ? receiver.childForFieldName("name")?.text : receiver.text;
  const declaration = name === undefined ? undefined : csharpDeclaration(name, receiver);
  if (declaration && !declaresRandom(declaration)) return false;
  // Random bytes are key, salt or nonce material whatever they are called.
  if (match.capture("fn")?.text === "NextBytes") return true;
  const destination = destinationName(node);
  return (
    (destination !== undefined && (namesSecurityValue(destination) || namesIdentifier(destination))) ||
    madeIntoText(node)
  );
}

/** UnityEngine.Random's static members; System.Random has no static Range or value, so `Random.Range` is Unity's. */
const UNITY_RANDOM_CALLS = ["Range", "ColorHSV"];
const UNITY_RANDOM_PROPERTIES = [
  "value",
  "insideUnitCircle",
  "insideUnitSphere",
  "onUnitSphere",
  "rotation",
  "rotationUniform",
];
const UNITY_RANDOM = "^(UnityEngine[.])?Random$";

/**
 * Every use of a general-purpose generator, as SCS0005 (Security Code Scan) reports System.Random and as java.weak-random
 * and FindSecBugs' PREDICTABLE_RANDOM report java.util.Random: whether a drawn value ends up in a token, a password, a
 * shuffle that decides who wins or an id that must not be guessed is rarely visible from the line that draws it. A
 * warning, not a block: most uses (games, jitter, sampling) are fine, and the fix is a one-line switch to
 * RandomNumberGenerator where they are not. UnityEngine.Random (xorshift128, seeded from the clock) is as predictable.
 */
const weakRandom: RuleDefinition = {
  id: "csharp.weak-random",
  cwe: "CWE-338",
  severity: "warn",
  message:
    "System.Random (or UnityEngine.Random) is predictable; it must not produce tokens, passwords, keys, salts or ids.",
  fixHint:
    "Use System.Security.Cryptography.RandomNumberGenerator (GetInt32, GetBytes) for anything an attacker must not guess.",
  explanation:
    "System.Random is not a cryptographic generator (Knuth's subtractive generator, seeded from the clock on .NET " +
    "Framework); its state can be recovered from observed outputs. Tokens, passwords, salts, nonces, keys and guessable ids need " +
    "RandomNumberGenerator. Every use is reported, as a warning, because what a drawn value becomes is rarely visible " +
    "where it is drawn; a generator seeded with a constant is meant to repeat itself and is left to csharp.fixed-seed.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @receiver name: (identifier) @fn)) @finding (#any-of? @fn ${anyOf(SYSTEM_RANDOM_METHODS)}))`,
      accept: (match) => isSystemRandom(match.capture("receiver")) || feedsSecret(match),
    },
    {
      // new Random() kept for later: reported where it is made. new Random().Next() is reported once, at the call.
      languages: CS,
      query: `((object_creation_expression type: (_) @type) @finding (#match? @type "Random$"))`,
      accept: (match) => {
        const node = match.capture("finding");
        if (!node || !isRandomType(match.capture("type")) || isReproducibleGenerator(node)) return false;
        let outer: Node = node;
        while (outer.parent?.type === "parenthesized_expression") outer = outer.parent;
        return outer.parent?.type !== "member_access_expression";
      },
    },
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (_) @class name: (identifier) @fn)) @finding (#match? @class "${UNITY_RANDOM}") (#any-of? @fn ${anyOf(UNITY_RANDOM_CALLS)}))`,
    },
    {
      languages: CS,
      query: `((member_access_expression expression: (_) @class name: (identifier) @property) @finding (#match? @class "${UNITY_RANDOM}") (#any-of? @property ${anyOf(UNITY_RANDOM_PROPERTIES)}))`,
    },
  ],
};

function isFormattedSql(node: Node | undefined, depth = 0): boolean {
  if (!node) return false;
  switch (node.type) {
    case "binary_expression":
      return !isConstantExpression(node) && looksLikeSql(node.text);
    case "interpolated_string_expression":
      return (
        node.namedChildren.some((c) => c?.type === "interpolation") && looksLikeSql(node.text.replace(/^\$@?"/, ""))
      );
    case "invocation_expression": {
      const callee = node.childForFieldName("function")?.text ?? "";
      if (/(^|\.)Format$/.test(callee))
        return (
          positionalArguments(node.childForFieldName("arguments"))
            .slice(1)
            .some((value) => !isConstantExpression(unwrapArgument(value))) &&
          looksLikeSql(node.text.slice(callee.length + 1))
        );
      // StringBuilder.ToString(): the text was assembled piece by piece.
      return /\.ToString$/.test(callee) && /builder|sb|sql|query/i.test(callee) && depth === 0;
    }
    case "identifier":
      return depth === 0 && localAssignedValues(node).some((value) => isFormattedSql(value, 1));
    default:
      return false;
  }
}

/** A field, constant or local declared in this file with a literal value: `const string Sql = "SELECT …";`. */
function declaredWithLiteral(name: string, anywhere: Node): boolean {
  return anywhere.tree.rootNode.descendantsOfType("variable_declarator").some((declarator) => {
    if (declarator?.childForFieldName("name")?.text !== name) return false;
    const value = declarator.namedChildren[declarator.namedChildCount - 1];
    return value !== null && value !== undefined && value.type !== "identifier" && isConstantExpression(value);
  });
}

/**
 * SQL text the Shield cannot see to be constant: a local assigned from anything but literals, a field, a parameter,
 * a configuration or file read. Type-qualified names (Queries.Select) and PascalCase names are constants by C#
 * convention and are not reported; text built in plain sight is csharp.sql-formatting's.
 */
function isUnseenSqlText(node: Node | undefined): boolean {
  const value = node && unwrapArgument(node);
  if (!value || isConstantExpression(value) || isFormattedSql(value)) return false;
  switch (value.type) {
    case "identifier": {
      if (/^[A-Z]/.test(value.text)) return false;
      const assigned = localAssignedValues(value);
      if (assigned.length > 0) return assigned.some((source) => !isConstantExpression(source));
      return !declaredWithLiteral(value.text, value);
    }
    case "member_access_expression": {
      const owner = value.childForFieldName("expression");
      const name = value.childForFieldName("name")?.text ?? "";
      if (owner?.type !== "this_expression" && !/^[a-z_]/.test(owner?.text ?? "")) return false;
      return !/^[A-Z][A-Z0-9_]+$/.test(name) && !declaredWithLiteral(name, value);
    }
    case "element_access_expression":
      return true;
    default:
      return false;
  }
}

const sqlUnseenText: RuleDefinition = {
  id: "csharp.sql-unseen-text",
  cwe: "CWE-89",
  severity: "warn",
  message: "The command's SQL text comes from a variable, field or setting the Shield cannot see to be constant.",
  fixHint:
    "Keep SQL text in constants with @placeholders and pass every value through command.Parameters; never splice input into it.",
  explanation:
    "A command whose text arrives in a variable (a parameter, a field, a configuration value, a file) runs whatever SQL " +
    "that value holds. If any caller builds it from input, that is SQL injection, and nothing at the command shows it. " +
    "Text that is a literal, or a local or field assigned only literals, is not reported.",
  patterns: [
    {
      languages: CS,
      query: `((object_creation_expression type: (_) @type arguments: (argument_list) @args) @finding (#match? @type "(Sql|OleDb|Odbc|MySql|Npgsql|SQLite|Sqlite|Oracle)Command$"))`,
      accept: (match) => isUnseenSqlText(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((assignment_expression left: (member_access_expression name: (identifier) @field) right: (_) @value) @finding (#eq? @field "CommandText"))`,
      accept: (match) => isUnseenSqlText(match.capture("value")),
    },
  ],
};

const sqlFormatting: RuleDefinition = {
  id: "csharp.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by concatenation, interpolation or string.Format.",
  fixHint: "Use SqlParameter placeholders (@id) with command.Parameters.AddWithValue, or an ORM query.",
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: CS,
      query: `((object_creation_expression type: (_) @type arguments: (argument_list) @args) @finding (#match? @type "(Sql|OleDb|Odbc|MySql|Npgsql|SQLite|Sqlite|Oracle)Command$"))`,
      accept: (match) => isFormattedSql(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((assignment_expression left: (member_access_expression name: (identifier) @field) right: (_) @value) @finding (#eq? @field "CommandText"))`,
      accept: (match) => isFormattedSql(match.capture("value")),
    },
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression name: (identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "^(ExecuteNonQuery|ExecuteScalar|ExecuteReader|ExecuteSqlCommand|ExecuteSqlRaw|FromSqlRaw|SqlQuery|Query|Execute|QueryFirst|QuerySingle)(Async)?$"))`,
      accept: (match) => {
        const args = match.capture("args");
        return (
          args !== undefined &&
          args.namedChildren.some((argument) => argument !== null && isFormattedSql(unwrapArgument(argument)))
        );
      },
    },
  ],
};

const xpathInjection: RuleDefinition = {
  id: "csharp.xpath-injection",
  cwe: "CWE-643",
  severity: "warn",
  message: "An XPath query is built from a non-literal value.",
  fixHint: "Use XPath variables (XsltArgumentList / custom IXsltContextVariable) or validate the value strictly.",
  explanation: "Values spliced into XPath can change the query, e.g. ' or '1'='1 selects every node.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression name: (identifier) @fn) arguments: (argument_list) @args) @finding (#any-of? @fn "SelectNodes" "SelectSingleNode" "XPathSelectElement" "XPathSelectElements" "XPathEvaluate" "Evaluate" "Compile"))`,
      accept: (match) => {
        const query = firstArgument(match.capture("args"));
        if (!query || isConstantExpression(query)) return false;
        if (query.type === "identifier")
          return (
            /xpath|path|expr|query|name/i.test(query.text) ||
            localAssignedValues(query).some((v) => !isConstantExpression(v))
          );
        if (query.type === "member_access_expression") return false; // constants such as Constants.XPathToFoo
        if (query.type === "invocation_expression")
          return /(^|\.)(Format|Concat)$/.test(query.childForFieldName("function")?.text ?? "");
        return query.type === "interpolated_string_expression" || /[/@[]/.test(query.text);
      },
    },
  ],
};

const xxe: RuleDefinition = {
  id: "csharp.xxe",
  cwe: "CWE-611",
  severity: "block",
  message: "The XML reader is set to process DTDs or resolve external entities.",
  fixHint: "Keep DtdProcessing.Prohibit (or Ignore) and XmlResolver = null.",
  explanation:
    "External entities let a document read local files or make the server send requests; DTDs allow entity bombs.",
  patterns: [
    {
      languages: CS,
      query: `((member_access_expression expression: (identifier) @enum name: (identifier) @value) @finding (#eq? @enum "DtdProcessing") (#eq? @value "Parse"))`,
    },
    {
      languages: CS,
      query: `((assignment_expression left: (_) @field right: (boolean_literal) @value) @finding (#match? @field "ProhibitDtd$") (#eq? @value "false"))`,
    },
    {
      languages: CS,
      query: `((assignment_expression left: (_) @field right: (object_creation_expression type: (_) @type)) @finding (#match? @field "XmlResolver$") (#match? @type "XmlUrlResolver$"))`,
    },
  ],
};

/**
 * `settings` was created as XmlReaderSettings in this method, turned to schema or DTD validation, and its resolver
 * was never set to null: schemas are then compiled, and referenced schemas fetched, through an XmlUrlResolver.
 */
function isValidatingWithResolver(settings: Node | undefined): boolean {
  if (settings?.type !== "identifier") return false;
  const created = localAssignedValues(settings).find(
    (value) =>
      value.type === "object_creation_expression" &&
      /(^|\.)XmlReaderSettings$/.test(value.childForFieldName("type")?.text ?? ""),
  );
  if (!created) return false;
  const name = settings.text;
  const method = enclosingMethod(settings).text;
  const validates =
    /ValidationType\s*=\s*ValidationType\s*\.\s*(Schema|DTD)\b/.test(created.text) ||
    new RegExp(`\\b${name}\\s*\\.\\s*ValidationType\\s*=\\s*ValidationType\\s*\\.\\s*(Schema|DTD)\\b`).test(method);
  const resolverOff =
    /XmlResolver\s*=\s*null\b/.test(created.text) ||
    new RegExp(`\\b${name}\\s*\\.\\s*XmlResolver\\s*=\\s*null\\b`).test(method);
  return validates && !resolverOff;
}

const xmlSchemaResolver: RuleDefinition = {
  id: "csharp.xml-validation-resolver",
  cwe: "CWE-611",
  severity: "warn",
  message: "An XmlReader validates against schemas (or a DTD) with the default XmlResolver still set.",
  fixHint:
    "Set settings.XmlResolver = null (or an XmlSecureResolver limited to your schema folder) before adding schemas and creating the reader.",
  explanation:
    "Schemas added to XmlReaderSettings.Schemas are compiled through the settings' XmlResolver, which on .NET Framework " +
    "is an XmlUrlResolver: every xs:include, xs:import and, with ProcessSchemaLocation, every xsi:schemaLocation in the " +
    "document is fetched from disk or the network, and DTD validation parses the document's DTD. A document or schema " +
    "from outside then reads local files or makes the server send requests.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (identifier) @class name: (identifier) @fn) arguments: (argument_list (_) (argument) @settings .)) @finding (#eq? @class "XmlReader") (#eq? @fn "Create"))`,
      accept: (match) => {
        const settings = match.capture("settings");
        return settings !== undefined && isValidatingWithResolver(unwrapArgument(settings));
      },
    },
    {
      // settings.Schemas.Add(XmlSchema.Read(reader, null)): the schema that the resolver will chase.
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (member_access_expression expression: (identifier) @settings name: (identifier) @schemas) name: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @schemas "Schemas") (#eq? @fn "Add"))`,
      accept: (match) =>
        positionalArguments(match.capture("args")).some(
          (argument) => !isConstantExpression(unwrapArgument(argument)),
        ) && isValidatingWithResolver(match.capture("settings")),
    },
  ],
};

const ACTION_VERBS = ["HttpPost", "HttpPut", "HttpDelete", "HttpPatch"];

function attributeNames(node: Node | null): string[] {
  if (!node) return [];
  return node.namedChildren
    .filter((child): child is Node => child?.type === "attribute_list")
    .flatMap((list) =>
      list.namedChildren
        .filter((a): a is Node => a?.type === "attribute")
        .map((a) => a.childForFieldName("name")?.text ?? ""),
    );
}

const ANTIFORGERY = /ValidateAntiForgeryToken|AutoValidateAntiforgeryToken|ValidateAntiForgery|AllowAnonymous/i;
const TOKEN_AUTHENTICATED_CONTROLLER =
  /AutoValidateAntiforgeryToken|\[ApiController\]|:\s*(\w+\.)*(ApiController|ODataController|ControllerBase)\b/;

function enclosingDeclaration(attribute: Node): Node | null {
  let method: Node | null = attribute.parent;
  while (method && method.type !== "method_declaration" && method.type !== "local_function_statement")
    method = method.parent;
  return method;
}

/**
 * An attribute's finding covers the action's attribute block from its first attribute, where the declaration
 * begins: the verdict is about the action, and its attributes are read together.
 */
function fromFirstAttribute(attribute: Node): TextRange {
  let first = attribute.parent?.type === "attribute_list" ? attribute.parent : attribute;
  for (let before = first.previousNamedSibling; before; before = before.previousNamedSibling) {
    if (before.type === "attribute_list") first = before;
    else if (before.type !== "comment") break;
  }
  return { startIndex: first.startIndex, endIndex: attribute.endIndex };
}

function isUnprotectedAction(match: RuleMatch): boolean | TextRange {
  const attribute = match.capture("finding");
  if (!attribute) return false;
  const method = enclosingDeclaration(attribute);
  let owner: Node | null = method?.parent ?? null;
  while (owner && owner.type !== "class_declaration") owner = owner.parent;
  // Web API controllers authenticate with tokens, not cookies, and global filters cover whole classes.
  const classText = owner ? owner.text.slice(0, 400) + attributeNames(owner).join(" ") : attribute.tree.rootNode.text;
  if (TOKEN_AUTHENTICATED_CONTROLLER.test(classText)) return false;
  if (method) return !attributeNames(method).some((name) => ANTIFORGERY.test(name)) && fromFirstAttribute(attribute);
  // A fragment that did not parse as a method: read the attributes up to the signature that follows.
  const following = attribute.tree.rootNode.text.slice(attribute.endIndex, attribute.endIndex + 400);
  const signature = following.search(/\b(public|private|protected|internal)\b/);
  return !ANTIFORGERY.test(signature < 0 ? following : following.slice(0, signature)) && fromFirstAttribute(attribute);
}

const csrf: RuleDefinition = {
  id: "csharp.csrf-missing",
  cwe: "CWE-352",
  severity: "warn",
  message: "A state-changing MVC action has no anti-forgery token check.",
  fixHint: "Add [ValidateAntiForgeryToken] to the action (or [AutoValidateAntiforgeryToken] to the controller).",
  explanation:
    "A POST action that trusts the session cookie alone can be triggered by any page the user visits. The anti-forgery " +
    "token proves the form came from this site.",
  patterns: [
    {
      languages: CS,
      query: `((attribute name: (identifier) @verb) @finding (#any-of? @verb ${anyOf(ACTION_VERBS)}))`,
      accept: isUnprotectedAction,
    },
    { languages: CS, query: `((attribute name: (identifier) @name) @finding (#eq? @name "IgnoreAntiforgeryToken"))` },
  ],
};

const inputValidationOff: RuleDefinition = {
  id: "csharp.request-validation-off",
  cwe: "CWE-554",
  severity: "warn",
  message: "ASP.NET request validation is turned off for this action.",
  fixHint: "Remove [ValidateInput(false)]; allow HTML only on specific fields with [AllowHtml] and sanitise it.",
  explanation: "Request validation blocks markup in input; turning it off for a whole action makes stored XSS likely.",
  patterns: [
    {
      languages: CS,
      query: `((attribute name: (identifier) @name (attribute_argument_list (attribute_argument (boolean_literal) @value))) @finding (#eq? @name "ValidateInput") (#eq? @value "false"))`,
      accept: (match) => {
        const attribute = match.capture("finding");
        return attribute !== undefined && fromFirstAttribute(attribute);
      },
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "csharp.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "Server certificate validation is replaced by a callback that accepts everything.",
  fixHint: "Remove the callback; trust private CAs through the OS store or a custom chain policy that still validates.",
  explanation: "Accepting every certificate lets anyone on the network path impersonate the server.",
  patterns: [
    {
      languages: CS,
      query: `((assignment_expression left: (_) @field right: (_) @value) @finding (#match? @field "(ServerCertificateValidationCallback|ServerCertificateCustomValidationCallback|RemoteCertificateValidationCallback)$"))`,
      accept: (match) => {
        const value = match.capture("value");
        if (!value) return false;
        if (
          /=>\s*true\s*;?$|return\s+true\s*;\s*}$|DangerousAcceptAnyServerCertificateValidator/.test(value.text.trim())
        )
          return true;
        // A method group (AcceptAll, or new RemoteCertificateValidationCallback(AcceptAll)) whose body only says yes.
        const method = /^(?:new\s+\w+\s*\(\s*)?(\w+)\s*\)?$/.exec(value.text.trim())?.[1];
        return (
          method !== undefined &&
          value.tree.rootNode
            .descendantsOfType("method_declaration")
            .some(
              (declaration) =>
                declaration?.childForFieldName("name")?.text === method &&
                /^(\{\s*return\s+true\s*;\s*\}|=>\s*true\s*;?)$/.test(
                  declaration.childForFieldName("body")?.text.trim() ?? declaration.text.replace(/^[^=]*/, ""),
                ),
            )
        );
      },
    },
  ],
};

const cookieFlags: RuleDefinition = {
  id: "csharp.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "A cookie's Secure or HttpOnly flag is turned off.",
  fixHint: "Set Secure = true and HttpOnly = true on session cookies.",
  explanation: "Without Secure the cookie is sent over plain HTTP; without HttpOnly any injected script can read it.",
  patterns: [
    {
      languages: CS,
      query: `((assignment_expression left: (_) @field right: (boolean_literal) @value) @finding (#match? @field "(^|[.])(Secure|HttpOnly|RequireSSL)$") (#eq? @value "false"))`,
    },
    {
      // new CookieOptions { Expires = ... } passed to Response.Cookies.Append: both flags default to false.
      languages: CS,
      query: `((object_creation_expression type: (identifier) @type) @finding (#eq? @type "CookieOptions"))`,
      accept: (match) => {
        const node = match.capture("finding");
        if (!node) return false;
        const initializer = node.childForFieldName("initializer")?.text ?? "";
        let statement: Node = node;
        while (statement.parent && statement.type !== "block") statement = statement.parent;
        const flags = statement.text;
        return (
          !(/\bSecure\s*=/.test(flags) && /\bHttpOnly\s*=/.test(flags)) &&
          !/\bSecure\s*=\s*false|HttpOnly\s*=\s*false/.test(initializer)
        );
      },
    },
  ],
};

function literalText(node: Node | undefined): string | undefined {
  return node && isLiteralString(node) ? stringValue(node) : undefined;
}

const weakCipherByName: RuleDefinition = {
  id: "csharp.weak-algorithm-name",
  cwe: "CWE-327",
  severity: "warn",
  message: "A weak algorithm is requested by name.",
  fixHint: 'Request "SHA256"/"AES" and an AEAD mode instead.',
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression name: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @fn "Create"))`,
      accept: (match) => {
        const name = literalText(firstArgument(match.capture("args")));
        return (
          name !== undefined &&
          (isWeakCipherName(name) || /^(MD5|SHA1|System\.Security\.Cryptography\.(MD5|SHA1))$/i.test(name))
        );
      },
    },
  ],
};

/** `doc` below was created as an XmlDocument in this method, and nothing here turns its resolver off. */
function loadsWithDefaultResolver(match: RuleMatch): boolean {
  const receiver = match.capture("doc");
  if (!receiver) return false;
  if (
    !localAssignedValues(receiver).some(
      (value) =>
        value.type === "object_creation_expression" &&
        /(^|\.)XmlDocument$/.test(value.childForFieldName("type")?.text ?? ""),
    )
  )
    return false;
  let scope: Node | null = receiver.parent;
  while (
    scope &&
    ![
      "method_declaration",
      "constructor_declaration",
      "local_function_statement",
      "lambda_expression",
      "compilation_unit",
    ].includes(scope.type)
  )
    scope = scope.parent;
  // A fragment with no method around it (its top level an ERROR) is read as a whole.
  const text = (scope ?? receiver.tree.rootNode).text;
  return !new RegExp(`\\b${receiver.text}\\s*\\.\\s*XmlResolver\\s*=|XmlResolver\\s*=\\s*null`).test(text);
}

const xmlDocumentResolver: RuleDefinition = {
  id: "csharp.xml-document-resolver",
  cwe: "CWE-611",
  severity: "warn",
  message: "XmlDocument.Load runs with the default XmlResolver, which resolves external entities before .NET 4.5.2.",
  fixHint: "Set doc.XmlResolver = null before Load, or load through XmlReader.Create with DtdProcessing.Prohibit.",
  explanation:
    "Before .NET Framework 4.5.2 an XmlDocument resolves DTDs and external entities by default, so a document can read " +
    "local files or make the server fetch URLs. Setting XmlResolver to null on the document turns that off on every framework.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (identifier) @doc name: (identifier) @fn)) @finding (#any-of? @fn "Load" "LoadXml"))`,
      accept: loadsWithDefaultResolver,
    },
  ],
};

/** NIST SP 800-63B asks for at least 8 characters when the password is the only factor. */
const MINIMUM_PASSWORD_LENGTH = 8;

function isShortLength(node: Node | undefined): boolean {
  return node?.type === "integer_literal" && Number(node.text) < MINIMUM_PASSWORD_LENGTH;
}

const weakPasswordPolicy: RuleDefinition = {
  id: "csharp.weak-password-policy",
  cwe: "CWE-521",
  severity: "warn",
  message: `ASP.NET Identity accepts passwords shorter than ${MINIMUM_PASSWORD_LENGTH} characters.`,
  fixHint: `Set RequiredLength to ${MINIMUM_PASSWORD_LENGTH} or more (12+ without other rules) and check new passwords against a breached-password list.`,
  explanation:
    "Short passwords fall to online guessing and to offline cracking of a leaked hash within hours. Length is what makes " +
    "a password strong; NIST SP 800-63B sets 8 characters as the floor.",
  patterns: [
    {
      // new PasswordValidator { RequiredLength = 6, ... }: the policy object as a whole is what is too weak.
      languages: CS,
      query: `((object_creation_expression type: (_) @type initializer: (initializer_expression (assignment_expression left: (identifier) @setting right: (integer_literal) @length))) @finding
        (#match? @type "Password(Validator|Options)$") (#eq? @setting "RequiredLength"))`,
      accept: (match) => isShortLength(match.capture("length")),
    },
    {
      // options.Password.RequiredLength = 6;
      languages: CS,
      query: `((assignment_expression left: (member_access_expression expression: (_) @owner name: (identifier) @setting) right: (integer_literal) @length) @finding (#eq? @setting "RequiredLength") (#match? @owner "Password$"))`,
      accept: (match) => isShortLength(match.capture("length")),
    },
  ],
};

/** The method (or local function, or top-level program) around a node. */
function enclosingMethod(node: Node): Node {
  let current: Node = node;
  while (
    current.parent &&
    !["method_declaration", "constructor_declaration", "local_function_statement"].includes(current.type)
  )
    current = current.parent;
  return current;
}

/** A parameter of the enclosing action method: MVC binds it from the query string, form or route. */
function isActionParameter(identifier: Node): boolean {
  const parameters = enclosingMethod(identifier).childForFieldName("parameters");
  return (
    parameters?.namedChildren.some(
      (parameter) => parameter?.type === "parameter" && parameter.childForFieldName("name")?.text === identifier.text,
    ) ?? false
  );
}

/** Request values: Request.Query/Form/Headers/Cookies/QueryString, or action parameters, directly or via locals. */
function isRequestInput(node: Node | undefined, depth = 0): boolean {
  if (!node || isConstantExpression(node)) return false;
  if (/\bRequest\s*(\.\s*(Query|QueryString|Form|Headers|Cookies|Params|RouteValues)\b|\[)/.test(node.text))
    return true;
  const names = node.type === "identifier" ? [node] : node.descendantsOfType("identifier");
  return names.some(
    (name) =>
      name !== null &&
      (isActionParameter(name) ||
        (depth < 2 && localAssignedValues(name).some((value) => isRequestInput(value, depth + 1)))),
  );
}

const unescapedOutput: RuleDefinition = {
  id: "csharp.unescaped-output",
  cwe: "CWE-79",
  severity: "warn",
  message: "A value is written into the page as raw HTML (Html.Raw, HtmlString, MvcHtmlString.Create).",
  fixHint: "Let Razor encode the value (@value); if HTML is required, sanitize it with an allow-list sanitizer first.",
  explanation:
    "Razor encodes every value it writes, except those wrapped as raw HTML. A value that carries user input can then " +
    "inject <script> into the page. Literal markup is not reported.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (identifier) @helper name: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @helper "Html") (#eq? @fn "Raw"))`,
      accept: (match) => isRawValue(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression expression: (identifier) @helper name: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @helper "MvcHtmlString") (#eq? @fn "Create"))`,
      accept: (match) => isRawValue(firstArgument(match.capture("args"))),
    },
    {
      languages: CS,
      query: `((object_creation_expression type: (identifier) @type arguments: (argument_list) @args) @finding (#eq? @type "HtmlString"))`,
      accept: (match) => isRawValue(firstArgument(match.capture("args"))),
    },
  ],
};

/** Not a literal, and not passed through an encoder or sanitizer on the way. */
function isRawValue(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node) && !/(Encode|Sanitiz|Escape)\w*\s*\(/i.test(node.text);
}

const openRedirect: RuleDefinition = {
  id: "csharp.open-redirect",
  cwe: "CWE-601",
  severity: "warn",
  message: "The action redirects to a URL taken from the request without checking that it is local.",
  fixHint: "Use LocalRedirect(url), or check Url.IsLocalUrl(url) before Redirect(url).",
  explanation:
    "A returnUrl that points to another site turns the login page into a phishing tool: the user signs in and lands on " +
    "the attacker's page. Action parameters and Request.Query/Form values are treated as request input.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: [(identifier) @fn (member_access_expression name: (identifier) @fn)] arguments: (argument_list) @args) @finding (#any-of? @fn "Redirect" "RedirectPermanent" "RedirectPreserveMethod" "RedirectPermanentPreserveMethod"))`,
      accept: (match) => {
        const url = firstArgument(match.capture("args"));
        const node = match.capture("finding");
        // Url.Action, Url.RouteUrl and Url.Content build URLs of this site.
        if (!url || !node || /^Url\s*\./.test(url.text) || !isRequestInput(url)) return false;
        return !/IsLocalUrl\s*\(/.test(enclosingMethod(node).text);
      },
    },
  ],
};

const cors: RuleDefinition = {
  id: "csharp.cors-any-origin-with-credentials",
  cwe: "CWE-942",
  severity: "warn",
  message: "CORS allows any origin and also allows credentials.",
  fixHint: "Name the allowed origins with WithOrigins(...); never combine any-origin with AllowCredentials().",
  explanation:
    "With credentials allowed, a page on any site can call this API with the user's cookies and read the answers. " +
    "SetIsOriginAllowed(_ => true) is any-origin in disguise.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression name: (identifier) @fn)) @finding (#eq? @fn "AllowCredentials"))`,
      accept: (match) => {
        const node = match.capture("finding");
        if (!node) return false;
        // The policy builder chain, or the lambda that configures it.
        let statement: Node = node;
        while (statement.parent && !/statement$|lambda_expression/.test(statement.type)) statement = statement.parent;
        return /AllowAnyOrigin\s*\(|SetIsOriginAllowed\s*\(\s*\w+\s*=>\s*true\s*\)|WithOrigins\s*\(\s*"\*"/.test(
          statement.text,
        );
      },
    },
    {
      languages: CS,
      query: `((attribute name: (identifier) @name (attribute_argument_list) @args) @finding (#eq? @name "EnableCors"))`,
      accept: (match) => {
        const text = match.capture("args")?.text ?? "";
        return /^\(\s*(origins\s*:\s*)?"\*"/.test(text) && /SupportsCredentials\s*=\s*true/.test(text);
      },
    },
  ],
};

const developerExceptionPage: RuleDefinition = {
  id: "csharp.debug-enabled",
  cwe: "CWE-489",
  severity: "warn",
  message: "The developer exception page is enabled outside an IsDevelopment() check.",
  fixHint: "Wrap UseDeveloperExceptionPage in if (env.IsDevelopment()) and use UseExceptionHandler elsewhere.",
  explanation:
    "The developer exception page shows stack traces, source lines, headers and cookies to whoever triggers an error.",
  patterns: [
    {
      languages: CS,
      query: `((invocation_expression function: (member_access_expression name: (identifier) @fn)) @finding (#any-of? @fn "UseDeveloperExceptionPage" "UseDatabaseErrorPage"))`,
      accept: (match) => {
        for (let current = match.capture("finding")?.parent; current; current = current.parent)
          if (
            current.type === "if_statement" &&
            /IsDevelopment|IsEnvironment/.test(current.childForFieldName("condition")?.text ?? "")
          )
            return false;
        return true;
      },
    },
  ],
};

const fixedSeed: RuleDefinition = {
  id: "csharp.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "System.Random is seeded with a constant, and its output is used for a secret-like value.",
  fixHint: "Use RandomNumberGenerator (System.Security.Cryptography) for tokens, keys, salts and passwords.",
  explanation:
    "A constant seed makes every value the generator returns known to anyone who reads the code. Seeds for tests and " +
    "simulations are fine, so the Shield reports the seed only where the generator's output is stored under a name such " +
    "as token, key, password, salt or nonce.",
  patterns: [
    {
      languages: CS,
      query: `((object_creation_expression type: (identifier) @type arguments: (argument_list . (argument (integer_literal)) .)) @finding (#eq? @type "Random"))`,
      accept: (match) => {
        const node = match.capture("finding");
        const name = node ? destinationName(node) : undefined;
        if (!node || name === undefined) return false;
        if (namesSecurityValue(name)) return true;
        let scope: Node = node;
        while (scope.parent && scope.type !== "declaration_list") scope = scope.parent;
        return scope.descendantsOfType("invocation_expression").some((call) => {
          const callee = call?.childForFieldName("function");
          if (!call || callee?.type !== "member_access_expression") return false;
          if (callee.childForFieldName("expression")?.text !== name) return false;
          const destination = destinationName(call);
          return destination !== undefined && namesSecurityValue(destination);
        });
      },
    },
  ],
};

export const CSHARP_RULES: readonly RuleDefinition[] = [
  unescapedOutput,
  openRedirect,
  cors,
  developerExceptionPage,
  fixedSeed,
  xmlDocumentResolver,
  xmlSchemaResolver,
  weakHash,
  weakCipher,
  command,
  deserialization,
  weakRandom,
  sqlFormatting,
  sqlUnseenText,
  xpathInjection,
  xxe,
  csrf,
  inputValidationOff,
  tlsVerificationOff,
  cookieFlags,
  weakCipherByName,
  weakPasswordPolicy,
];
