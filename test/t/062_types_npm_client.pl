# test/t/062_types_npm_client.pl: the npm pgvector package's own usage
# patterns (node-postgres + pgvector/pg) against vecrag.  Installs pg and
# pgvector with npm into this test's tmp dir (pinned: pgvector 0.2.1 is the
# last CommonJS release the script can require()), then runs
# 062_types_npm_client.js, which writes and reads vector, halfvec, bit and
# sparsevec columns through text and binary parameters.
# Skipped only when node or npm is missing.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

for my $tool ('node', 'npm')
{
	plan skip_all => "$tool is not installed (the npm client test needs Node.js and npm)"
	  if system("command -v $tool >/dev/null 2>&1") != 0;
}

my $dir = "$PostgreSQL::Test::Utils::tmp_check/npm_client";
mkdir $dir;
my $npm_log = "$dir/npm.log";
my $rc = system("cd '$dir' && npm_config_cache='$dir/cache' timeout 300 npm install --no-audit --no-fund "
	  . "--no-save --loglevel=error pg\@8.23.1 pgvector\@0.2.1 >'$npm_log' 2>&1");
is($rc, 0, 'npm install pg@8.23.1 pgvector@0.2.1') or diag(slurp_file($npm_log));

my $node = PostgreSQL::Test::Cluster->new('npm');
$node->init;
$node->start;

my $script = dirname(__FILE__) . '/062_types_npm_client.js';
local $ENV{NODE_PATH} = "$dir/node_modules";
local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGUSER} = scalar getpwuid($>);
local $ENV{PGDATABASE} = 'postgres';
my $out = `timeout 120 node '$script' 2>&1`;
my $exit = $? >> 8;
my @checks = grep { /^ok - / } split /\n/, $out;
pass($_) for @checks;
is($exit, 0, 'node client script succeeds') or diag($out);
is(scalar(@checks), 11, 'every client check ran');

$node->stop;
done_testing();
