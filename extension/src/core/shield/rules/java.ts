import type { Node } from "web-tree-sitter";
import { isJavaClass } from "../imports";
import {
  destinationName,
  enclosingFunctionNames,
  firstArgument,
  positionalArguments,
  isConstantExpression,
  isLiteralString,
  localAssignedValues,
  namesSecurityValue,
  stringValue,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
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
      accept: (match) => {
        const node = match.capture("finding");
        if (!node) return false;
        // `try (ObjectInputStream in =\n new ObjectInputStream(...))`: the finding starts with the declaration.
        const holder = node.parent;
        const declares = holder?.type === "variable_declarator" || holder?.type === "resource";
        return declares && holder.startPosition.row < node.startPosition.row
          ? {
              startIndex:
                holder.parent?.type === "local_variable_declaration" ? holder.parent.startIndex : holder.startIndex,
              endIndex: node.endIndex,
            }
          : true;
      },
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn) @finding (#any-of? @fn "fromXML" "enableDefaultTyping"))`,
    },
  ],
};

const GENERATOR_METHODS = "^next(Int|Long|Double|Float|Boolean|Bytes|Gaussian|Exponential)$|^(ints|longs|doubles)$";
const RANDOM_CLASSES = ["java.util.Random", "java.util.concurrent.ThreadLocalRandom", "java.util.SplittableRandom"];

interface JavaDeclaration {
  readonly type: Node;
  /** The initial value, for a local variable or field declared with one. */
  readonly value?: Node;
}

/** How a local variable, parameter or field of this name is declared in the file, if it is. */
function javaDeclaration(receiver: Node): JavaDeclaration | undefined {
  const name = receiver.type === "field_access" ? receiver.childForFieldName("field")?.text : receiver.text;
  if (!name) return undefined;
  let root: Node = receiver;
  while (root.parent) root = root.parent;
  for (const declaration of root.descendantsOfType([
    "local_variable_declaration",
    "field_declaration",
    "formal_parameter",
  ])) {
    const type = declaration?.childForFieldName("type");
    if (!declaration || !type) continue;
    if (declaration.type === "formal_parameter") {
      if (declaration.childForFieldName("name")?.text === name) return { type };
      continue;
    }
    const declarator = declaration
      .childrenForFieldName("declarator")
      .find((d) => d?.childForFieldName("name")?.text === name);
    if (declarator) return { type, value: declarator.childForFieldName("value") ?? undefined };
  }
  return undefined;
}

/** new Random(3049912): a generator seeded with a constant is asked to repeat itself (a simulation, a test). */
function isReproducibleGenerator(node: Node | undefined): boolean {
  const seed = firstArgument(node?.childForFieldName("arguments"));
  return node?.type === "object_creation_expression" && seed !== undefined && isConstantExpression(seed);
}

/**
 * A receiver that is a java.util.Random (or ThreadLocalRandom/SplittableRandom): created in place, declared with that
 * type in the file, or, where the file does not declare it (a field of a base class, a test fixture), named like
 * one (random, rnd, rng, rand). Scanner.nextInt and SecureRandom.nextBytes have the same method names. A generator
 * created with a constant seed is left out: it is meant to repeat its sequence.
 */
function isPredictableGenerator(receiver: Node | null, language: RuleMatch["language"]): boolean {
  if (!receiver) return false;
  if (receiver.type === "object_creation_expression") {
    const type = receiver.childForFieldName("type");
    return type !== null && isJavaClass(type, language, RANDOM_CLASSES) && !isReproducibleGenerator(receiver);
  }
  if (receiver.type === "method_invocation")
    return /^ThreadLocalRandom\.current$/.test(
      `${receiver.childForFieldName("object")?.text ?? ""}.${receiver.childForFieldName("name")?.text ?? ""}`,
    );
  if (receiver.type !== "identifier" && receiver.type !== "field_access") return false;
  const declaration = javaDeclaration(receiver);
  if (declaration)
    return (
      declaration.type.type === "type_identifier" &&
      isJavaClass(declaration.type, language, RANDOM_CLASSES) &&
      !isReproducibleGenerator(declaration.value)
    );
  const name = receiver.type === "field_access" ? (receiver.childForFieldName("field")?.text ?? "") : receiver.text;
  return /^(m_?|_)?(r|rnd|rng|rand|random|randomizer|randomGenerator|generator)$/i.test(name);
}

