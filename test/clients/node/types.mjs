// test/clients/node/types.mjs: run by test/t/062_types_npm_client.pl from
// the shared install of test/clients/node (pg and pgvector as locked there).
// Follows the npm pgvector package's README for node-postgres (registerTypes,
// toSql, SparseVector) against vecrag: a table with vector, halfvec, bit and
// sparsevec columns, written and read with text parameters and results, then
// with binary parameters (Buffers, which node-postgres sends in binary
// format, built in pgvector's wire format).  Binary results are not checked
// here: node-postgres decodes every result field as UTF-8 text, so it cannot
// receive them; 060_types_pgvector_parity.pl proves the binary output.
// Prints "ok - what" per check; any failure throws (exit 1).
import assert from 'node:assert/strict';
import pg from 'pg';
import pgvector from 'pgvector/pg';
import { SparseVector } from 'pgvector';

function ok(what) {
  console.log('ok - ' + what);
}

// pgvector's binary formats, built by hand (network byte order)
function vectorBinary(values) {
  const buf = Buffer.alloc(4 + 4 * values.length);
  buf.writeInt16BE(values.length, 0);
  buf.writeInt16BE(0, 2);
  values.forEach((v, i) => buf.writeFloatBE(v, 4 + 4 * i));
  return buf;
}

// exact for the normal, representable values used here
function toHalf(x) {
  if (x === 0) return Object.is(x, -0) ? 0x8000 : 0;
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  const m = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | m;
}

function halfvecBinary(values) {
  const buf = Buffer.alloc(4 + 2 * values.length);
  buf.writeInt16BE(values.length, 0);
  buf.writeInt16BE(0, 2);
  values.forEach((v, i) => buf.writeUInt16BE(toHalf(v), 4 + 2 * i));
  return buf;
}

function sparsevecBinary(dim, indices, values) {
  const buf = Buffer.alloc(12 + 8 * indices.length);
  buf.writeInt32BE(dim, 0);
  buf.writeInt32BE(indices.length, 4);
  buf.writeInt32BE(0, 8);
  indices.forEach((v, i) => buf.writeInt32BE(v, 12 + 4 * i));
  values.forEach((v, i) => buf.writeFloatBE(v, 12 + 4 * indices.length + 4 * i));
  return buf;
}

function bitBinary(bits) {
  const buf = Buffer.alloc(4 + Math.ceil(bits.length / 8));
  buf.writeInt32BE(bits.length, 0);
  for (let i = 0; i < bits.length; i++)
    if (bits[i] === '1') buf[4 + (i >> 3)] |= 0x80 >> (i & 7);
  return buf;
}

