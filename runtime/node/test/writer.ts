/**
 * A second process for runtime/node/d1.test.ts: `writer.ts <file> <name> <count>` increments the
 * shared counter `count` times, each time in one batch that also records what it saw.
 */
import { SqliteD1Database } from '../d1.ts';

const [file, name, times] = process.argv.slice(2);
const db = new SqliteD1Database(file!);
for (let i = 0; i < Number(times); i++) {
  await db.batch([
    db.prepare('UPDATE counter SET n = n + 1 WHERE id = 1'),
    db.prepare('INSERT INTO writes (writer, i, seen) SELECT ?, ?, n FROM counter WHERE id = 1').bind(name, i),
  ]);
  // Let the other process in between batches.
  if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
}
db.close();
