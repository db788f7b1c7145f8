// The built-in model catalog: data in catalog.json, checked here so that a bad edit fails the unit tests, not a user.
import catalogData from "./catalog.json";

/**
 * `guard`: Llama Guard, which checks chat messages and answers (llamaAssist.guard.model). `embedding`: the model whose
 * vectors rank workspace retrieval beside BM25 (llamaAssist.embeddingModel.path).
 */
export type ModelRole = "completion" | "chat" | "guard" | "embedding";

export interface CatalogModel {
  id: string;
  name: string;
  roles: readonly ModelRole[];
  /** A full https://huggingface.co/<repo>/resolve/main/<file> URL: no API call is needed to resolve it. */
  url: string;
  fileName: string;
  /**
   * Approximate download size (see the data file's sizeNote): the download checks the exact length the server
   * announces, and this only as a sanity bound.
   */
  sizeBytes: number;
  licence: string;
  parametersBillions: number;
  layers: number;
  /** f16 K and V cache bytes per token of context: 2 x layers x KV heads x head size x 2 bytes. */
  kvBytesPerToken: number;
  trainContextSize: number;
  /** Per role, higher is better among models that fit: quality for that role, not size alone. */
  preference: Readonly<Partial<Record<ModelRole, number>>>;
  /** Lower-case hex; checked after download when present. */
  sha256?: string;
}

export interface Catalog {
  version: number;
  models: readonly CatalogModel[];
}

const roles: readonly ModelRole[] = ["completion", "chat", "guard", "embedding"];
const fileNamePattern = /^[A-Za-z0-9._-]+\.gguf$/;
const urlPattern = /^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\/(.+)$/;

function isPositive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** Returns the catalog's problems, one line each; an empty list means the catalog is usable. */
export function validateCatalog(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["the catalog is not an object"];
  const { version, models } = value as { version?: unknown; models?: unknown };
  const problems: string[] = [];
  if (version !== 1) problems.push(`unknown catalog version ${String(version)}`);
  if (!Array.isArray(models) || models.length === 0) return [...problems, "the catalog has no models"];
  const ids = new Set<string>();
  const fileNames = new Set<string>();
  models.forEach((model: unknown, index) => {
    if (typeof model !== "object" || model === null) {
      problems.push(`model ${index} is not an object`);
      return;
    }
    const entry = model as Record<string, unknown>;
    const label = typeof entry.id === "string" ? entry.id : `model ${index}`;
    const fail = (problem: string): void => void problems.push(`${label}: ${problem}`);
    if (typeof entry.id !== "string" || !/^[a-z0-9._-]+$/.test(entry.id))
      fail("id must be lower-case letters, digits, '.', '_' or '-'");
    else if (ids.has(entry.id)) fail("duplicate id");
    else ids.add(entry.id);
    if (typeof entry.name !== "string" || entry.name === "") fail("name is missing");
    if (
      !Array.isArray(entry.roles) ||
      entry.roles.length === 0 ||
      !entry.roles.every((role) => roles.includes(role as ModelRole))
    ) {
      fail("roles must be a non-empty list of completion/chat/guard/embedding");
    }
    if (typeof entry.fileName !== "string" || !fileNamePattern.test(entry.fileName))
      fail("fileName must be a plain .gguf file name");
    else if (fileNames.has(entry.fileName)) fail("duplicate fileName");
    else fileNames.add(entry.fileName);
    const urlMatch = typeof entry.url === "string" ? urlPattern.exec(entry.url) : null;
    if (urlMatch === null) fail("url must be a https://huggingface.co/<repo>/resolve/main/<file> URL");
    else if (urlMatch[1].split("/").pop() !== entry.fileName) fail("url must end with fileName");
    if (typeof entry.licence !== "string" || entry.licence === "") fail("licence is missing");
    for (const key of ["sizeBytes", "parametersBillions", "layers", "kvBytesPerToken", "trainContextSize"]) {
      if (!isPositive(entry[key])) fail(`${key} must be a positive number`);
    }
    const preference = entry.preference;
    if (typeof preference !== "object" || preference === null || !Array.isArray(entry.roles)) {
      fail("preference must give a number for each role");
    } else {
      const ranked = Object.keys(preference);
      const listed = entry.roles as unknown[];
      const matches =
        ranked.length === listed.length &&
        listed.every((role) => isPositive((preference as Record<string, unknown>)[String(role)]));
      if (!matches) fail("preference must give a positive number for each of its roles and no others");
    }
    if (entry.sha256 !== undefined && (typeof entry.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(entry.sha256))) {
      fail("sha256 must be 64 lower-case hex digits");
    }
  });
  return problems;
}

/** The catalog shipped with the extension. */
export function builtInCatalog(): Catalog {
  const problems = validateCatalog(catalogData);
  if (problems.length > 0) throw new Error(`The built-in model catalog is invalid: ${problems.join("; ")}`);
  return catalogData as Catalog;
}
