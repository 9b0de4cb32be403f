/** The part of Electronegativity's programmatic API (its runner) the security test uses. */
declare module '@doyensec/electronegativity' {
  interface RunOptions {
    input: string;
    electronVersionOverride?: string;
    excludeFromScan?: string[];
  }
  export default function run(options: RunOptions): Promise<unknown>;
}
