export { createShield, type ShieldOptions } from "./engine";
export { GRAMMAR_FILES, isShieldLanguage, languageForFileName } from "./languages";
export {
  SHIELD_LANGUAGES,
  type Finding,
  type GrammarSource,
  type ScanOptions,
  type Severity,
  type Shield,
  type ShieldLanguage,
  type ShieldRuleInfo,
  type SuggestionInput,
} from "./types";
