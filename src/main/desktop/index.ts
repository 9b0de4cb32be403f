/** The desktop app's behaviour that needs no Electron: tray state, pause all, quit, crashes. */
export { DesktopHost, type DesktopCore, type QuitQuestion } from './host';
export {
  LISTED_APPROVALS,
  trayState,
  type TrayAction,
  type TrayMenuItem,
  type TrayState,
  type TrayVariant,
} from './tray-state';
export { externalLink } from './links';
