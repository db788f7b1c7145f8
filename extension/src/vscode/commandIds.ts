/** Command ids, kept apart so adapters can point at each other's commands without importing each other. */
export const commandIds = {
  restartHost: "llamaAssist.restartHost",
  showHostStatus: "llamaAssist.showHostStatus",
  showLog: "llamaAssist.showLog",
  scanFileWithShield: "llamaAssist.scanFileWithShield",
  showShieldRule: "llamaAssist.shield.showRule",
  recordAcceptedFindings: "llamaAssist.shield.recordAcceptedFindings",
  chooseModels: "llamaAssist.chooseModels",
  openWalkthrough: "llamaAssist.openWalkthrough",
} as const;
