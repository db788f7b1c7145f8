/**
 * Every command id the extension registers, in one place so that adapters can point at each other's commands without
 * importing each other, and so that a unit test can hold this list against package.json.
 */
export const commandIds = {
  restartHost: "llamaAssist.restartHost",
  showHostStatus: "llamaAssist.showHostStatus",
  showLog: "llamaAssist.showLog",
  scanFileWithShield: "llamaAssist.scanFileWithShield",
  showShieldRule: "llamaAssist.shield.showRule",
  recordAcceptedFindings: "llamaAssist.shield.recordAcceptedFindings",
  toggleCompletions: "llamaAssist.toggleCompletions",
  askAboutSelection: "llamaAssist.chat.askAboutSelection",
  attachFile: "llamaAssist.chat.attachFile",
  newChat: "llamaAssist.chat.newChat",
  rebuildWorkspaceIndex: "llamaAssist.rebuildWorkspaceIndex",
  refactorSelection: "llamaAssist.refactor.selection",
  refactorSimplify: "llamaAssist.refactor.simplify",
  refactorAddTypes: "llamaAssist.refactor.addTypes",
  refactorAddDocs: "llamaAssist.refactor.addDocs",
  refactorFix: "llamaAssist.refactor.fix",
  refactorGenerateTests: "llamaAssist.refactor.generateTests",
  refactorExplain: "llamaAssist.refactor.explain",
  acceptRefactor: "llamaAssist.refactor.accept",
  rejectRefactor: "llamaAssist.refactor.reject",
  chooseModels: "llamaAssist.chooseModels",
  chooseGuardModel: "llamaAssist.chooseGuardModel",
  chooseEmbeddingModel: "llamaAssist.chooseEmbeddingModel",
  manageModels: "llamaAssist.manageModels",
  detectHardware: "llamaAssist.detectHardware",
  openWalkthrough: "llamaAssist.openWalkthrough",
  openSampleFile: "llamaAssist.openSampleFile",
  downloadCudaRuntime: "llamaAssist.downloadCudaRuntime",
  downloadVulkanRuntime: "llamaAssist.downloadVulkanRuntime",
  setRemoteApiKey: "llamaAssist.setRemoteApiKey",
  forgetRemoteConsent: "llamaAssist.forgetRemoteConsent",
  checkRemoteServer: "llamaAssist.checkRemoteServer",
} as const;

/** Registered but not in package.json: only the extension runs them (an accepted suggestion's follow-up). */
export const internalCommandIds = {
  completionAccepted: "llamaAssist.completions.accepted",
} as const;