/**
 * Every use of a general-purpose generator, not only those stored under a secret-like name: whether a value ends up
 * in a token, a shuffle that decides who wins, or an id that must not be guessed is rarely visible from the line that
 * draws it. A warning, as FindSecBugs' PREDICTABLE_RANDOM and bandit's B311 report it; tests and simulations that
 * want a reproducible generator can disable the rule locally.
 */
const weakRandom: RuleDefinition = {
  id: "java.weak-random",
  cwe: "CWE-330",
  severity: "warn",
  message: "java.util.Random is predictable; it must not produce tokens, passwords, keys, salts or ids.",
  fixHint: "Use java.security.SecureRandom for anything an attacker must not guess.",
  explanation:
    "java.util.Random is a 48-bit linear congruential generator: two outputs reveal its state and every later value. " +
    "Tokens, passwords, salts, nonces, keys and guessable ids need SecureRandom. Every use is reported, as a warning, " +
    "because what a drawn value becomes is rarely visible where it is drawn.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (_) @receiver name: (identifier) @fn) @finding (#match? @fn "${GENERATOR_METHODS}"))`,
      accept: (match) => isPredictableGenerator(match.capture("receiver") ?? null, match.language),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list)) @finding (#any-of? @type "Random" "SplittableRandom"))`,
      accept: (match) => {
        const type = match.capture("type");
        const node = match.capture("finding");
        // new Random().nextInt() is reported once, at the call; a constant seed asks for a reproducible sequence
        // (java.fixed-seed reports it where the values look like secrets).
        if (!type || !node || node.parent?.type === "method_invocation" || isReproducibleGenerator(node)) return false;
        return isJavaClass(type, match.language, RANDOM_CLASSES);
      },
    },
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn) @finding (#eq? @class "Math") (#eq? @fn "random"))`,
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
      accept: (match) => {
        // SecureRandom.setSeed adds to its entropy; only its own constant seed is reported. Random.setSeed is
        // reported where the generator's output becomes a secret-like value, as for new Random(42).
        const receiver = match.capture("finding")?.childForFieldName("object");
        if (!receiver || /secure/i.test(receiver.text)) return true;
        return receiver.type === "identifier" && generatorFeedsSecret(receiver);
      },
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . [(decimal_integer_literal) (hex_integer_literal)] .)) @finding (#eq? @type "Random"))`,
      accept: (match) => {
        const type = match.capture("type");
        const node = match.capture("finding");
        if (!type || !node || !isJavaClass(type, match.language, ["java.util.Random"])) return false;
        const name = destinationName(node);
        return name !== undefined && (namesSecurityValue(name) || generatorFeedsSecret(node, name));
      },
    },
  ],
};

/** Whether `generator.nextX()` in the same class or function stores its result under a secret-like name. */
function generatorFeedsSecret(node: Node, name = node.text): boolean {
  let scope: Node = node;
  while (scope.parent && scope.type !== "class_body") scope = scope.parent;
  return scope.descendantsOfType("method_invocation").some((call) => {
    if (call?.childForFieldName("object")?.text !== name) return false;
    if (!/^next/.test(call.childForFieldName("name")?.text ?? "")) return false;
    const destination = destinationName(call);
    return (
      (destination !== undefined && namesSecurityValue(destination)) ||
      enclosingFunctionNames(call).some(namesSecurityValue)
    );
  });
}

/**
 * new InetSocketAddress(port) is the wildcard address: a server bound to it listens on every interface, including
 * public ones, where the service was usually meant for localhost or one internal network.
 */
const bindAllInterfaces: RuleDefinition = {
  id: "java.bind-all-interfaces",
  cwe: "CWE-1327",
  severity: "warn",
  message: "A socket address without a host binds to every network interface (0.0.0.0).",
  fixHint: "Name the interface: new InetSocketAddress(InetAddress.getLoopbackAddress(), port) or a configured host.",
  explanation:
    "An address made from a port alone is the wildcard address. A server bound to it is reachable from every network the " +
    "machine is on, which exposes admin, debug and internal services that were meant for localhost or one subnet.",
  patterns: [
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . (_) .)) @finding (#eq? @type "InetSocketAddress"))`,
      accept: (match) => {
        const type = match.capture("type");
        return type !== undefined && isJavaClass(type, match.language, ["java.net.InetSocketAddress"]);
      },
    },
  ],
};

