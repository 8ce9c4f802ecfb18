// Runs one gw command class from the TypeScript sources as a real process (the oclif manifest only lists built
// commands): node --import tsx test/ai/runCommand.ts <command file> [args…].
const [file, ...argv] = process.argv.slice(2);
const mod = (await import(file!)) as { default: { run(argv: string[], opts: string): Promise<unknown> } };
try {
  await mod.default.run(argv, new URL('../../package.json', import.meta.url).href);
} catch (err) {
  const e = err as Error & { oclif?: { exit?: number } };
  process.stderr.write(`${e.message}\n`);
  process.exitCode = e.oclif?.exit ?? 1;
}
