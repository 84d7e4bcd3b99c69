export { cleanEnv, type ExecOptions, type ExecResult, exec, execOk } from './exec.js';
export { npmrcFor, PLACEHOLDER_TOKEN } from './npmrc.js';
export { type Registry, type StartRegistryOptions, startRegistry } from './startRegistry.js';
export { NPMJS, SCOPE } from './verdaccioConfig.js';
export {
  cliPackages,
  copyAndInstallWorkspace,
  copyWorkspace,
  findWorkspaceRoot,
  pinnedPnpm,
  pnpmCommand,
  publicPackages,
  sweepStaleTempDirs,
  type WorkspacePackage,
  workspacePackages,
} from './workspace.js';
