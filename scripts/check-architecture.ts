/**
 * The architecture test (ADR 0800): reads every import of `src/` with the TypeScript compiler's
 * parser (type-only imports and `export … from` included) and fails on a rule broken:
 *
 * - `rules-pure`: a file of `src/rules/` imports anything but `zod` and `src/rules/` itself.
 * - `formats-pure`: a file of `src/formats/` imports anything but `src/formats/` and `src/lib/`
 *   (no Hono, no drizzle, no database).
 * - `lib-pure`: a file of `src/lib/` imports another folder of the app.
 * - `page-db`: a page file (`pages.tsx`, `*-pages.tsx`, anything under `src/pages/`) imports
 *   `drizzle-orm` or any `*schema.ts`.
 * - `registry`: a file outside `src/db/` imports the schema registries (`db/county-schema.ts`,
 *   `db/control-schema.ts`): they exist for drizzle-kit and `db/index.ts` only.
 * - `front-door`: a file imports another folder's file other than its `index.ts`, unless that
 *   folder is open shared ground (`http`, `ui`, `formats`, `db`, `lib`, `rules`, and the root's
 *   `env.ts` and `config.ts`). `src/app.ts` and
 *   `src/index.ts` assemble the app and may import routes; the registries may import schemas.
 * - `cycle`: a strongly connected component of the module graph (value imports: type-only ones
 *   are erased at build time) spans more than one folder.
 *
 * Test files (`*.test.ts`) are not held to the front-door and purity rules: a test may set up
 * another feature's rows. Files over ~400 lines without a `Long file: <why>` comment are reported
 * as warnings.
 *
 * Until #12 is done, `scripts/architecture-allow.json` lists the violations that were there
 * before: only a violation not on it fails. An entry that no longer occurs fails too (remove it:
 * `--prune` does), so the list only shrinks. `--write-allowlist` rewrites it from the tree
 * (use it once, not to hide a new violation). `--json` prints the measurements as JSON.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './lib/paths.ts';

const SRC = join(ROOT, 'src');
const ALLOW = join(ROOT, 'scripts', 'architecture-allow.json');
/** Shared ground any file may import, any file of it. */
const OPEN = new Set(['http', 'ui', 'formats', 'db', 'lib', 'rules']);
/** Files that assemble the app from every feature's routes. */
const ASSEMBLY = new Set(['src/app.ts', 'src/index.ts']);
const REGISTRIES = new Set(['src/db/county-schema.ts', 'src/db/control-schema.ts']);
/** The root's bindings and tunables: shared ground too. */
const OPEN_FILES = new Set(['src/env.ts', 'src/config.ts']);
const LONG_LINES = 400;

type Edge = { from: string; to: string; typeOnly: boolean; external: boolean };

const rel = (p: string) => relative(ROOT, p).split('\\').join('/');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveSpec(fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  const tries = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  for (const t of tries) if (existsSync(t) && statSync(t).isFile()) return t;
  return null;
}

const packageOf = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);

