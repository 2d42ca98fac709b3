# test/t/081_clients_node.pl: real clients against vecrag.  Installs the npm
# packages of test/clients/node (pg, pgvector, drizzle-orm) into a scratch
# directory and runs clients.mjs, which prints one ok/not ok line per check.
use strict;
use warnings;
use File::Copy;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'node and npm are needed for the client tests'
  unless system('command -v node >/dev/null && command -v npm >/dev/null') == 0;

my $src = "$ENV{VECRAG_REPO}/test/clients/node";
my $dir = "$PostgreSQL::Test::Utils::tmp_check/node-clients";
mkdir $dir;
copy("$src/$_", "$dir/$_") or die "copy $_: $!" for ('package.json', 'clients.mjs');
my ($out, $err) = ('', '');
my $installed = IPC::Run::run(
	[ 'npm', 'install', '--no-audit', '--no-fund', '--prefix', $dir ],
	'>', \$out, '2>', \$err, IPC::Run::timeout(600));
ok($installed, 'npm install pg, pgvector, drizzle-orm') or diag($err);

my $node = PostgreSQL::Test::Cluster->new('clients');
$node->init;
$node->start;

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGUSER} = scalar getpwuid($<);
local $ENV{PGDATABASE} = 'postgres';
($out, $err) = ('', '');
IPC::Run::run([ 'node', "$dir/clients.mjs" ], '>', \$out, '2>', \$err, IPC::Run::timeout(300));
my $checks = 0;
for my $line (split /\n/, $out)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 8, "node script ran all its checks ($checks)") or diag("stdout:\n$out\nstderr:\n$err");

$node->stop;
done_testing();
