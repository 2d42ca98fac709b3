# test/t/060_types_pgvector_parity.pl: halfvec, sparsevec and bit values read,
# print and travel through COPY BINARY exactly as pgvector's do.  pgvector is
# installed next to vecrag, so a second database of the same node runs
# CREATE EXTENSION vector and both get the same input; text output and binary
# COPY files must match byte for byte, and each side loads the other's file.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('parity');
$node->init;
$node->start;

my ($rc, $out, $err) = $node->psql('postgres', 'CREATE DATABASE pgv');
$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');
($rc, $out, $err) = $node->psql('pgv', 'CREATE EXTENSION vector');
if ($rc != 0)
{
	plan skip_all => "pgvector is not installed in this PostgreSQL: $err";
}

# Deterministic pseudo-random floats over the whole half range: normal,
# subnormal, below the smallest subnormal, and ties that round to even.
srand(20240605);
my @floats;
for my $i (1 .. 3000)
{
	my $exp = int(rand(46)) - 30;    # 2^-30 .. 2^15
	my $v = (1 + rand()) * 2**$exp;
	$v = 65504 if $v > 65504;
	$v = -$v if rand() < 0.5;
	push @floats, sprintf('%.9g', $v);
}
# exact midpoints between neighbouring halves (ties) and the subnormal edges
push @floats, qw(2049 2051 2053 1.00048828125 1.00146484375 2.98023223876953125e-08
  8.940696716308594e-08 6.1035156e-05 6.097555e-05 65519 -65519 0 -0);

my @halfvecs;
for (my $i = 0; $i < @floats; $i += 100)
{
	my $last = $i + 99 < $#floats ? $i + 99 : $#floats;
	push @halfvecs, '[' . join(',', @floats[ $i .. $last ]) . ']';
}
my @sparsevecs = ('{1:1.5,3:2}/5', '{}/1', '{1000000000:-3.25e-7}/1000000000',
	'{' . join(',', map { ($_ * 3) . ':' . $floats[$_] } grep { $floats[$_] != 0 } 1 .. 500) . '}/2000',
	'{' . join(',', map { ($_ * 2) . ':' . $floats[ $_ + 600 ] } grep { $floats[ $_ + 600 ] != 0 } 1 .. 900) . '}/2000',
	# out of order in text: both sort it
	'{5:1,2:-2.5,9:3}/10');
my @vectors = ('[1,-2,3.5,0,-0.0001,7,8,9,10]', '[' . join(',', @floats[ 0 .. 99 ]) . ']');