function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    if (spec.startsWith('.')) {
      const target = resolveSpec(file, spec);
      edges.push({
        from: rel(file),
        to: target ? rel(target) : `${rel(dirname(file))}/${spec}?`,
        typeOnly,
        external: false,
      });
    } else edges.push({ from: rel(file), to: packageOf(spec), typeOnly, external: true });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!named &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (!!clause &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** `src/<folder>/…` → folder; `src/app.ts` → `(root)`; outside src → null. */
function folderOf(p: string): string | null {
  if (!p.startsWith('src/')) return null;
  const parts = p.split('/');
  return parts.length > 2 ? parts[1]! : '(root)';
}

const isTest = (p: string) => /\.test\.tsx?$/.test(p);
const isPage = (p: string) => p.startsWith('src/pages/') || /(^|\/|-)pages\.tsx$/.test(p);
const isIndex = (p: string) => /\/index\.tsx?$/.test(p);
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

type Violation = { rule: string; key: string; detail: string };

function check(files: string[], edges: Edge[]): Violation[] {
  const out: Violation[] = [];
  const v = (rule: string, e: Edge) =>
    out.push({ rule, key: `${rule}: ${e.from} -> ${e.to}`, detail: e.typeOnly ? ' (type)' : '' });
  for (const e of edges) {
    if (isTest(e.from)) continue;
    const from = folderOf(e.from);
    const to = e.external ? null : folderOf(e.to);
    if (from === 'rules' && !(e.external ? e.to === 'zod' : to === 'rules')) v('rules-pure', e);
    if (from === 'formats' && !(e.external ? false : to === 'formats' || to === 'lib')) v('formats-pure', e);
    if (from === 'lib' && !e.external && to !== 'lib') v('lib-pure', e);
    if (isPage(e.from) && (e.external ? e.to === 'drizzle-orm' : /schema\.ts$/.test(e.to))) v('page-db', e);
    if (!e.external && REGISTRIES.has(e.to) && from !== 'db') v('registry', e);
    if (
      !e.external &&
      to &&
      from !== to &&
      !OPEN.has(to) &&
      !OPEN_FILES.has(e.to) &&
      !isIndex(e.to) &&
      !ASSEMBLY.has(e.from) &&
      !REGISTRIES.has(e.from)
    ) {
      v('front-door', e);
    }
  }
  void files;
  return out;
}

/** Tarjan's strongly connected components over the module graph. */
function components(nodes: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) if (next.has(e.to)) next.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    // Iterative, so a deep graph cannot overflow the stack.
    const work: [string, number][] = [[v, 0]];
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    while (work.length) {
      const top = work[work.length - 1]!;
      const [n, i] = top;
      const succ = next.get(n)!;
      if (i < succ.length) {
        top[1]++;
        const w = succ[i]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          on.add(w);
          work.push([w, 0]);
        } else if (on.has(w)) low.set(n, Math.min(low.get(n)!, idx.get(w)!));
      } else {
        work.pop();
        if (work.length) {
          const p = work[work.length - 1]![0];
          low.set(p, Math.min(low.get(p)!, low.get(n)!));
        }
        if (low.get(n) === idx.get(n)) {
          const comp: string[] = [];
          for (;;) {
            const w = stack.pop()!;
            on.delete(w);
            comp.push(w);
            if (w === n) break;
          }
          if (comp.length > 1) out.push(comp.sort());
        }
      }
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}

const foldersOfComp = (comp: string[]) => [...new Set(comp.map((p) => folderOf(p) ?? p))].sort();

function measure() {
  const files = walk(SRC).map(rel);
  const edges = files.flatMap((f) => importsOf(join(ROOT, f)));
  const lines = new Map(files.map((f) => [f, lineCount(readFileSync(join(ROOT, f), 'utf8'))]));
  const folders = new Map<string, { files: number; lines: number; testLines: number }>();
  for (const f of files) {
    const k = folderOf(f)!;
    const row = folders.get(k) ?? { files: 0, lines: 0, testLines: 0 };
    row.files++;
    if (isTest(f)) row.testLines += lines.get(f)!;
    else row.lines += lines.get(f)!;
    folders.set(k, row);
  }
  const internal = edges.filter((e) => !e.external && e.to.startsWith('src/'));
  const crossFolder = internal.filter((e) => !isTest(e.from) && folderOf(e.from) !== folderOf(e.to));
  const features = (f: string | null) => !!f && f !== '(root)' && !OPEN.has(f);
  const crossFeature = crossFolder.filter((e) => features(folderOf(e.from)) && features(folderOf(e.to)));
  const nonTest = files.filter((f) => !isTest(f));
  const valueCycles = components(
    nonTest,
    internal.filter((e) => !e.typeOnly && !isTest(e.from)),
  ).filter((c) => foldersOfComp(c).length > 1);
  const allCycles = components(
    nonTest,
    internal.filter((e) => !isTest(e.from)),
  ).filter((c) => foldersOfComp(c).length > 1);
  const folderGraph = new Map<string, Set<string>>();
  for (const e of crossFolder) {
    // The assembly and the registries import every feature by design: not part of the graph.
    if (e.typeOnly || ASSEMBLY.has(e.from) || REGISTRIES.has(e.from)) continue;
    const s = folderGraph.get(folderOf(e.from)!) ?? new Set();
    s.add(folderOf(e.to)!);
    folderGraph.set(folderOf(e.from)!, s);
  }
  const folderNodes = [...folders.keys()];
  const folderEdges: Edge[] = [...folderGraph].flatMap(([f, s]) =>
    [...s].map((t) => ({ from: f, to: t, typeOnly: false, external: false })),
  );
  const folderCycles = components(folderNodes, folderEdges);
  const long = nonTest
    .filter((f) => lines.get(f)! > LONG_LINES)
    .filter((f) => !/long file:\s*\S/i.test(readFileSync(join(ROOT, f), 'utf8')));
  return {
    files,
    edges,
    lines,
    folders,
    crossFolder,
    crossFeature,
    valueCycles,
    allCycles,
    folderGraph,
    folderCycles,
    long,
  };
}

