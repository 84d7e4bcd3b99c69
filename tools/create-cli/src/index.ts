export { assertCliName, CreateCliError } from './names.js';
export {
  CLI_BUILD_SCRIPT,
  CLI_FILES,
  cliPackageJson,
  OCLIF_PLUGINS,
  PUBLISH_GUARD_SCRIPT,
  pluginVersions,
} from './packageJson.js';
export { render, type ScaffoldOptions, type ScaffoldResult, scaffoldCli, TEMPLATE_DIR } from './scaffold.js';
