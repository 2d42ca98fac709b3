# test/t/003_vector_pgvector_compat.pl: vecrag's vector is pgvector's vector
# on the wire and in results.  The same values go into vecrag in one database
# and pgvector (when installed) in another database of the same node; their
# binary and text COPY output must be byte-identical, each must load the
# other's binary COPY file, and the functions both have must agree: exactly
# for element-wise results, within float rounding for sums (distances and
# norms), which pgvector lets the compiler reorder and our kernels add in
# SIMD lanes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

if ($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'") ne '1')
{
	$node->stop;
	plan skip_all => 'pgvector is not installed in this PostgreSQL';
}

$node->safe_psql('postgres', 'CREATE DATABASE vr; CREATE DATABASE pgv;');
$node->safe_psql('vr',  'CREATE EXTENSION vecrag');
$node->safe_psql('pgv', 'CREATE EXTENSION vector');
note('pgvector ' . $node->safe_psql('pgv',
	"SELECT extversion FROM pg_extension WHERE extname = 'vector'"));

# Deterministic values: float4-rounded, printed with enough digits that
# both parsers read the same float; plus edge values.
srand(20261126);
my $dim = 37;
my @rows;
for my $i (1 .. 40)
{
	my @x = map {
		my $r = (rand() - 0.5) * 20;
		$r = 0 if rand() < 0.05;
		$r /= 1e6 if rand() < 0.05;
		sprintf('%.9g', unpack('f', pack('f', $r)))
	} 1 .. $dim;
	push @rows, "($i, '[" . join(',', @x) . "]')";
}
push @rows, "(41, '[" . join(',', ('-0') x $dim) . "]')";
push @rows, "(42, '[" . join(',', map { $_ % 2 ? '3.4028235e38' : '-1e-45' } 1 .. $dim) . "]')";
push @rows, "(43, '[1]')";
push @rows, "(44, '[" . join(',', map { sprintf('%.9g', sin($_) * 100) } 1 .. 16000) . "]')";
my $insert = 'CREATE TABLE items (id int, v vector); INSERT INTO items VALUES '
  . join(', ', @rows);
$node->safe_psql($_, $insert) for qw(vr pgv);

my $dir = PostgreSQL::Test::Utils::tempdir;

sub slurp_bytes
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
	local $/;
	my $data = <$fh>;
	close($fh);
	return $data;
}

for my $format (qw(binary text))
{
	for my $db (qw(vr pgv))
	{
		$node->safe_psql($db,
			"COPY (SELECT * FROM items ORDER BY id) TO '$dir/$db.$format' (FORMAT $format)");
	}
	my $ours = slurp_bytes("$dir/vr.$format");
	my $theirs = slurp_bytes("$dir/pgv.$format");
	ok(length($ours) > 64000, "$format COPY output holds the 16000-dimension row");
	ok($ours eq $theirs, "$format COPY output is byte-identical to pgvector's");
}

# each loads the other's binary file; the text form stays the same
$node->safe_psql('vr', "CREATE TABLE loaded (LIKE items); COPY loaded FROM '$dir/pgv.binary' (FORMAT binary)");
$node->safe_psql('pgv', "CREATE TABLE loaded (LIKE items); COPY loaded FROM '$dir/vr.binary' (FORMAT binary)");
for my $db (qw(vr pgv))
{
	is($node->safe_psql($db,
		'SELECT count(*) FROM items i JOIN loaded l USING (id) WHERE i.v::text = l.v::text'),
		'44', "$db loads the other extension's binary COPY");
}

# the same functions give the same results
my $exact = <<'SQL';
SELECT a.id, b.id, a.v + b.v, a.v - b.v, a.v * b.v, a.v || b.v,
       a.v < b.v, a.v <= b.v, a.v = b.v, a.v <> b.v, a.v >= b.v, a.v > b.v, vector_cmp(a.v, b.v)
FROM items a JOIN items b ON a.id < b.id
WHERE a.id <= 41 AND b.id <= 41 ORDER BY 1, 2
SQL
my $unary = <<'SQL';
SELECT id, l2_normalize(v), subvector(v, 2, 5), subvector(v, -3, 6), binary_quantize(v)::text,
       vector_dims(v), v::real[]
FROM items WHERE id <> 43 ORDER BY id
SQL
my $aggs = <<'SQL';
SELECT avg(v), sum(v) FROM items WHERE id <= 40
SQL
my $casts = <<'SQL';
SELECT ARRAY[1,2,3]::vector, ARRAY[1.5,2.25]::real[]::vector, ARRAY[0.1,1e-40]::float8[]::vector,
       ARRAY[0.1,123456.789]::numeric[]::vector, ARRAY[16777217]::vector
SQL
for my $q ([ 'element-wise operators and comparisons', $exact ],
	[ 'unary functions and casts to real[]', $unary ],
	[ 'avg and sum', $aggs ],
	[ 'casts from arrays', $casts ])
{
	my ($name, $sql) = @$q;
	my $ours = $node->safe_psql('vr', $sql);
	my $theirs = $node->safe_psql('pgv', $sql);
	ok(length($ours) > 0, "$name: results not empty");
	ok($ours eq $theirs, "$name: same results as pgvector");
}

# Distances and norms, each compared with a tolerance scaled to the size of
# its terms: |a| |b| for inner products (whose terms may cancel), the value
# itself otherwise.
my $dist = <<'SQL';
SELECT a.id, b.id, vector_norm(a.v) * vector_norm(b.v),
       a.v <-> b.v, l2_distance(a.v, b.v), a.v <+> b.v, l1_distance(a.v, b.v),
       vector_norm(a.v), a.v <=> b.v, cosine_distance(a.v, b.v),
       a.v <#> b.v, inner_product(a.v, b.v)
FROM items a JOIN items b ON a.id < b.id
WHERE a.id <= 40 AND b.id <= 40 ORDER BY 1, 2
SQL
my @ours = split /\n/, $node->safe_psql('vr', $dist);
my @theirs = split /\n/, $node->safe_psql('pgv', $dist);
is(scalar(@ours), 780, 'distance rows');
is(scalar(@theirs), 780, 'same number of distance rows from pgvector');
my $worst = 0;
for my $r (0 .. $#ours)
{
	my @a = split /\|/, $ours[$r];
	my @b = split /\|/, $theirs[$r];
	for my $c (3 .. $#a)
	{
		my $size = $c >= 10 ? 1 + $b[2] : 1 + abs($b[$c]);
		my $err = abs($a[$c] - $b[$c]) / $size;
		$worst = $err if $err > $worst;
	}
}
cmp_ok($worst, '<', 1e-5, "distances and norms agree with pgvector (worst scaled difference $worst)");

$node->stop;
done_testing();