type Allow = { violations: string[]; cycles: string[][] };

function main() {
  const args = new Set(process.argv.slice(2));
  const m = measure();
  const violations = check(m.files, m.edges);
  const cycleKeys = m.valueCycles.map(foldersOfComp);

  if (args.has('--json')) {
    console.log(
      JSON.stringify(
        {
          folders: Object.fromEntries(m.folders),
          largest: [...m.lines].sort((a, b) => b[1] - a[1]).slice(0, 10),
          crossFeatureImports: m.crossFeature.filter((e) => !e.typeOnly).length,
          cycles: cycleKeys,
          violations: violations.length,
        },
        null,
        2,
      ),
    );
    return;
  }

  const total = [...m.folders.values()].reduce((s, r) => s + r.lines + r.testLines, 0);
  console.log('Folders (source lines / test lines / files):');
  for (const [k, r] of [...m.folders].sort((a, b) => b[1].lines - a[1].lines)) {
    const share = ((100 * (r.lines + r.testLines)) / total).toFixed(1);
    console.log(
      `  ${k.padEnd(14)} ${String(r.lines).padStart(6)} ${String(r.testLines).padStart(6)} ${String(r.files).padStart(4)}  ${share.padStart(5)} %`,
    );
  }
  console.log(`  ${'total'.padEnd(14)} ${String(total).padStart(13)} lines in ${m.files.length} files`);
  console.log('\nLargest files:');
  for (const [f, n] of [...m.lines].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`  ${String(n).padStart(5)}  ${f}`);
  const valueCross = m.crossFeature.filter((e) => !e.typeOnly);
  console.log(
    `\nCross-feature imports (non-test files; features = every folder but ${[...OPEN].join(', ')} and the root):`,
  );
  console.log(`  ${valueCross.length} value imports, ${m.crossFeature.length - valueCross.length} type-only`);
  console.log(
    `  of which through a front door (index.ts): ${valueCross.filter((e) => isIndex(e.to)).length} value, ${m.crossFeature.filter((e) => e.typeOnly && isIndex(e.to)).length} type-only`,
  );
  console.log(
    '\nFolder graph (value imports, non-test files; without app.ts, index.ts and the db registries):',
  );
  for (const [k, s] of [...m.folderGraph].sort()) console.log(`  ${k} → ${[...s].sort().join(', ')}`);
  console.log('\nImport cycles spanning more than one folder (value imports):');
  if (m.valueCycles.length === 0) console.log('  none');
  for (const c of m.valueCycles)
    console.log(
      `  ${c.length} files across ${foldersOfComp(c).length} folders: ${foldersOfComp(c).join(', ')}`,
    );
  console.log('Counting type-only imports too:');
  if (m.allCycles.length === 0) console.log('  none');
  for (const c of m.allCycles)
    console.log(
      `  ${c.length} files across ${foldersOfComp(c).length} folders: ${foldersOfComp(c).join(', ')}`,
    );

  console.log(
    'Folder-level cycles (a folder imports one that, through others, imports it back; value imports):',
  );
  if (m.folderCycles.length === 0) console.log('  none');
  for (const c of m.folderCycles) console.log(`  ${c.length} folders: ${c.join(', ')}`);

  if (m.long.length) {
    console.log(
      `\nWarning: ${m.long.length} source files over ${LONG_LINES} lines without a "Long file: <why>" comment:`,
    );
    for (const f of m.long) console.log(`  ${String(m.lines.get(f)).padStart(5)}  ${f}`);
  }

  const byRule = new Map<string, number>();
  for (const x of violations) byRule.set(x.rule, (byRule.get(x.rule) ?? 0) + 1);
  console.log(
    `\nRule violations: ${violations.length}${violations.length ? ` (${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}, cycles: ${cycleKeys.length}`,
  );

  const current: Allow = {
    violations: [...new Set(violations.map((x) => x.key))].sort(),
    cycles: cycleKeys.map((c) => c).sort((a, b) => a.join().localeCompare(b.join())),
  };
  if (args.has('--write-allowlist')) {
    writeFileSync(ALLOW, `${JSON.stringify(current, null, 2)}\n`);
    console.log(
      `Wrote ${rel(ALLOW)}: ${current.violations.length} violations, ${current.cycles.length} cycles.`,
    );
    return;
  }
  const allow: Allow = existsSync(ALLOW)
    ? JSON.parse(readFileSync(ALLOW, 'utf8'))
    : { violations: [], cycles: [] };
  const allowed = new Set(allow.violations);
  const fresh = violations.filter((x) => !allowed.has(x.key));
  const stillThere = new Set(violations.map((x) => x.key));
  const stale = allow.violations.filter((k) => !stillThere.has(k));
  // A cycle is allowed while its folders are among those of one listed cycle (it may shrink).
  const freshCycles = cycleKeys.filter((c) => !allow.cycles.some((a) => c.every((f) => a.includes(f))));
  const staleCycles = allow.cycles.filter((a) => !cycleKeys.some((c) => c.join() === a.join()));

  if (args.has('--prune')) {
    const pruned: Allow = {
      violations: allow.violations.filter((k) => stillThere.has(k)),
      cycles: allow.cycles
        .flatMap((a) => cycleKeys.filter((c) => c.every((f) => a.includes(f))))
        .filter((c, i, all) => all.findIndex((d) => d.join() === c.join()) === i),
    };
    writeFileSync(ALLOW, `${JSON.stringify(pruned, null, 2)}\n`);
    console.log(
      `Pruned ${rel(ALLOW)}: ${allow.violations.length - pruned.violations.length} entries gone, ${pruned.violations.length} violations and ${pruned.cycles.length} cycles left.`,
    );
    return;
  }
  console.log(
    `Allowlist (${rel(ALLOW)}): ${allow.violations.length} violations, ${allow.cycles.length} cycles — must be empty when #12 closes.`,
  );
  let failed = false;
  if (fresh.length || freshCycles.length) {
    failed = true;
    console.log('\nNEW violations (fix them: see ADR 0800):');
    for (const x of fresh) console.log(`  ${x.key}${x.detail}`);
    for (const c of freshCycles) console.log(`  cycle across ${c.join(', ')}`);
  }
  if (stale.length || staleCycles.length) {
    failed = true;
    console.log('\nAllowlist entries that no longer occur (run `npm run check:architecture -- --prune`):');
    for (const k of stale) console.log(`  ${k}`);
    for (const c of staleCycles) console.log(`  cycle across ${c.join(', ')}`);
  }
  if (failed) process.exit(1);
  console.log('\nArchitecture check passed.');
}

main();
