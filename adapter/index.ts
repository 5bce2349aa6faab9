// What the extension imports to run the adapter inline:
//   new vscode.DebugAdapterInlineImplementation(new TagvisorSession())
export { TagvisorSession, parseHitCondition } from './session';
export { validateLaunchConfig, launchSchema, ConfigError, type LaunchConfig, DEFAULT_HISTORY_SIZE } from './config';
export { evaluateExpression, runTagCommand, EvalError } from './evaluate';
export { decodeReadTags, type ReadTagsBody, type GranuleTag } from './tags';
