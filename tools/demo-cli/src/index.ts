export { DEFAULT_FILES, demoSection } from './section.js';
