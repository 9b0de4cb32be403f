/**
 * The filter's logic, run by a small classic-BPF interpreter here (every path of the program),
 * and for real: a process in a session's sandbox cannot push input into its terminal.
 */
import { describe, expect, it } from 'vitest';
import { terminalInjectionFilter } from './seccomp';

const X86_64 = 0xc000003e;
const AARCH64 = 0xc00000b7;
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;

/** Runs the program on one `struct seccomp_data` (number, arch, args[1] low half). */
function run(program: Buffer, call: { nr: number; arch: number; arg1?: number }): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(call.nr >>> 0, 0);
  data.writeUInt32LE(call.arch >>> 0, 4);
  data.writeUInt32LE((call.arg1 ?? 0) >>> 0, 24);
  let accumulator = 0;
  for (let pc = 0; pc < program.length / 8;) {
    const code = program.readUInt16LE(pc * 8);
    const [jt, jf] = [program.readUInt8(pc * 8 + 2), program.readUInt8(pc * 8 + 3)];
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) accumulator = data.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += accumulator === k ? jt : jf;
    else if (code === 0x45) pc += (accumulator & k) !== 0 ? jt : jf;
    else throw new Error(`unknown instruction ${code}`);
    pc += 1;
  }
  throw new Error('the program ran off its end');
}

describe('the terminal-injection seccomp filter', () => {
  const program = terminalInjectionFilter();
  it.each([
    ['x86-64 ioctl TIOCSTI', { nr: 16, arch: X86_64, arg1: 0x5412 }, EPERM],
    ['x86-64 ioctl TIOCLINUX', { nr: 16, arch: X86_64, arg1: 0x541c }, EPERM],
    ['x86-64 ioctl TIOCGWINSZ', { nr: 16, arch: X86_64, arg1: 0x5413 }, ALLOW],
    ['x86-64 read', { nr: 0, arch: X86_64 }, ALLOW],
    [
      'x86-64 write with TIOCSTI as its second argument',
      { nr: 1, arch: X86_64, arg1: 0x5412 },
      ALLOW,
    ],
    ['x86-64 x32 ioctl', { nr: 0x40000000 + 514, arch: X86_64, arg1: 0x5412 }, EPERM],
    ['aarch64 ioctl TIOCSTI', { nr: 29, arch: AARCH64, arg1: 0x5412 }, EPERM],
    ['aarch64 ioctl TCGETS', { nr: 29, arch: AARCH64, arg1: 0x5401 }, ALLOW],
    ['another architecture', { nr: 54, arch: 0x40000003, arg1: 0x5412 }, ALLOW],
  ])('%s', (_name, call, expected) => {
    expect(run(program, call)).toBe(expected);
  });
});