sub literal_rows
{
	my ($list, $type) = @_;
	return join(",\n", map { "($_->[0], '$_->[1]'::$type)" }
		  map { [ $_, $list->[$_] ] } 0 .. $#$list);
}

my $setup = "
	CREATE TABLE h (id int, v halfvec);
	INSERT INTO h VALUES " . literal_rows(\@halfvecs, 'halfvec') . ", (999, NULL);
	CREATE TABLE s (id int, v sparsevec);
	INSERT INTO s VALUES " . literal_rows(\@sparsevecs, 'sparsevec') . ", (999, NULL);
	CREATE TABLE b (id int, v bit varying);
	INSERT INTO b SELECT id, binary_quantize(v) FROM h WHERE v IS NOT NULL;
	INSERT INTO b VALUES " . join(',', map { "($_, binary_quantize('$vectors[$_]'::vector))" } 0 .. $#vectors + 0) . ";
	CREATE TABLE hv (id int, v vector);
	INSERT INTO hv VALUES " . literal_rows(\@vectors, 'vector') . ";";
$node->safe_psql($_, $setup) for ('postgres', 'pgv');

for my $query (
	'SELECT id, v FROM h ORDER BY id',
	'SELECT id, v FROM s ORDER BY id',
	'SELECT id, v FROM b ORDER BY id',
	'SELECT id, v::halfvec, (v::halfvec)::vector, v::sparsevec, (v::sparsevec)::vector FROM hv ORDER BY id',
	'SELECT id, v::vector, v::sparsevec, round(l2_norm(v)::numeric, 4), l2_normalize(v) FROM h WHERE v IS NOT NULL ORDER BY id',
	'SELECT id, v::vector, v::halfvec, round(l2_norm(v)::numeric, 4), l2_normalize(v) FROM s WHERE id <> 2 ORDER BY id',
	'SELECT a.id, b.id, a.v <~> b.v, a.v <%> b.v FROM b a, b b WHERE length(a.v) = length(b.v) ORDER BY 1, 2',
	'SELECT avg(v), sum(l2_normalize(v)) FROM h WHERE vector_dims(v) = 100')
{
	# (norms are rounded: pgvector is built with -fassociative-math, so its
	# sums may differ from ours in the last bit)
	my $ours = $node->safe_psql('postgres', $query);
	my $theirs = $node->safe_psql('pgv', $query);
	ok(length($ours) > 0, "query returns rows: $query");
	is($ours, $theirs, "same result as pgvector: $query");
}

# Distances are float sums: summation order (SIMD lanes, FMA) differs between
# implementations, so they agree to float precision rather than bit for bit.
{
	my $cols = 'a.id, b.id, a.v <-> b.v, a.v <#> b.v, a.v <=> b.v, a.v <+> b.v, l2_norm(a.v) * l2_norm(b.v)';
	my $query = "SELECT $cols FROM h a, h b "
	  . 'WHERE a.id < b.id AND vector_dims(a.v) = vector_dims(b.v) '
	  . "UNION ALL SELECT $cols FROM s a, s b "
	  . "WHERE a.id <= b.id AND a.v::text LIKE '%/2000' AND b.v::text LIKE '%/2000' ORDER BY 1, 2";
	my @ours = map { [ split /\|/ ] } split /\n/, $node->safe_psql('postgres', $query);
	my @theirs = map { [ split /\|/ ] } split /\n/, $node->safe_psql('pgv', $query);
	my $bad = 0;
	for my $r (0 .. $#theirs)
	{
		# rounding error bounds: relative for L2 and L1, relative to
		# |a| |b| for the inner product, absolute for cosine
		my $norms = $theirs[$r][6];
		my @tolerance = (0, 0, 1e-5 * $theirs[$r][2] + 1e-6, 1e-5 * $norms + 1e-6,
			1e-6, 1e-5 * $theirs[$r][5] + 1e-6);
		for my $c (0 .. 5)
		{
			my ($x, $y) = ($ours[$r][$c] // 'missing', $theirs[$r][$c]);
			next if $x eq $y;
			if ($x eq 'missing' || abs($x - $y) > $tolerance[$c])
			{
				diag("row $r column $c: vecrag $x, pgvector $y");
				$bad++;
			}
		}
	}
	ok(@theirs > 10, 'distance pairs computed: ' . scalar(@theirs));
	is(scalar(@ours), scalar(@theirs), 'same number of distance rows as pgvector');
	is($bad, 0, 'every distance agrees with pgvector to float precision');
}

my $dir = $PostgreSQL::Test::Utils::tmp_check;

sub slurp_bytes
{
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "cannot open $file: $!";
	local $/;
	my $data = <$fh>;
	close($fh);
	return $data;
}

for my $table (qw(h s b hv))
{
	$node->safe_psql('postgres', "COPY (SELECT * FROM $table ORDER BY id) TO '$dir/ours_$table.bin' (FORMAT binary)");
	$node->safe_psql('pgv', "COPY (SELECT * FROM $table ORDER BY id) TO '$dir/theirs_$table.bin' (FORMAT binary)");
	my $ours = slurp_bytes("$dir/ours_$table.bin");
	my $theirs = slurp_bytes("$dir/theirs_$table.bin");
	ok(length($ours) > 50, "binary COPY of $table has data");
	ok($ours eq $theirs, "binary COPY of $table is byte for byte pgvector's");

	# each side loads the other's file and ends up with the same values
	$node->safe_psql('postgres', "CREATE TABLE ${table}_in (LIKE $table); COPY ${table}_in FROM '$dir/theirs_$table.bin' (FORMAT binary)");
	$node->safe_psql('pgv', "CREATE TABLE ${table}_in (LIKE $table); COPY ${table}_in FROM '$dir/ours_$table.bin' (FORMAT binary)");
	is($node->safe_psql('postgres', "SELECT id, v FROM ${table}_in ORDER BY id"),
		$node->safe_psql('postgres', "SELECT id, v FROM $table ORDER BY id"),
		"vecrag loads pgvector's binary COPY of $table unchanged");
	is($node->safe_psql('pgv', "SELECT id, v FROM ${table}_in ORDER BY id"),
		$node->safe_psql('pgv', "SELECT id, v FROM $table ORDER BY id"),
		"pgvector loads vecrag's binary COPY of $table unchanged");
}

# Every one of the 63,488 finite halves survives binary COPY in and out
# unchanged, and prints (and reads back) as pgvector prints it.
my @finite = grep { ($_ & 0x7C00) != 0x7C00 } 0 .. 65535;
my $copy = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0);
for (my $i = 0; $i < @finite; $i += 64)
{
	my @chunk = @finite[ $i .. $i + 63 ];
	$copy .= pack('n', 2) . pack('N', 4) . pack('N', $i)
	  . pack('N', 4 + 2 * @chunk) . pack('nn', scalar(@chunk), 0) . pack('n*', @chunk);
}
$copy .= pack('n', 0xFFFF);
open(my $fh, '>:raw', "$dir/all_halves.bin") or die $!;
print $fh $copy;
close($fh);
for my $db ('postgres', 'pgv')
{
	$node->safe_psql($db, "CREATE TABLE all_halves (id int, v halfvec);
		COPY all_halves FROM '$dir/all_halves.bin' (FORMAT binary);
		COPY (SELECT * FROM all_halves ORDER BY id) TO '$dir/all_halves_$db.bin' (FORMAT binary)");
}
ok(slurp_bytes("$dir/all_halves_postgres.bin") eq $copy, 'every finite half survives binary COPY in and out');
my $text = $node->safe_psql('postgres', 'SELECT v FROM all_halves ORDER BY id');
is($text, $node->safe_psql('pgv', 'SELECT v FROM all_halves ORDER BY id'), 'every finite half prints as pgvector prints it');
is($node->safe_psql('postgres', 'SELECT count(*) FROM all_halves WHERE v::text::halfvec <> v OR halfvec_send(v::text::halfvec) <> halfvec_send(v)'),
	'0', 'every finite half reads back from its text form bit for bit');

$node->stop;
done_testing();
