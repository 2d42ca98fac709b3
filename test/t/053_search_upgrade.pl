# test/t/053_search_upgrade.pl: BM25 indexes created under vecrag 0.1.0 keep
# working after ALTER EXTENSION vecrag UPDATE, which gives them the 0.1.1
# maintenance function and triggers (the index then follows RENAME COLUMN,
# and the function stays out of the extension), records their dependencies
# (QA B4, B6), gives their side tables a replica identity and makes their
# TRUNCATE trigger fire under replication; a broken index only draws a
# warning.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag VERSION '0.1.0';
	CREATE SCHEMA "Odd Schema";
	CREATE TABLE "Odd Schema".docs (id int PRIMARY KEY, body text);
	INSERT INTO "Odd Schema".docs SELECT i, 'apple ' || repeat('pie ', i % 4) || 'doc' || i FROM generate_series(1, 50) i;
	SELECT vecrag.bm25_create_index('"Odd Schema".docs', 'body');
	CREATE TABLE broken (id int PRIMARY KEY, body text);
	SELECT vecrag.bm25_create_index('broken', 'body');
	DROP TABLE broken_body_bm25_stats;
});
my $query = q{SELECT string_agg(id || ':' || round(score::numeric, 9), ',' ORDER BY rank)
			  FROM vecrag.bm25_search('"Odd Schema".docs_body_bm25', 'apple pie', k => 20)};
my $before = $node->safe_psql('postgres', $query);

my ($ret, $out, $err) = $node->psql('postgres', q{ALTER EXTENSION vecrag UPDATE TO '0.1.1'});
is($ret, 0, 'ALTER EXTENSION UPDATE succeeds');
like($err, qr/WARNING:  BM25 index public\.broken_body_bm25 on table broken was not updated/,
	'a broken index draws a warning, not a failure');
is($node->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'vecrag'}), '0.1.1', 'updated');

is($node->safe_psql('postgres', $query), $before, 'same results after the update');
$node->safe_psql('postgres', q{INSERT INTO "Odd Schema".docs VALUES (100, 'apple apple pie pie pie')});
like($node->safe_psql('postgres', $query), qr/^100:/, 'the new maintenance function indexes writes');
is($node->safe_psql('postgres', q{
	SELECT string_agg(tgname || ' ' || tgenabled::text, ', ' ORDER BY tgname) FROM pg_trigger
	WHERE tgrelid = '"Odd Schema".docs'::regclass AND NOT tgisinternal}),
	'docs_body_bm25_apply_delete R, docs_body_bm25_apply_insert R, docs_body_bm25_apply_update R, '
	. 'docs_body_bm25_delete O, docs_body_bm25_insert O, docs_body_bm25_truncate A, docs_body_bm25_update O',
	'the index has the 0.1.1 triggers');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_depend WHERE objid = '"Odd Schema".docs_body_bm25_maintain'::regproc AND deptype = 'e'}),
	'0', 'the new maintenance function is no member of the extension');
$node->safe_psql('postgres', q{ALTER TABLE "Odd Schema".docs RENAME COLUMN body TO content;
	INSERT INTO "Odd Schema".docs VALUES (101, 'apple apple apple pie pie pie pie')});
like($node->safe_psql('postgres', $query), qr/^101:/, 'the updated index follows a renamed column');

is($node->safe_psql('postgres', q{
	SELECT string_agg(pg_describe_object(refclassid, refobjid, 0) || ' ' || deptype::text, ', ' ORDER BY deptype)
	FROM pg_depend WHERE classid = 'pg_class'::regclass AND objid = '"Odd Schema".docs_body_bm25'::regclass
	  AND refclassid IN ('pg_class'::regclass, 'pg_extension'::regclass)}),
	'table "Odd Schema".docs a, extension vecrag n', 'dependencies recorded');
is($node->safe_psql('postgres', q{
	SELECT string_agg(relreplident::text, '' ORDER BY relname) FROM pg_class
	WHERE relnamespace = '"Odd Schema"'::regnamespace AND relname IN
	  ('docs_body_bm25_postings', 'docs_body_bm25_terms', 'docs_body_bm25_stats')}),
	'fff', 'side tables have REPLICA IDENTITY FULL');
is($node->safe_psql('postgres', q{
	SELECT tgenabled FROM pg_trigger WHERE tgname = 'docs_body_bm25_truncate'}), 'A', 'TRUNCATE trigger ENABLE ALWAYS');

($ret, $out, $err) = $node->psql('postgres', 'DROP EXTENSION vecrag');
like($err, qr/cannot drop extension vecrag because other objects depend on it/, 'DROP EXTENSION refused');
$node->safe_psql('postgres', q{SELECT vecrag.bm25_drop_index('broken_body_bm25')});
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'broken_body_bm25%'}), '0',
	'bm25_drop_index removes what is left of a broken index');
$node->safe_psql('postgres', 'DROP TABLE "Odd Schema".docs');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'docs_body_bm25%'}), '0',
	'DROP TABLE of the source drops the updated index');

$node->stop;
done_testing();
