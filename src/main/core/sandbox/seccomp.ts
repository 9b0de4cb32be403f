/**
 * A seccomp filter for bubblewrap (`--seccomp FD`, classic BPF): `ioctl(fd, TIOCSTI)` and
 * `ioctl(fd, TIOCLINUX)` fail with EPERM, everything else is allowed. TIOCSTI pushes keystrokes
 * into a terminal's input, TIOCLINUX can read a virtual console's screen: a sandboxed process
 * never needs either (Flatpak blocks the same pair). Processes on pipes get `--new-session` as
 * well; a session's agent keeps its own pseudo-terminal, and this is what stops it pushing input
 * into that. On x86-64 the x32 ABI is refused too: it is a second door to every system call.
 */

/** `struct sock_filter` is 8 bytes: u16 code, u8 jt, u8 jf, u32 k (host order: little-endian here). */
interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const LOAD_WORD = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JUMP_IF_EQUAL = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JUMP_IF_SET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const RETURN = 0x06; // BPF_RET | BPF_K
const ALLOW = 0x7fff0000; // SECCOMP_RET_ALLOW
const EPERM = 0x00050000 | 1; // SECCOMP_RET_ERRNO | EPERM
/** Offsets in `struct seccomp_data`: the call's number, the architecture, the low half of args[1]. */
const OFFSET = { nr: 0, arch: 4, arg1Low: 24 } as const;
const REQUEST = { TIOCSTI: 0x5412, TIOCLINUX: 0x541c } as const;
const X32_BIT = 0x40000000;

const ARCHES = [
  { audit: 0xc000003e, ioctl: 16, x32: true }, // x86-64
  { audit: 0xc00000b7, ioctl: 29, x32: false }, // aarch64
];

const load = (offset: number): Instruction => ({ code: LOAD_WORD, jt: 0, jf: 0, k: offset });
const give = (value: number): Instruction => ({ code: RETURN, jt: 0, jf: 0, k: value });

/** The checks for one architecture, entered with the call's number loaded; ends in a return. */
function archChecks(arch: (typeof ARCHES)[number]): Instruction[] {
  return [
    ...(arch.x32 ? [{ code: JUMP_IF_SET, jt: 0, jf: 1, k: X32_BIT }, give(EPERM)] : []),
    { code: JUMP_IF_EQUAL, jt: 0, jf: 3, k: arch.ioctl },
    load(OFFSET.arg1Low),
    { code: JUMP_IF_EQUAL, jt: 2, jf: 0, k: REQUEST.TIOCSTI },
    { code: JUMP_IF_EQUAL, jt: 1, jf: 0, k: REQUEST.TIOCLINUX },
    give(ALLOW),
    give(EPERM),
  ];
}

/** The program: dispatch on the architecture, then that architecture's checks; others allowed. */
export function terminalInjectionFilter(): Buffer {
  const blocks = ARCHES.map(archChecks);
  const program: Instruction[] = [load(OFFSET.arch)];
  // Each dispatch jumps over the remaining dispatches and the blocks before its own.
  ARCHES.forEach((arch, i) => {
    const before = blocks.slice(0, i).reduce((sum, block) => sum + block.length + 1, 0);
    const jt = ARCHES.length - 1 - i + 1 + before; // past the later dispatches and the fallback
    program.push({ code: JUMP_IF_EQUAL, jt, jf: 0, k: arch.audit });
  });
  program.push(give(ALLOW));
  for (const block of blocks) program.push(load(OFFSET.nr), ...block);
  return encode(program);
}

function encode(program: readonly Instruction[]): Buffer {
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((instruction, i) => {
    bytes.writeUInt16LE(instruction.code, i * 8);
    bytes.writeUInt8(instruction.jt, i * 8 + 2);
    bytes.writeUInt8(instruction.jf, i * 8 + 3);
    bytes.writeUInt32LE(instruction.k >>> 0, i * 8 + 4);
  });
  return bytes;
}