/** The program a constant command line starts: the first word of a string, or the first element of a String[]. */
function constantProgram(command: Node | undefined): string | undefined {
  if (!command) return undefined;
  if (isLiteralString(command)) return stringValue(command).trim().split(/\s+/)[0];
  if (command.type === "array_creation_expression") {
    const first = command.childForFieldName("value")?.namedChildren[0];
    return first && isLiteralString(first) ? stringValue(first) : undefined;
  }
  return undefined;
}

/**
 * Runtime.exec("su") or exec(new String[] {"ipconfig", "/all"}): the program is found through PATH, so whoever can
 * put a directory or a file early on PATH (an app's own writable dirs on Android, a user's ~/bin) chooses what runs.
 * Commands built from variables are java.command-injection's.
 */
const relativeCommand: RuleDefinition = {
  id: "java.command-search-path",
  cwe: "CWE-426",
  severity: "warn",
  message: "A command is started by a bare program name, which is looked up on PATH.",
  fixHint: "Start the program by its absolute path (/system/bin/pm, /usr/bin/git), or fix PATH in the ProcessBuilder.",
  explanation:
    "A program named without a directory is searched for in every PATH entry in turn. A writable directory early on " +
    "PATH, or a PATH inherited from an untrusted parent, lets someone else's file run with this program's rights.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (_) @runtime name: (identifier) @fn arguments: (argument_list) @args) @finding (#eq? @fn "exec") (#match? @runtime "[Rr]untime"))`,
      accept: (match) => {
        const program = constantProgram(firstArgument(match.capture("args")));
        return program !== undefined && program !== "" && !/[/\\]/.test(program);
      },
    },
  ],
};

const OBSOLETE_CHARACTER_METHODS = ["isJavaLetter", "isJavaLetterOrDigit", "isSpace"];
const OBSOLETE_THREAD_METHODS = ["stop", "suspend", "resume"];

/**
 * Deprecated JDK methods that are unsafe rather than merely old: Thread.stop releases every monitor mid-update and
 * leaves objects half-changed; suspend/resume deadlock on a lock the suspended thread holds; Character.isJavaLetter
 * and isSpace disagree with the Java and Unicode definitions that validation code assumes.
 */
const obsoleteApi: RuleDefinition = {
  id: "java.obsolete-api",
  cwe: "CWE-477",
  severity: "warn",
  message: "A deprecated JDK method with known unsafe behaviour is called.",
  fixHint:
    "Stop threads by interruption or a volatile flag; use Character.isJavaIdentifierStart/Part or Character.isWhitespace.",
  explanation:
    "Thread.stop unlocks every monitor the thread holds at an arbitrary point, so other threads see half-updated objects; " +
    "suspend and resume deadlock when the suspended thread holds a lock. Character.isJavaLetter and isSpace predate " +
    "Unicode and classify characters differently from the Java language and from isWhitespace.",
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn) @finding (#eq? @class "Character") (#any-of? @fn ${anyOf(OBSOLETE_CHARACTER_METHODS)}))`,
    },
    {
      languages: JAVA,
      query: `((method_invocation object: (_) @receiver name: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn ${anyOf(OBSOLETE_THREAD_METHODS)}))`,
      accept: (match) => {
        const receiver = match.capture("receiver");
        if (match.capture("args")?.namedChildCount !== 0) return false;
        if (!receiver || (receiver.type !== "identifier" && receiver.type !== "field_access")) return false;
        const declaration = javaDeclaration(receiver);
        if (declaration) return declaration.type.text === "Thread";
        const name =
          receiver.type === "field_access" ? (receiver.childForFieldName("field")?.text ?? "") : receiver.text;
        return /thread$/i.test(name);
      },
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
      accept: (match) => {
        const type = match.capture("type");
        return (
          type !== undefined &&
          isJavaClass(type, match.language, ["java.net.URL"]) &&
          isDynamicValue(firstArgument(match.capture("args")))
        );
      },
    },
    {
      // A socket to a host named by a variable: the same choice of destination, one layer down.
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . (_) @host . (_) @port .)) @finding (#eq? @type "InetSocketAddress"))`,
      accept: (match) => {
        const host = match.capture("host");
        // Bind, multicast and loopback addresses (port 0, localAddress, group, getInetAddress()) are not a destination.
        return (
          host !== undefined &&
          isDynamicValue(host) &&
          match.capture("port")?.text !== "0" &&
          !/local|loopback|any|bind|wildcard|group|multicast|getInetAddress/i.test(host.text)
        );
      },
    },
    {
      // Spring's RestTemplate/WebClient, java.net.http and Apache HttpClient with a URL built from request input.
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (_) @url)) @finding (#any-of? @fn "getForObject" "getForEntity" "postForObject" "postForEntity" "exchange" "put" "delete" "headForHeaders" "optionsForAllow" "uri" "newBuilder" "create"))`,
      accept: (match) => isRequestInput(match.capture("url")),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . (_) @url)) @finding (#any-of? @type "URL" "URI" "HttpGet" "HttpPost" "HttpPut" "HttpDelete" "HttpHead"))`,
      accept: (match) => isRequestInput(match.capture("url")),
    },
  ],
};

