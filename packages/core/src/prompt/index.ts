export {
  type ConfirmByTypingOptions,
  type ConfirmRefusal,
  confirmByTyping,
  confirmProtected,
  isInteractive,
} from './confirmByTyping.js';
export { type ConfirmDeletionsOptions, confirmDeletions } from './confirmDeletions.js';
