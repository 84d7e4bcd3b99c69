/** Nothing to export: this package is its tests (`tests/`), run against the BUILT CLIs. */
export const SUITE = '@tempered/crash-suites';