/**
 * Values a servlet, Spring or JAX-RS handler reads from the request: parameters, headers, cookies, path, body and the
 * names of uploaded files.
 */
const REQUEST_INPUT =
  /\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getHeaders|getQueryString|getPathInfo|getRequestURI|getRequestURL|getCookies|getInputStream|getReader|getOriginalFilename|getSubmittedFileName)\s*\(/;

const INPUT_ANNOTATION =
  /@(RequestParam|PathVariable|RequestHeader|RequestBody|CookieValue|ModelAttribute|QueryParam|PathParam|FormParam|HeaderParam|CookieParam)\b/;

/** A parameter of the enclosing method that a framework fills from the request (@RequestParam String url). */
function isAnnotatedInputParameter(identifier: Node): boolean {
  let method: Node | null = identifier.parent;
  while (method && method.type !== "method_declaration" && method.type !== "constructor_declaration")
    method = method.parent;
  const parameters = method?.childForFieldName("parameters");
  return (
    parameters?.namedChildren.some(
      (parameter) =>
        parameter !== null &&
        parameter.childForFieldName("name")?.text === identifier.text &&
        INPUT_ANNOTATION.test(parameter.text),
    ) ?? false
  );
}

/** Whether an expression carries request input, directly or through local variables assigned from it. */
function isRequestInput(node: Node | undefined, depth = 0): boolean {
  if (!node || isConstantExpression(node)) return false;
  if (REQUEST_INPUT.test(node.text)) return true;
  const names = node.type === "identifier" ? [node] : node.descendantsOfType("identifier");
  return names.some(
    (name) =>
      name !== null &&
      (isAnnotatedInputParameter(name) ||
        (depth < 2 && localAssignedValues(name).some((value) => isRequestInput(value, depth + 1)))),
  );
}

const REQUEST_INPUT_EXPLANATION =
  "The Shield reports this where the value comes from the request: getParameter, getHeader, getOriginalFilename, or a " +
  "handler parameter annotated @RequestParam, @PathVariable, @RequestHeader, @RequestBody (directly or through local variables).";

const pathFromRequest: RuleDefinition = {
  id: "java.path-from-request",
  cwe: "CWE-22",
  severity: "warn",
  message: "A file path is built from request input.",
  fixHint:
    "Resolve the name against a fixed directory, normalize it and check the result still starts with that directory.",
  explanation:
    "Names such as ../../etc/passwd or absolute paths escape the intended directory, so the client reads or overwrites " +
    "any file the server can. " +
    REQUEST_INPUT_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list) @args) @finding (#any-of? @type "File" "FileInputStream" "FileOutputStream" "FileReader" "FileWriter" "RandomAccessFile" "PrintWriter"))`,
      accept: (match) => {
        const args = match.capture("args")?.namedChildren.filter((child): child is Node => child !== null) ?? [];
        // RandomAccessFile(path, mode) and PrintWriter(path, charset) take the path first; File(parent, child) both.
        const paths = match.capture("type")?.text === "File" ? args : args.slice(0, 1);
        return paths.some((path) => isRequestInput(path));
      },
    },
    {
      languages: JAVA,
      query: `((method_invocation object: (identifier) @class name: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @class "Paths" "Path" "Files") (#any-of? @fn "get" "of" "newInputStream" "newOutputStream" "readAllBytes" "readString" "write" "delete" "copy"))`,
      accept: (match) =>
        positionalArguments(match.capture("args"))
          .slice(0, 2)
          .some((path) => isRequestInput(path)),
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (_) @child)) @finding (#eq? @fn "resolve"))`,
      accept: (match) => isRequestInput(match.capture("child")),
    },
  ],
};

