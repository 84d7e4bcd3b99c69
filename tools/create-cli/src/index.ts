export { assertCliName, CreateCliError } from './names.js';
export { CLI_BUILD_SCRIPT, CLI_FILES, cliPackageJson, PUBLISH_GUARD_SCRIPT } from './packageJson.js';
export { render, type ScaffoldOptions, type ScaffoldResult, scaffoldCli, TEMPLATE_DIR } from './scaffold.js';
