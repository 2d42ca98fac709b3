// test/clients/node/clients.mjs: pgvector's Node.js package (with pg) and
// Drizzle ORM used against vecrag exactly as their READMEs show.  Connects
// with the PG* environment variables; prints one "ok - name" or
// "not ok - name: detail" line per check for the TAP test to read.
import assert from 'node:assert/strict';
import pg from 'pg';
import pgvector from 'pgvector/pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { cosineDistance, l2Distance, sql } from 'drizzle-orm';
import { index, integer, pgTable, text, vector } from 'drizzle-orm/pg-core';

async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}: ${String(e.message).replace(/\n/g, ' ')}`);
  }
}

// pgvector's binary wire format; node-postgres sends Buffer parameters in binary
// (its binary result mode re-decodes bytes as UTF-8, so results are read as text): int16 dim, int16 unused, float4 elements, big-endian
function encodeVector(values) {
  const buf = Buffer.alloc(4 + 4 * values.length);
  buf.writeInt16BE(values.length, 0);
  buf.writeInt16BE(0, 2);
  values.forEach((v, i) => buf.writeFloatBE(v, 4 + 4 * i));
  return buf;
}

const client = new pg.Client();
await client.connect();
await client.query('CREATE EXTENSION IF NOT EXISTS vecrag');
await pgvector.registerTypes(client);
await client.query('DROP TABLE IF EXISTS node_items');
await client.query('CREATE TABLE node_items (id bigserial PRIMARY KEY, embedding vector(3))');

await check('insert with pgvector.toSql and read back as arrays', async () => {
  for (const e of [[1, 1, 1], [2, 2, 2], [1, 1, 2], [0.5, -0.25, 1e-7]]) {
    await client.query('INSERT INTO node_items (embedding) VALUES ($1)', [pgvector.toSql(e)]);
  }
  const { rows } = await client.query('SELECT embedding FROM node_items ORDER BY id');
  assert.deepEqual(rows.map((r) => r.embedding), [[1, 1, 1], [2, 2, 2], [1, 1, 2], [0.5, -0.25, 1e-7]]);
});

await check('parameterised top-k by L2 distance', async () => {
  const { rows } = await client.query(
    'SELECT id FROM node_items ORDER BY embedding <-> $1 LIMIT 3', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(rows.map((r) => Number(r.id)), [1, 3, 4]);
});

await check('parameterised top-k by cosine and inner product', async () => {
  const cos = await client.query(
    'SELECT id FROM node_items ORDER BY embedding <=> $1, id LIMIT 2', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(cos.rows.map((r) => Number(r.id)), [1, 2]);
  const ip = await client.query(
    'SELECT id, embedding <#> $1 AS d FROM node_items ORDER BY embedding <#> $1 LIMIT 1', [pgvector.toSql([1, 1, 1])]);
  assert.equal(Number(ip.rows[0].id), 2);
  assert.equal(ip.rows[0].d, -6);
});

await check('binary parameter is received by vector_recv', async () => {
  const { rows } = await client.query('SELECT ($1::vector)::text AS t', [encodeVector([3, -1.5, 0.125])]);
  assert.equal(rows[0].t, '[3,-1.5,0.125]');
});

await check('corrupt binary parameter is rejected with a clear error', async () => {
  const bad = encodeVector([1, 2]);
  bad.writeInt16BE(7, 2); // unused must be 0
  await assert.rejects(client.query('SELECT $1::vector', [bad]), /expected unused to be 0/);
});

await check('wrong dimensions are rejected', async () => {
  await assert.rejects(
    client.query('INSERT INTO node_items (embedding) VALUES ($1)', [pgvector.toSql([1, 2])]),
    /expected 3 dimensions, not 2/);
});

// Drizzle ORM: its vector column type and distance helpers
const documents = pgTable('drizzle_documents', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  embedding: vector('embedding', { dimensions: 3 }),
}, (t) => [index('drizzle_documents_embedding_idx').using('hnsw', t.embedding.op('vector_cosine_ops'))]);

const db = drizzle(client);
await check('drizzle: create schema, insert and order by cosineDistance', async () => {
  await db.execute(sql`DROP TABLE IF EXISTS drizzle_documents`);
  await db.execute(sql`CREATE TABLE drizzle_documents (id integer PRIMARY KEY, title text NOT NULL, embedding vector(3))`);
  await db.execute(sql`CREATE INDEX drizzle_documents_embedding_idx ON drizzle_documents USING hnsw (embedding vector_cosine_ops)`);
  await db.insert(documents).values([
    { id: 1, title: 'north', embedding: [0, 1, 0] },
    { id: 2, title: 'east', embedding: [1, 0, 0] },
    { id: 3, title: 'north-east', embedding: [1, 1, 0] },
  ]);
  const rows = await db.select({ title: documents.title, embedding: documents.embedding })
    .from(documents)
    .orderBy(cosineDistance(documents.embedding, [0.1, 1, 0]))
    .limit(2);
  assert.deepEqual(rows.map((r) => r.title), ['north', 'north-east']);
  assert.deepEqual(rows[0].embedding, [0, 1, 0]);
});

await check('drizzle: l2Distance in a where clause', async () => {
  const rows = await db.select({ id: documents.id }).from(documents)
    .where(sql`${l2Distance(documents.embedding, [1, 0, 0])} < 1.2`)
    .orderBy(documents.id);
  assert.deepEqual(rows.map((r) => r.id), [2, 3]);
});

await client.end();
