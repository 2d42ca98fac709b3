# test/t/001_vector_basic.pl: the extension installs on a fresh node and its
# vector type round-trips through a table, COPY text and COPY binary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');
$node->safe_psql('postgres',
	"CREATE TABLE items (id int, v vector(3));
	 INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]'), (3, NULL);");
is($node->safe_psql('postgres', "SELECT id FROM items ORDER BY v <-> '[4,5,7]' LIMIT 1"),
	'2', 'nearest neighbour by L2');

my $copy = "$PostgreSQL::Test::Utils::tmp_check/items.bin";
$node->safe_psql('postgres',
	"COPY items TO '$copy' (FORMAT binary);
	 CREATE TABLE items2 (LIKE items);
	 COPY items2 FROM '$copy' (FORMAT binary);");
is($node->safe_psql('postgres',
	"SELECT count(*) FROM items a JOIN items2 b USING (id) WHERE a.v::text = b.v::text OR (a.v IS NULL AND b.v IS NULL)"),
	'3', 'binary COPY round trip keeps every row');

my ($ret, $out, $err) = $node->psql('postgres', "SELECT '[1,2]'::vector(3)");
like($err, qr/expected 3 dimensions, not 2/, 'typmod mismatch is an error');

$node->stop;
done_testing();
