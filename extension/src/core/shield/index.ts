export { createShield } from "./engine";
export { isShieldLanguage, languageForFileName } from "./languages";
export { SHIELD_LANGUAGES, type Finding, type Shield, type ShieldLanguage, type ShieldRuleInfo } from "./types";
