export * from './errors/index.js';
export * from './log/index.js';
export * from './metrics/index.js';
