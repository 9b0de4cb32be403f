/** Containment: the sandbox a session's processes run in (bubblewrap on Linux). Groundwork for #8. */
export { bubblewrapArgs, type SandboxMounts } from './bubblewrap';