const openRedirect: RuleDefinition = {
  id: "java.open-redirect",
  cwe: "CWE-601",
  severity: "warn",
  message: "The response redirects to a location taken from the request.",
  fixHint: "Redirect only to relative paths you check (one leading '/', no '//'), or to an allow-listed host.",
  explanation:
    "A link to this site that redirects anywhere lends the site's name to phishing pages and can leak tokens in the URL. " +
    REQUEST_INPUT_EXPLANATION,
  patterns: [
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (_) @location .)) @finding (#any-of? @fn "sendRedirect" "setLocation"))`,
      accept: (match) => isRequestInput(match.capture("location")),
    },
    {
      languages: JAVA,
      query: `((object_creation_expression type: (type_identifier) @type arguments: (argument_list . (_) @location)) @finding (#any-of? @type "RedirectView" "ModelAndView"))`,
      accept: (match) => {
        const location = match.capture("location");
        if (!location || !isRequestInput(location)) return false;
        return match.capture("type")?.text === "RedirectView" || /^"redirect:/.test(location.text);
      },
    },
    {
      // Spring MVC: return "redirect:" + url;
      languages: JAVA,
      query: `((return_statement (binary_expression left: (string_literal) @prefix right: (_) @location)) @finding (#match? @prefix "^\\"redirect:"))`,
      accept: (match) => isRequestInput(match.capture("location")),
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list (string_literal) @header . (_) @location .)) @finding (#any-of? @fn "setHeader" "addHeader") (#eq? @header "\\"Location\\""))`,
      accept: (match) => isRequestInput(match.capture("location")),
    },
  ],
};

