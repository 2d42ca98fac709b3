# test/t/028_hnsw_reach.pl: VACUUM makes every live element of an hnsw index
# reachable again, and an iterative scan run to the end returns every row.
#
# Concurrent inserts can leave elements that no search reaches: an insert
# adding a back link to a full neighbour list re-chooses the list and drops
# one member.  The dropped elements need not lack in-links: in a run of
# 020_hnsw_crash.pl three elements (one holding 140 duplicate rows) linked
# only to each other, so VACUUM, which re-linked elements without in-links,
# left them out and a full iterative scan missed 142 rows.  Such graphs
# are made here deterministically by editing the index file of a stopped
# server: an island of two elements, then an entry point without level-0
# in-links (the element a scan's descent ends at need not reach it, so an
# iterative scan that has searched out what it reached goes on from it).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('reach');
$node->init;
$node->start;
if ($node->safe_psql('postgres', 'SHOW data_checksums') ne 'off')
{
	plan skip_all => 'the test edits index pages, which page checksums would reject';
}

$node->safe_psql('postgres', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE t (id int PRIMARY KEY, v vector(8));
	INSERT INTO t SELECT i, ('[' || array_to_string(ARRAY(SELECT round((sin(i * 7 + j * 13) * 10)::numeric, 3) FROM generate_series(1, 8) j), ',') || ']')::vector
	  FROM generate_series(1, 300) i;
	CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
});
my $path = $node->data_dir . '/'
  . $node->safe_psql('postgres', q{SELECT pg_relation_filepath('t_v')});
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');

my $INVALID = pack('vvv', 0xFFFF, 0xFFFF, 0);

sub tid_key
{
	my ($raw) = @_;
	my ($hi, $lo, $off) = unpack('vvv', $raw);
	return (($hi << 16) | $lo) . ',' . $off;
}

sub tid_raw
{
	my ($key) = @_;
	my ($blk, $off) = split(/,/, $key);
	return pack('vvv', $blk >> 16, $blk & 0xFFFF, $off);
}

# the index file's metapage fields, elements and neighbour tuples (the
# layout of src/hnsw/hnsw.h)
sub read_index
{
	open(my $fh, '<:raw', $path) or die "$path: $!";
	local $/;
	my $file = <$fh>;
	close($fh);
	my %g = (file => \$file, elements => {}, lists => {});
	my ($m, undef, $eblk, $eoff) = unpack('vvVv', substr($file, 24 + 12, 10));
	$g{m} = $m;
	$g{entry} = "$eblk,$eoff";
	for (my $blk = 1; $blk * 8192 < length($file); $blk++)
	{
		my $base = $blk * 8192;
		my $lower = unpack('v', substr($file, $base + 12, 2));
		for (my $i = 0; $i < ($lower - 24) / 4; $i++)
		{
			my $lp = unpack('V', substr($file, $base + 24 + 4 * $i, 4));
			next if (($lp >> 15) & 3) != 1;
			my $at = $base + ($lp & 0x7FFF);
			my ($type, $level, $deleted) = unpack('CCC', substr($file, $at, 3));
			my $key = "$blk," . ($i + 1);
			if ($type == 1)
			{
				$g{elements}{$key} = {
					level => $level,
					deleted => $deleted,
					heaptid => tid_key(substr($file, $at + 4, 6)),
					ntid => tid_key(substr($file, $at + 10, 6)) };
			}
			elsif ($type == 2)
			{
				$g{lists}{$key} = {
					at => $at + 4,
					count => unpack('v', substr($file, $at + 2, 2)) };
			}
		}
	}
	return \%g;
}

sub write_index
{
	my ($g) = @_;
	open(my $fh, '>:raw', $path) or die "$path: $!";
	print $fh ${ $g->{file} };
	close($fh);
}

# slot i of the neighbour tuple of element e (raw TID)
sub slot_pos
{
	my ($g, $e, $i) = @_;
	return $g->{lists}{ $g->{elements}{$e}{ntid} }{at} + 6 * $i;
}

# clear every link to one of the elements in %$victims on slots [0, $upto)
# of every neighbour tuple (level 0 is slots 0 .. 2m-1)
sub unlink_all
{
	my ($g, $victims, $upto) = @_;
	for my $l (values %{ $g->{lists} })
	{
		for (my $i = 0; $i < $l->{count} && $i < $upto; $i++)
		{
			my $pos = $l->{at} + 6 * $i;
			substr(${ $g->{file} }, $pos, 6) = $INVALID
			  if $victims->{ tid_key(substr(${ $g->{file} }, $pos, 6)) };
		}
	}
}

# live elements whose level-0 list holds $e
sub in_links
{
	my ($g, $e) = @_;
	my $n = 0;
	for my $x (keys %{ $g->{elements} })
	{
		next if $g->{elements}{$x}{deleted};
		for (my $i = 0; $i < 2 * $g->{m}; $i++)
		{
			if (tid_key(substr(${ $g->{file} }, slot_pos($g, $x, $i), 6)) eq $e)
			{
				$n++;
				last;
			}
		}
	}
	return $n;
}

sub full_scan_count
{
	my ($query) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SET hnsw.iterative_scan = relaxed_order;
		SET hnsw.max_scan_tuples = 10000000;
		SELECT count(DISTINCT id) FROM (SELECT id FROM t ORDER BY v <-> '$query') s;
	});
}

my $origin = '[0,0,0,0,0,0,0,0]';
is(full_scan_count($origin), $rows, 'a full iterative scan returns every row of a fresh index');

# 1. an island: two elements that link to each other and nothing else to them
$node->stop;
my $g = read_index();
my ($x, $y) = (sort grep { $g->{elements}{$_}{level} == 0 && $_ ne $g->{entry} }
	  keys %{ $g->{elements} })[ 0, 1 ];
unlink_all($g, { $x => 1, $y => 1 }, 1 << 16);
substr(${ $g->{file} }, slot_pos($g, $x, 0), 6) = tid_raw($y);
substr(${ $g->{file} }, slot_pos($g, $y, 0), 6) = tid_raw($x);
write_index($g);
$node->start;
is(full_scan_count($origin), $rows - 2, 'the two elements of an island are out of reach');
$node->safe_psql('postgres', 'VACUUM t');
is(full_scan_count($origin), $rows, 'after VACUUM a full iterative scan returns every row');

# 2. an entry point that no element links to on level 0
$node->stop;
$g = read_index();
my $entry = $g->{entry};
unlink_all($g, { $entry => 1 }, 2 * $g->{m});
write_index($g);
is(in_links($g, $entry), 0, 'the entry point has no level-0 in-link');
$node->start;
# a query far from the entry point, so the scan's descent leaves it
my $ev = $node->safe_psql('postgres',
	"SELECT v FROM t WHERE ctid = '($g->{elements}{$entry}{heaptid})'");
$ev =~ s/^\[|\]$//g;
my $far = '[' . join(',', map { -$_ } split(/,/, $ev)) . ']';
is(full_scan_count($far), $rows, 'an iterative scan also starts from the entry point');
$node->safe_psql('postgres', 'VACUUM t');
$node->stop;
$g = read_index();
cmp_ok(in_links($g, $entry), '>', 0, 'VACUUM links the entry point again');
$node->start;
is(full_scan_count($far), $rows, 'every row is found after that VACUUM');

$node->stop;
done_testing();