async function main() {
  const client = new pg.Client();
  await client.connect();

  // the README's setup, with vecrag providing the types
  await client.query('CREATE EXTENSION IF NOT EXISTS vecrag');
  await pgvector.registerTypes(client);
  ok('registerTypes finds vector, halfvec and sparsevec');

  await client.query(`CREATE TABLE items (id bigserial PRIMARY KEY,
    embedding vector(3), half_embedding halfvec(3), binary_embedding bit(3),
    sparse_embedding sparsevec(3))`);

  // text parameters, exactly as the README shows
  await client.query(
    'INSERT INTO items (embedding, half_embedding, binary_embedding, sparse_embedding) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8), ($9, $10, $11, $12)',
    [
      pgvector.toSql([1, 1, 1]), pgvector.toSql([1, 1, 1]), '000', pgvector.toSql(new SparseVector([1, 1, 1])),
      pgvector.toSql([2, 2, 2]), pgvector.toSql([2, 2, 2]), '101', pgvector.toSql(new SparseVector([2, 2, 2])),
      pgvector.toSql([1, 1, 2]), pgvector.toSql([1, 1, 2]), '111', pgvector.toSql(new SparseVector([1, 1, 2])),
    ]);
  ok('insert with text parameters');

  const byId = (rows) => rows.map((r) => Number(r.id));
  let res = await client.query('SELECT * FROM items ORDER BY embedding <-> $1 LIMIT 5', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(byId(res.rows), [1, 3, 2]);
  assert.deepEqual(res.rows[0].embedding, [1, 1, 1]);
  assert.deepEqual(res.rows[0].half_embedding, [1, 1, 1]);
  assert.equal(res.rows[0].binary_embedding, '000');
  assert.deepEqual(res.rows[0].sparse_embedding.toArray(), [1, 1, 1]);
  ok('vector <-> order and text results parse');

  res = await client.query('SELECT * FROM items ORDER BY half_embedding <-> $1 LIMIT 5', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(byId(res.rows), [1, 3, 2]);
  res = await client.query('SELECT * FROM items ORDER BY half_embedding <#> $1 LIMIT 5', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(byId(res.rows), [2, 3, 1]);
  res = await client.query('SELECT * FROM items ORDER BY half_embedding <=> $1, id LIMIT 5', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(byId(res.rows), [1, 2, 3]);
  res = await client.query('SELECT * FROM items ORDER BY half_embedding <+> $1 LIMIT 5', [pgvector.toSql([1, 1, 1])]);
  assert.deepEqual(byId(res.rows), [1, 3, 2]);
  ok('halfvec <->, <#>, <=>, <+> order');

  res = await client.query('SELECT * FROM items ORDER BY binary_embedding <~> $1, id LIMIT 5', ['101']);
  assert.deepEqual(byId(res.rows), [2, 3, 1]);
  res = await client.query('SELECT * FROM items ORDER BY binary_embedding <%> $1, id LIMIT 5', ['101']);
  assert.deepEqual(byId(res.rows), [2, 3, 1]);
  ok('bit <~> and <%> order');

  res = await client.query('SELECT * FROM items ORDER BY sparse_embedding <-> $1 LIMIT 5', [pgvector.toSql(new SparseVector([1, 1, 1]))]);
  assert.deepEqual(byId(res.rows), [1, 3, 2]);
  res = await client.query('SELECT * FROM items ORDER BY sparse_embedding <#> $1 LIMIT 5', [pgvector.toSql(new SparseVector([1, 1, 1]))]);
  assert.deepEqual(byId(res.rows), [2, 3, 1]);
  ok('sparsevec <-> and <#> order');

  // SparseVector from an object and from a Map whose keys are out of order
  await client.query('INSERT INTO items (id, sparse_embedding) VALUES (10, $1), (11, $2)',
    [new SparseVector({ 0: 1.5, 2: -2 }, 3), new SparseVector(new Map([[2, 3], [0, 4]]), 3)]);
  res = await client.query('SELECT id, sparse_embedding FROM items WHERE id >= 10 ORDER BY id');
  assert.deepEqual(res.rows[0].sparse_embedding.toArray(), [1.5, 0, -2]);
  assert.deepEqual(res.rows[1].sparse_embedding.toArray(), [4, 0, 3]);
  assert.equal(res.rows[1].sparse_embedding.toPostgres(), '{1:4,3:3}/3');
  ok('SparseVector from an object and from an unordered Map');

  // binary quantization with rerank, as pgvector's README shows
  res = await client.query(`SELECT id FROM (SELECT id, embedding FROM items WHERE embedding IS NOT NULL
      ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize($1::vector) LIMIT 20) t
    ORDER BY embedding <=> $1::vector, id LIMIT 2`, [pgvector.toSql([2, 2, 2])]);
  assert.deepEqual(byId(res.rows), [1, 2]);
  ok('binary_quantize rerank query');

  // binary parameters: Buffers are sent in binary format, read by *_recv
  await client.query(
    'INSERT INTO items (id, embedding, half_embedding, binary_embedding, sparse_embedding) VALUES (20, $1, $2, $3, $4)',
    [vectorBinary([0.5, -1, 3]), halfvecBinary([0.5, -1, 3]), bitBinary('110'), sparsevecBinary(3, [0, 2], [0.5, 3])]);
  res = await client.query('SELECT embedding, half_embedding, binary_embedding, sparse_embedding FROM items WHERE id = 20');
  assert.deepEqual(res.rows[0].embedding, [0.5, -1, 3]);
  assert.deepEqual(res.rows[0].half_embedding, [0.5, -1, 3]);
  assert.equal(res.rows[0].binary_embedding, '110');
  assert.equal(res.rows[0].sparse_embedding.toPostgres(), '{1:0.5,3:3}/3');
  ok('insert with binary parameters');

  res = await client.query('SELECT id FROM items WHERE half_embedding IS NOT NULL ORDER BY half_embedding <-> $1, id LIMIT 1',
    [halfvecBinary([0.5, -1, 3])]);
  assert.deepEqual(byId(res.rows), [20]);
  res = await client.query('SELECT id FROM items WHERE sparse_embedding IS NOT NULL ORDER BY sparse_embedding <-> $1, id LIMIT 1',
    [sparsevecBinary(3, [0, 2], [0.5, 3])]);
  assert.deepEqual(byId(res.rows), [20]);
  ok('query with binary parameters');

  // a corrupt binary parameter is an error, not a crash or a wrong row
  await assert.rejects(client.query('SELECT $1::sparsevec', [sparsevecBinary(3, [2, 0], [1, 1])]),
    /sparsevec indices must be in ascending order/);
  await assert.rejects(client.query('SELECT $1::halfvec', [Buffer.from([0, 2, 0, 0, 0x3c])]),
    /invalid binary halfvec/);
  ok('corrupt binary parameters are rejected');

  await client.end();
}

main().catch((err) => {
  console.error('not ok - ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