const cors: RuleDefinition = {
  id: "java.cors-any-origin-with-credentials",
  cwe: "CWE-942",
  severity: "warn",
  message: "CORS allows any origin (or echoes the caller's) and also allows credentials.",
  fixHint: "List the allowed origins explicitly; never combine a wildcard or an echoed Origin with credentials.",
  explanation:
    "With credentials allowed, a page on any site can call this API with the user's cookies and read the answers. " +
    'Spring refuses allowedOrigins("*") with credentials at run time, but allowedOriginPatterns("*") and echoing the ' +
    "Origin header slip through.",
  patterns: [
    {
      // Spring's CorsRegistry / CorsConfiguration, in a chain or on one configuration object.
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (string_literal) @origin)) @finding (#any-of? @fn "allowedOrigins" "allowedOriginPatterns" "addAllowedOrigin" "addAllowedOriginPattern" "setAllowedOrigins" "setAllowedOriginPatterns") (#eq? @origin "\\"*\\""))`,
      accept: (match) => {
        const node = match.capture("finding");
        return (
          node !== undefined &&
          /allowCredentials\s*\(\s*true|setAllowCredentials\s*\(\s*true/.test(enclosingMethod(node).text)
        );
      },
    },
    {
      languages: JAVA,
      query: `((annotation name: (identifier) @name arguments: (annotation_argument_list) @args) @finding (#eq? @name "CrossOrigin"))`,
      accept: (match) => {
        const text = match.capture("args")?.text ?? "";
        if (!/allowCredentials\s*=\s*"true"/.test(text)) return false;
        // Without origins, @CrossOrigin allows every origin.
        const origins = /(origins|value|originPatterns)\s*=\s*(\{[^}]*\}|"[^"]*")/.exec(text)?.[2];
        return origins === undefined ? !/^\(\s*["{]/.test(text) : origins.includes('"*"');
      },
    },
    {
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list (string_literal) @header . (_) @origin .)) @finding (#any-of? @fn "setHeader" "addHeader") (#eq? @header "\\"Access-Control-Allow-Origin\\""))`,
      accept: (match) => {
        const origin = match.capture("origin");
        const node = match.capture("finding");
        if (!origin || !node) return false;
        const anyOrigin = origin.text === '"*"' || /getHeader\s*\(\s*"Origin"\s*\)/i.test(origin.text);
        return anyOrigin && /"Access-Control-Allow-Credentials"\s*,\s*"true"/.test(enclosingMethod(node).text);
      },
    },
  ],
};

function enclosingMethod(node: Node): Node {
  let current: Node = node;
  while (current.parent && current.type !== "method_declaration" && current.type !== "constructor_declaration")
    current = current.parent;
  return current;
}

const springDebug: RuleDefinition = {
  id: "java.spring-security-debug",
  cwe: "CWE-489",
  severity: "warn",
  message: "Spring Security's debug mode is on (@EnableWebSecurity(debug = true)).",
  fixHint: "Remove debug = true outside local development.",
  explanation:
    "Debug mode logs every request with its headers and session details and prints the filter chain: sensitive data in " +
    "logs, and a warning banner Spring itself says must not reach production.",
  patterns: [
    {
      languages: JAVA,
      query: `((annotation name: (identifier) @name arguments: (annotation_argument_list (element_value_pair key: (identifier) @key value: (true)))) @finding (#eq? @name "EnableWebSecurity") (#eq? @key "debug"))`,
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
      // setHostnameVerifier((host, session) -> true)
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list (lambda_expression body: [(true) (block . (return_statement (true)) .)]))) @finding (#any-of? @fn "setHostnameVerifier" "setDefaultHostnameVerifier" "hostnameVerifier"))`,
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
    return (fn === "format" || fn === "formatted") && formatsValues(node) && looksLikeSql(node.text);
  }
  if (node.type === "identifier" && depth === 0)
    return localAssignedValues(node).some((value) => isFormattedSql(value, 1));
  return false;
}

/**
 * String.format(template, values...) or template.formatted(values...) with at least one value that is not a constant:
 * a call with no values, or only literals, produces fixed text.
 */
function formatsValues(call: Node): boolean {
  const args = positionalArguments(call.childForFieldName("arguments"));
  const values = call.childForFieldName("name")?.text === "formatted" ? args : args.slice(1);
  return values.some((value) => !isConstantExpression(value));
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
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch" "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery" "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "queryForStream" "update" "batchUpdate"))`,
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
    {
      // A servlet cookie added to the response in a method that never turns the flags on.
      languages: JAVA,
      query: `((method_invocation name: (identifier) @fn arguments: (argument_list . (identifier) @cookie .)) @finding (#eq? @fn "addCookie"))`,
      accept: (match) => {
        const cookie = match.capture("cookie");
        if (!cookie) return false;
        const created = localAssignedValues(cookie).some(
          (value) => value.type === "object_creation_expression" && value.childForFieldName("type")?.text === "Cookie",
        );
        const method = enclosingMethod(cookie).text;
        return created && !(/\.setSecure\s*\(/.test(method) && /\.setHttpOnly\s*\(/.test(method));
      },
    },
    {
      // Spring's ResponseCookie builder: the flags default to off.
      languages: JAVA,
      query: `((method_invocation object: (_) @chain name: (identifier) @fn) @finding (#eq? @fn "build") (#match? @chain "^ResponseCookie\\s*\\.\\s*from"))`,
      accept: (match) => {
        const chain = match.capture("chain")?.text ?? "";
        return !(/\.secure\s*\(/.test(chain) && /\.httpOnly\s*\(/.test(chain));
      },
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
  message:
    "Text concatenated with a value is written into the HTTP response (or returned as a Spring response body) without HTML escaping.",
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
    {
      // A Spring handler that returns markup with request input spliced in: the body goes out as the page.
      languages: JAVA,
      query: `((return_statement (binary_expression) @text) @finding)`,
      accept: (match) => {
        const text = match.capture("text");
        if (!text || !isConcatenatedWithValue(text) || !/"[^"]*<[a-zA-Z/]/.test(text.text)) return false;
        const parts = concatenatedParts(text).filter((part) => part.type !== "string_literal");
        return (
          /@(\w+Mapping|ResponseBody)\b/.test(enclosingMethod(text).text.slice(0, 400)) &&
          parts.some((part) => isRequestInput(part) && !HTML_ESCAPER.test(part.childForFieldName("name")?.text ?? ""))
        );
      },
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
  bindAllInterfaces,
  relativeCommand,
  obsoleteApi,
  ssrf,
  csrfDisabled,
  tlsVerificationOff,
  pathFromRequest,
  openRedirect,
  cors,
  springDebug,
  sqlFormatting,
  xpathInjection,
  worldReadable,
  webViewFileAccess,
  cookieFlags,
  xxe,
  servletResponseXss,
];
