-- vecrag install script for the current version (the Makefile installs it as
-- vecrag--<default_version>.sql). Released versions are frozen in sql/vecrag--X.Y.Z.sql;
-- every change made here also goes into the upgrade script sql/vecrag--A--B.sql, and
-- test/t/083_extension_upgrade.pl proves an updated install equals a fresh one.
-- pgvector's names (types, operators, functions, opclasses) go in the schema the
-- extension is installed into; everything vecrag adds goes in schema vecrag.
-- Sections, in dependency order, one per room; each room edits only its own.

\echo Use "CREATE EXTENSION vecrag" to load this file. \quit

CREATE SCHEMA vecrag;
GRANT USAGE ON SCHEMA vecrag TO PUBLIC;

-------------------------------------------------------------------------------
-- section: vector type (src/vector)
-------------------------------------------------------------------------------

CREATE TYPE vector;

CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_out(vector) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_out(integer) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_recv(internal, oid, integer) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_send(vector) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vector (
	INPUT     = vector_in,
	OUTPUT    = vector_out,
	TYPMOD_IN = vector_typmod_in,
	TYPMOD_OUT = vector_typmod_out,
	RECEIVE   = vector_recv,
	SEND      = vector_send,
	STORAGE   = external
);

CREATE FUNCTION vector(vector, integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (vector AS vector)
	WITH FUNCTION vector(vector, integer, boolean) AS IMPLICIT;

CREATE FUNCTION l2_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_dims(vector) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_norm(vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- index support: squared L2 and negated inner product order like <-> and <#>
CREATE FUNCTION vector_l2_squared_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_negative_inner_product(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR <-> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l2_distance,
	COMMUTATOR = '<->'
);
CREATE OPERATOR <#> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_negative_inner_product,
	COMMUTATOR = '<#>'
);
CREATE OPERATOR <=> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = cosine_distance,
	COMMUTATOR = '<=>'
);
CREATE OPERATOR <+> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l1_distance,
	COMMUTATOR = '<+>'
);

CREATE FUNCTION vector_spherical_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_normalize(vector) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_quantize(vector) RETURNS bit
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION subvector(vector, int, int) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- element-wise arithmetic and concatenation
CREATE FUNCTION vector_add(vector, vector) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_sub(vector, vector) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_mul(vector, vector) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_concat(vector, vector) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR + (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_add,
	COMMUTATOR = +
);
CREATE OPERATOR - (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_sub
);
CREATE OPERATOR * (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_mul,
	COMMUTATOR = *
);
CREATE OPERATOR || (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_concat
);

-- comparison: element by element, then dimensions (btree order)
CREATE FUNCTION vector_lt(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_le(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_eq(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_ne(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_ge(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_gt(vector, vector) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_cmp(vector, vector) RETURNS int4
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR < (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_lt,
	COMMUTATOR = > , NEGATOR = >= ,
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_le,
	COMMUTATOR = >= , NEGATOR = > ,
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
-- MERGES (which pgvector leaves out) lets the planner merge-join on vector
-- equality through vector_ops
CREATE OPERATOR = (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_eq,
	COMMUTATOR = = , NEGATOR = <> ,
	RESTRICT = eqsel, JOIN = eqjoinsel, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ne,
	COMMUTATOR = <> , NEGATOR = = ,
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ge,
	COMMUTATOR = <= , NEGATOR = < ,
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR > (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_gt,
	COMMUTATOR = < , NEGATOR = <= ,
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR CLASS vector_ops
	DEFAULT FOR TYPE vector USING btree AS
	OPERATOR 1 < ,
	OPERATOR 2 <= ,
	OPERATOR 3 = ,
	OPERATOR 4 >= ,
	OPERATOR 5 > ,
	FUNCTION 1 vector_cmp(vector, vector);

-- aggregates: avg keeps a float8[] state {count, sum_1, ..., sum_dim};
-- sum adds in float4 with vector_add, as pgvector does
CREATE FUNCTION vector_accum(double precision[], vector) RETURNS double precision[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_combine(double precision[], double precision[]) RETURNS double precision[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_avg(double precision[]) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE avg(vector) (
	SFUNC = vector_accum,
	STYPE = double precision[],
	FINALFUNC = vector_avg,
	COMBINEFUNC = vector_combine,
	INITCOND = '{0}',
	PARALLEL = SAFE
);
CREATE AGGREGATE sum(vector) (
	SFUNC = vector_add,
	STYPE = vector,
	COMBINEFUNC = vector_add,
	PARALLEL = SAFE
);

-- casts between arrays and vector
CREATE FUNCTION array_to_vector(integer[], integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(real[], integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(double precision[], integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(numeric[], integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_to_float4(vector, integer, boolean) RETURNS real[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (vector AS real[])
	WITH FUNCTION vector_to_float4(vector, integer, boolean) AS IMPLICIT;
CREATE CAST (integer[] AS vector)
	WITH FUNCTION array_to_vector(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS vector)
	WITH FUNCTION array_to_vector(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS vector)
	WITH FUNCTION array_to_vector(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS vector)
	WITH FUNCTION array_to_vector(numeric[], integer, boolean) AS ASSIGNMENT;

COMMENT ON TYPE vector IS 'single-precision vector';
COMMENT ON FUNCTION l2_distance(vector, vector) IS 'Euclidean distance';
COMMENT ON FUNCTION inner_product(vector, vector) IS 'inner product';
COMMENT ON FUNCTION cosine_distance(vector, vector) IS 'cosine distance';
COMMENT ON FUNCTION l1_distance(vector, vector) IS 'taxicab distance';
COMMENT ON FUNCTION vector_dims(vector) IS 'number of dimensions';
COMMENT ON FUNCTION vector_norm(vector) IS 'Euclidean norm';
COMMENT ON FUNCTION l2_normalize(vector) IS 'normalize with Euclidean norm';
COMMENT ON FUNCTION binary_quantize(vector) IS 'binary quantize';
COMMENT ON FUNCTION subvector(vector, int, int) IS 'subvector';
COMMENT ON FUNCTION vector_spherical_distance(vector, vector) IS 'angular distance of unit vectors';
COMMENT ON OPERATOR <-> (vector, vector) IS 'Euclidean distance';
COMMENT ON OPERATOR <#> (vector, vector) IS 'negative inner product';
COMMENT ON OPERATOR <=> (vector, vector) IS 'cosine distance';
COMMENT ON OPERATOR <+> (vector, vector) IS 'taxicab distance';
COMMENT ON OPERATOR + (vector, vector) IS 'add';
COMMENT ON OPERATOR - (vector, vector) IS 'subtract';
COMMENT ON OPERATOR * (vector, vector) IS 'multiply';
COMMENT ON OPERATOR || (vector, vector) IS 'concatenate';
COMMENT ON OPERATOR < (vector, vector) IS 'less than';
COMMENT ON OPERATOR <= (vector, vector) IS 'less than or equal';
COMMENT ON OPERATOR = (vector, vector) IS 'equal';
COMMENT ON OPERATOR <> (vector, vector) IS 'not equal';
COMMENT ON OPERATOR >= (vector, vector) IS 'greater than or equal';
COMMENT ON OPERATOR > (vector, vector) IS 'greater than';
COMMENT ON AGGREGATE avg(vector) IS 'the average (arithmetic mean) as vector of all vector values';
COMMENT ON AGGREGATE sum(vector) IS 'sum as vector across all vector input values';

-------------------------------------------------------------------------------
-- section: halfvec, sparsevec and bit vectors (src/vector)
-------------------------------------------------------------------------------

-- halfvec: half-precision vectors (pgvector's names, formats and behaviour)

CREATE TYPE halfvec;

CREATE FUNCTION halfvec_in(cstring, oid, integer) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_out(halfvec) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_recv(internal, oid, integer) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_send(halfvec) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE halfvec (
	INPUT     = halfvec_in,
	OUTPUT    = halfvec_out,
	TYPMOD_IN = halfvec_typmod_in,
	RECEIVE   = halfvec_recv,
	SEND      = halfvec_send,
	STORAGE   = external
);
COMMENT ON TYPE halfvec IS 'half-precision vector';

CREATE FUNCTION l2_distance(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME', 'halfvec_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME', 'halfvec_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME', 'halfvec_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME', 'halfvec_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_dims(halfvec) RETURNS integer
	AS 'MODULE_PATHNAME', 'halfvec_vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_norm(halfvec) RETURNS float8
	AS 'MODULE_PATHNAME', 'halfvec_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_normalize(halfvec) RETURNS halfvec
	AS 'MODULE_PATHNAME', 'halfvec_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_quantize(halfvec) RETURNS bit
	AS 'MODULE_PATHNAME', 'halfvec_binary_quantize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION subvector(halfvec, int, int) RETURNS halfvec
	AS 'MODULE_PATHNAME', 'halfvec_subvector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_add(halfvec, halfvec) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_sub(halfvec, halfvec) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_mul(halfvec, halfvec) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_concat(halfvec, halfvec) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_lt(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_le(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_eq(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_ne(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_ge(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_gt(halfvec, halfvec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_cmp(halfvec, halfvec) RETURNS int4
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- index support: squared L2 and negated inner product order like <-> and <#>;
-- spherical (angular) distance of unit vectors for spherical k-means
CREATE FUNCTION halfvec_l2_squared_distance(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_negative_inner_product(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_spherical_distance(halfvec, halfvec) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_accum(double precision[], halfvec) RETURNS double precision[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_avg(double precision[]) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_combine(double precision[], double precision[]) RETURNS double precision[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE avg(halfvec) (
	SFUNC = halfvec_accum,
	STYPE = double precision[],
	FINALFUNC = halfvec_avg,
	COMBINEFUNC = halfvec_combine,
	INITCOND = '{0}',
	PARALLEL = SAFE
);
CREATE AGGREGATE sum(halfvec) (
	SFUNC = halfvec_add,
	STYPE = halfvec,
	COMBINEFUNC = halfvec_add,
	PARALLEL = SAFE
);

CREATE FUNCTION halfvec(halfvec, integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_to_vector(halfvec, integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_to_halfvec(vector, integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_halfvec(integer[], integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_halfvec(real[], integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_halfvec(double precision[], integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_halfvec(numeric[], integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_to_float4(halfvec, integer, boolean) RETURNS real[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (halfvec AS halfvec)
	WITH FUNCTION halfvec(halfvec, integer, boolean) AS IMPLICIT;
CREATE CAST (halfvec AS vector)
	WITH FUNCTION halfvec_to_vector(halfvec, integer, boolean) AS ASSIGNMENT;
CREATE CAST (vector AS halfvec)
	WITH FUNCTION vector_to_halfvec(vector, integer, boolean) AS IMPLICIT;
CREATE CAST (halfvec AS real[])
	WITH FUNCTION halfvec_to_float4(halfvec, integer, boolean) AS ASSIGNMENT;
CREATE CAST (integer[] AS halfvec)
	WITH FUNCTION array_to_halfvec(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS halfvec)
	WITH FUNCTION array_to_halfvec(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS halfvec)
	WITH FUNCTION array_to_halfvec(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS halfvec)
	WITH FUNCTION array_to_halfvec(numeric[], integer, boolean) AS ASSIGNMENT;

CREATE OPERATOR <-> (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = l2_distance,
	COMMUTATOR = '<->'
);
CREATE OPERATOR <#> (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_negative_inner_product,
	COMMUTATOR = '<#>'
);
CREATE OPERATOR <=> (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = cosine_distance,
	COMMUTATOR = '<=>'
);
CREATE OPERATOR <+> (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = l1_distance,
	COMMUTATOR = '<+>'
);
CREATE OPERATOR + (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_add,
	COMMUTATOR = +
);
CREATE OPERATOR - (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_sub
);
CREATE OPERATOR * (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_mul,
	COMMUTATOR = *
);
CREATE OPERATOR || (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_concat
);
CREATE OPERATOR < (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_lt,
	COMMUTATOR = > , NEGATOR = >= ,
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_le,
	COMMUTATOR = >= , NEGATOR = > ,
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR = (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_eq,
	COMMUTATOR = = , NEGATOR = <> ,
	RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR <> (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_ne,
	COMMUTATOR = <> , NEGATOR = = ,
	RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_ge,
	COMMUTATOR = <= , NEGATOR = < ,
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR > (
	LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_gt,
	COMMUTATOR = < , NEGATOR = <= ,
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR CLASS halfvec_ops
	DEFAULT FOR TYPE halfvec USING btree AS
	OPERATOR 1 < ,
	OPERATOR 2 <= ,
	OPERATOR 3 = ,
	OPERATOR 4 >= ,
	OPERATOR 5 > ,
	FUNCTION 1 halfvec_cmp(halfvec, halfvec);

-- bit vectors: binary quantization and bit distances on PostgreSQL's bit type

-- (binary_quantize(vector) is in the vector section, as in pgvector)
CREATE FUNCTION hamming_distance(bit, bit) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION jaccard_distance(bit, bit) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR <~> (
	LEFTARG = bit, RIGHTARG = bit, PROCEDURE = hamming_distance,
	COMMUTATOR = '<~>'
);
CREATE OPERATOR <%> (
	LEFTARG = bit, RIGHTARG = bit, PROCEDURE = jaccard_distance,
	COMMUTATOR = '<%>'
);

-- sparsevec: sparse vectors (pgvector's names, formats and behaviour)

CREATE TYPE sparsevec;

CREATE FUNCTION sparsevec_in(cstring, oid, integer) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_out(sparsevec) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_recv(internal, oid, integer) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_send(sparsevec) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE sparsevec (
	INPUT     = sparsevec_in,
	OUTPUT    = sparsevec_out,
	TYPMOD_IN = sparsevec_typmod_in,
	RECEIVE   = sparsevec_recv,
	SEND      = sparsevec_send,
	STORAGE   = external
);
COMMENT ON TYPE sparsevec IS 'single-precision sparse vector';

CREATE FUNCTION l2_distance(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME', 'sparsevec_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME', 'sparsevec_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME', 'sparsevec_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME', 'sparsevec_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_norm(sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME', 'sparsevec_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_normalize(sparsevec) RETURNS sparsevec
	AS 'MODULE_PATHNAME', 'sparsevec_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_lt(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_le(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_eq(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_ne(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_ge(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_gt(sparsevec, sparsevec) RETURNS bool
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_cmp(sparsevec, sparsevec) RETURNS int4
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- index support: squared L2 and negated inner product order like <-> and <#>
CREATE FUNCTION sparsevec_l2_squared_distance(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_negative_inner_product(sparsevec, sparsevec) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec(sparsevec, integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_to_sparsevec(vector, integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_sparsevec(integer[], integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_sparsevec(real[], integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_sparsevec(double precision[], integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_sparsevec(numeric[], integer, boolean) RETURNS sparsevec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (sparsevec AS sparsevec)
	WITH FUNCTION sparsevec(sparsevec, integer, boolean) AS IMPLICIT;
CREATE CAST (sparsevec AS vector)
	WITH FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) AS ASSIGNMENT;
CREATE CAST (vector AS sparsevec)
	WITH FUNCTION vector_to_sparsevec(vector, integer, boolean) AS IMPLICIT;
CREATE CAST (sparsevec AS halfvec)
	WITH FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) AS ASSIGNMENT;
CREATE CAST (halfvec AS sparsevec)
	WITH FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) AS IMPLICIT;
CREATE CAST (integer[] AS sparsevec)
	WITH FUNCTION array_to_sparsevec(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS sparsevec)
	WITH FUNCTION array_to_sparsevec(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS sparsevec)
	WITH FUNCTION array_to_sparsevec(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS sparsevec)
	WITH FUNCTION array_to_sparsevec(numeric[], integer, boolean) AS ASSIGNMENT;

CREATE OPERATOR <-> (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = l2_distance,
	COMMUTATOR = '<->'
);
CREATE OPERATOR <#> (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_negative_inner_product,
	COMMUTATOR = '<#>'
);
CREATE OPERATOR <=> (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = cosine_distance,
	COMMUTATOR = '<=>'
);
CREATE OPERATOR <+> (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = l1_distance,
	COMMUTATOR = '<+>'
);
CREATE OPERATOR < (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_lt,
	COMMUTATOR = > , NEGATOR = >= ,
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_le,
	COMMUTATOR = >= , NEGATOR = > ,
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR = (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_eq,
	COMMUTATOR = = , NEGATOR = <> ,
	RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR <> (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_ne,
	COMMUTATOR = <> , NEGATOR = = ,
	RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_ge,
	COMMUTATOR = <= , NEGATOR = < ,
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR > (
	LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_gt,
	COMMUTATOR = < , NEGATOR = <= ,
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR CLASS sparsevec_ops
	DEFAULT FOR TYPE sparsevec USING btree AS
	OPERATOR 1 < ,
	OPERATOR 2 <= ,
	OPERATOR 3 = ,
	OPERATOR 4 >= ,
	OPERATOR 5 > ,
	FUNCTION 1 sparsevec_cmp(sparsevec, sparsevec);

-------------------------------------------------------------------------------
-- section: distance kernels (src/core)
-------------------------------------------------------------------------------

-- The distance kernel sets compiled into this server, whether this CPU runs
-- each, and which one the GUC vecrag.simd makes this session use.
CREATE FUNCTION vecrag.simd_kernels()
	RETURNS TABLE (kernel text, supported boolean, active boolean, description text)
	AS 'MODULE_PATHNAME', 'vecrag_simd_kernels'
	LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 3;

-------------------------------------------------------------------------------
-- section: hnsw access method (src/hnsw)
-------------------------------------------------------------------------------

CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;
COMMENT ON ACCESS METHOD hnsw IS 'hnsw index access method';

-- support function 3: C kernels the index calls directly (see src/hnsw/hnsw.h)
CREATE FUNCTION vecrag.hnsw_vector_l2_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_vector_ip_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_vector_cosine_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_vector_l1_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS vector_l2_ops
	FOR TYPE vector USING hnsw AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_l2_squared_distance(vector, vector),
	FUNCTION 3 vecrag.hnsw_vector_l2_kernel(internal);

CREATE OPERATOR CLASS vector_ip_ops
	FOR TYPE vector USING hnsw AS
	OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector),
	FUNCTION 3 vecrag.hnsw_vector_ip_kernel(internal);

CREATE OPERATOR CLASS vector_cosine_ops
	FOR TYPE vector USING hnsw AS
	OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector),
	FUNCTION 2 vector_norm(vector),
	FUNCTION 3 vecrag.hnsw_vector_cosine_kernel(internal);

CREATE OPERATOR CLASS vector_l1_ops
	FOR TYPE vector USING hnsw AS
	OPERATOR 1 <+> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(vector, vector),
	FUNCTION 3 vecrag.hnsw_vector_l1_kernel(internal);

-------------------------------------------------------------------------------
-- section: ivf access method (src/ivf)
-------------------------------------------------------------------------------

-- `ivf`: our IVF with quantizers (WITH (lists, quantizer)), settings ivf.*.
-- `ivfflat`: the same access method under pgvector's name, option lists only,
-- settings ivfflat.*, so pgvector schemas and dumps restore unchanged.
-- Support functions: 1 = distance (the index computes it with the float4
-- kernel of the same metric), 2 = norm (optional; when present, vectors are
-- normalized and zero vectors are not indexed).
CREATE FUNCTION vecrag.ivfhandler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
CREATE ACCESS METHOD ivf TYPE INDEX HANDLER vecrag.ivfhandler;
COMMENT ON ACCESS METHOD ivf IS 'vecrag inverted-file index with none, sq8 or rabitq quantization';

CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;
COMMENT ON ACCESS METHOD ivfflat IS 'ivfflat index access method (pgvector compatible; vecrag ivf without quantization)';

CREATE OPERATOR CLASS vector_l2_ops
	DEFAULT FOR TYPE vector USING ivf AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_l2_squared_distance(vector, vector);
CREATE OPERATOR CLASS vector_ip_ops
	FOR TYPE vector USING ivf AS
	OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector);
CREATE OPERATOR CLASS vector_cosine_ops
	FOR TYPE vector USING ivf AS
	OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector),
	FUNCTION 2 vector_norm(vector);

CREATE OPERATOR CLASS vector_l2_ops
	DEFAULT FOR TYPE vector USING ivfflat AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_l2_squared_distance(vector, vector);
CREATE OPERATOR CLASS vector_ip_ops
	FOR TYPE vector USING ivfflat AS
	OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector);
CREATE OPERATOR CLASS vector_cosine_ops
	FOR TYPE vector USING ivfflat AS
	OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 1 vector_negative_inner_product(vector, vector),
	FUNCTION 2 vector_norm(vector);

-------------------------------------------------------------------------------
-- section: index opclasses for halfvec, sparsevec and bit (src/hnsw, src/ivf)
-------------------------------------------------------------------------------

-- hnsw: support function 3 returns the C kernels (src/vector/*_hnsw.c) the
-- index calls directly; limits per index as pgvector's: halfvec 4,000
-- dimensions, sparsevec 1,000 non-zero elements, bit 64,000 bits.
CREATE FUNCTION vecrag.hnsw_halfvec_l2_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_halfvec_ip_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_halfvec_cosine_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_halfvec_l1_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_sparsevec_l2_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_sparsevec_ip_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_sparsevec_cosine_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_sparsevec_l1_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_bit_hamming_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.hnsw_bit_jaccard_kernel(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS halfvec_l2_ops
	FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec),
	FUNCTION 3 vecrag.hnsw_halfvec_l2_kernel(internal);
CREATE OPERATOR CLASS halfvec_ip_ops
	FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
	FUNCTION 3 vecrag.hnsw_halfvec_ip_kernel(internal);
CREATE OPERATOR CLASS halfvec_cosine_ops
	FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
	FUNCTION 2 l2_norm(halfvec),
	FUNCTION 3 vecrag.hnsw_halfvec_cosine_kernel(internal);
CREATE OPERATOR CLASS halfvec_l1_ops
	FOR TYPE halfvec USING hnsw AS
	OPERATOR 1 <+> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(halfvec, halfvec),
	FUNCTION 3 vecrag.hnsw_halfvec_l1_kernel(internal);

CREATE OPERATOR CLASS sparsevec_l2_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_l2_squared_distance(sparsevec, sparsevec),
	FUNCTION 3 vecrag.hnsw_sparsevec_l2_kernel(internal);
CREATE OPERATOR CLASS sparsevec_ip_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <#> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
	FUNCTION 3 vecrag.hnsw_sparsevec_ip_kernel(internal);
CREATE OPERATOR CLASS sparsevec_cosine_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <=> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
	FUNCTION 2 l2_norm(sparsevec),
	FUNCTION 3 vecrag.hnsw_sparsevec_cosine_kernel(internal);
CREATE OPERATOR CLASS sparsevec_l1_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <+> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(sparsevec, sparsevec),
	FUNCTION 3 vecrag.hnsw_sparsevec_l1_kernel(internal);

CREATE OPERATOR CLASS bit_hamming_ops
	FOR TYPE bit USING hnsw AS
	OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
	FUNCTION 1 hamming_distance(bit, bit),
	FUNCTION 3 vecrag.hnsw_bit_hamming_kernel(internal);
CREATE OPERATOR CLASS bit_jaccard_ops
	FOR TYPE bit USING hnsw AS
	OPERATOR 1 <%> (bit, bit) FOR ORDER BY float_ops,
	FUNCTION 1 jaccard_distance(bit, bit),
	FUNCTION 3 vecrag.hnsw_bit_jaccard_kernel(internal);

-- ivf and ivfflat: halfvec columns are widened to float4 as the index reads
-- them (src/ivf/page.c maps the halfvec distance functions to its kernels)
CREATE OPERATOR CLASS halfvec_l2_ops
	FOR TYPE halfvec USING ivf AS
	OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec);
CREATE OPERATOR CLASS halfvec_ip_ops
	FOR TYPE halfvec USING ivf AS
	OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec);
CREATE OPERATOR CLASS halfvec_cosine_ops
	FOR TYPE halfvec USING ivf AS
	OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
	FUNCTION 2 l2_norm(halfvec);

CREATE OPERATOR CLASS halfvec_l2_ops
	FOR TYPE halfvec USING ivfflat AS
	OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec);
CREATE OPERATOR CLASS halfvec_ip_ops
	FOR TYPE halfvec USING ivfflat AS
	OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec);
CREATE OPERATOR CLASS halfvec_cosine_ops
	FOR TYPE halfvec USING ivfflat AS
	OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
	FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
	FUNCTION 2 l2_norm(halfvec);

-------------------------------------------------------------------------------
-- section: graph edges and traversal (src/graph)
-------------------------------------------------------------------------------

-- vecrag.edge: a directed, weighted edge (src bigint, dst bigint, weight real
-- default 1), written '1->2' or '1->2:0.5'.
CREATE TYPE vecrag.edge;

CREATE FUNCTION vecrag.edge_in(cstring) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_out(vecrag.edge) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_recv(internal) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_send(vecrag.edge) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vecrag.edge (
	INPUT = vecrag.edge_in,
	OUTPUT = vecrag.edge_out,
	RECEIVE = vecrag.edge_recv,
	SEND = vecrag.edge_send,
	INTERNALLENGTH = 24,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE vecrag.edge IS 'directed weighted graph edge src->dst:weight';

CREATE FUNCTION vecrag.edge(src bigint, dst bigint, weight real DEFAULT 1) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME', 'edge_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_src(vecrag.edge) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_dst(vecrag.edge) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_weight(vecrag.edge) RETURNS real
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vecrag.edge_cmp(vecrag.edge, vecrag.edge) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_eq(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_ne(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_lt(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_le(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_gt(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_ge(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_hash(vecrag.edge) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The comparison operators live in the extension's schema, beside pgvector's
-- operators: an operator in schema vecrag would need OPERATOR(vecrag.=) unless
-- vecrag is on search_path, and operators on our own type cannot collide
-- with a user's.
CREATE OPERATOR = (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_eq,
	COMMUTATOR = '=', NEGATOR = '<>', RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_ne,
	COMMUTATOR = '<>', NEGATOR = '=', RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_lt,
	COMMUTATOR = '>', NEGATOR = '>=', RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_le,
	COMMUTATOR = '>=', NEGATOR = '>', RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_gt,
	COMMUTATOR = '<', NEGATOR = '<=', RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_ge,
	COMMUTATOR = '<=', NEGATOR = '<', RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS vecrag.edge_ops
	DEFAULT FOR TYPE vecrag.edge USING btree AS
	OPERATOR 1 < ,
	OPERATOR 2 <= ,
	OPERATOR 3 = ,
	OPERATOR 4 >= ,
	OPERATOR 5 > ,
	FUNCTION 1 vecrag.edge_cmp(vecrag.edge, vecrag.edge);

CREATE OPERATOR CLASS vecrag.edge_ops
	DEFAULT FOR TYPE vecrag.edge USING hash AS
	OPERATOR 1 = ,
	FUNCTION 1 vecrag.edge_hash(vecrag.edge);

-- Registered graphs.  One row per graph; either src_column and dst_column
-- or edge_column is set.  Rows belong to the role that registered them:
-- everyone may read the list, only members of the owning role may drop a
-- graph.  A trigger enforces that (row-level security would make pg_dump by
-- a non-superuser fail on this table).  A definition grants nothing: every
-- call checks the caller's privileges on the edge table.
CREATE TABLE vecrag.graph_definitions (
	name			text PRIMARY KEY,
	edge_table		regclass NOT NULL,
	src_column		name,
	dst_column		name,
	edge_column		name,
	relation_column	name,
	weight_column	name,
	owner			regrole NOT NULL DEFAULT current_user::regrole,
	created_at		timestamptz NOT NULL DEFAULT now(),
	CHECK ((edge_column IS NULL) = (src_column IS NOT NULL AND dst_column IS NOT NULL)),
	CHECK (edge_column IS NULL OR (src_column IS NULL AND dst_column IS NULL))
);
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_definitions', '');

CREATE FUNCTION vecrag.graph_definitions_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	temp_table name;
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF NOT pg_has_role(OLD.owner, 'MEMBER') THEN
			RAISE EXCEPTION 'must be a member of role % to drop graph "%"', OLD.owner, OLD.name
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		RETURN OLD;
	END IF;
	IF NOT pg_has_role(NEW.owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role % to register graph "%" for it', NEW.owner, NEW.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- direct INSERTs skip graph_validate: a row naming a temporary table
	-- would make the restore of this whole table fail (schema pg_temp_n)
	SELECT relname INTO temp_table FROM pg_class
		WHERE oid = NEW.edge_table AND relpersistence = 't';
	IF FOUND THEN
		RAISE EXCEPTION 'graph "%" cannot use temporary table "%"', NEW.name, temp_table
			USING ERRCODE = 'feature_not_supported',
			DETAIL = 'Graph registrations are kept in vecrag.graph_definitions and dumped with the database; a temporary table belongs to one session and could not be restored.',
			HINT = 'Use a permanent or unlogged table.';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER graph_definitions_check BEFORE INSERT OR DELETE ON vecrag.graph_definitions
	FOR EACH ROW EXECUTE FUNCTION vecrag.graph_definitions_check();
GRANT SELECT, INSERT, DELETE ON vecrag.graph_definitions TO PUBLIC;

-- The adjacency cache (src/graph/cache.c).  vecrag.set_graph_cache puts a
-- statement trigger on a graph's edge table that moves the table's row
-- here to a fresh version before any statement writes edges, in the same
-- transaction; the version a snapshot sees then identifies the edges it
-- sees, and backends keep the table's adjacency in memory under it.
CREATE SEQUENCE vecrag.graph_version_seq;
-- dumped with its value: a restored database must never hand out a version
-- that a restored vecrag.graph_versions row already holds
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_version_seq', '');
CREATE TABLE vecrag.graph_versions (
	edge_table		regclass PRIMARY KEY,
	version			bigint NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_versions', '');
GRANT SELECT ON vecrag.graph_versions TO PUBLIC;

CREATE FUNCTION vecrag.graph_edges_changed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE vecrag.graph_versions
		SET version = nextval('vecrag.graph_version_seq'::regclass)
		WHERE edge_table = TG_RELID;
	RETURN NULL;
END
$$;

-- Makes a table's version row agree with its cache trigger: a row with a
-- fresh version when the trigger exists, none otherwise; drops the rows of
-- tables that no longer exist.  Anyone may call it: a fresh version is never
-- one a cache was built under.
CREATE FUNCTION vecrag.graph_cache_sync(edges regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = edges
			AND t.tgfoid = 'vecrag.graph_edges_changed()'::regprocedure) THEN
		INSERT INTO vecrag.graph_versions (edge_table, version)
			VALUES (edges, nextval('vecrag.graph_version_seq'::regclass))
			ON CONFLICT (edge_table) DO NOTHING;
	ELSE
		DELETE FROM vecrag.graph_versions v WHERE v.edge_table = edges;
	END IF;
	-- rows of tables dropped since (DROP TABLE takes the trigger, not the row)
	DELETE FROM vecrag.graph_versions v
		WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = v.edge_table);
END
$$;

-- Turns the adjacency cache on (or off) for a graph's edge table, so for
-- every graph registered on that table.  Needs ownership of the table.
CREATE FUNCTION vecrag.set_graph_cache(graph text, enabled boolean DEFAULT true)
	RETURNS void LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl regclass;
BEGIN
	SELECT g.edge_table INTO tbl FROM vecrag.graph_definitions g WHERE g.name = graph;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'graph "%" does not exist', graph
			USING ERRCODE = 'undefined_object';
	END IF;
	IF enabled THEN
		IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
			EXECUTE format('CREATE TRIGGER vecrag_graph_cache BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION vecrag.graph_edges_changed()', tbl);
		END IF;
		-- fire under session_replication_role = replica too
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER vecrag_graph_cache', tbl);
	ELSE
		EXECUTE format('DROP TRIGGER IF EXISTS vecrag_graph_cache ON %s', tbl);
	END IF;
	PERFORM vecrag.graph_cache_sync(tbl);
END
$$;

-- This backend's adjacency cache entries (memory in bytes; which parts are
-- built: out-edges, in-edges, the whole edge list for PageRank and
-- communities; whether the graph was too big for vecrag.graph_cache_size).
CREATE FUNCTION vecrag.graph_cache_entries()
	RETURNS TABLE (edge_table regclass, version bigint, bytes bigint,
		out_edges boolean, in_edges boolean, whole_graph boolean,
		too_big boolean, edges bigint)
	AS 'MODULE_PATHNAME', 'graph_cache_entries'
	LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 10;

CREATE VIEW vecrag.graphs AS
	SELECT name, edge_table, src_column, dst_column, edge_column,
		relation_column, weight_column, owner, created_at,
		EXISTS (SELECT 1 FROM vecrag.graph_versions v WHERE v.edge_table = d.edge_table)
			AS cached
	FROM vecrag.graph_definitions d;
GRANT SELECT ON vecrag.graphs TO PUBLIC;

-- Checks what create_graph is about to register (columns, types, index,
-- the caller's privileges); errors name the table and column.
CREATE FUNCTION vecrag.graph_validate(graph text, edges regclass, src name, dst name,
		edge name, relation name, weight name) RETURNS void
	AS 'MODULE_PATHNAME', 'graph_validate' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION vecrag.create_graph(name text, edges regclass,
		src name DEFAULT 'src', dst name DEFAULT 'dst',
		relation name DEFAULT NULL, weight name DEFAULT NULL)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR edges IS NULL OR src IS NULL OR dst IS NULL THEN
		RAISE EXCEPTION 'graph name, edge table, src and dst must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM vecrag.graph_validate(create_graph.name, edges, src, dst, NULL, relation, weight);
	INSERT INTO vecrag.graph_definitions (name, edge_table, src_column, dst_column,
		relation_column, weight_column)
	VALUES (create_graph.name, edges, src, dst, relation, weight);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'graph "%" already exists', create_graph.name
		USING ERRCODE = 'duplicate_object',
		HINT = 'Drop it first with vecrag.drop_graph, or choose another name.';
END
$$;

CREATE FUNCTION vecrag.create_graph(name text, edges regclass, edge name,
		relation name DEFAULT NULL)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR edges IS NULL OR edge IS NULL THEN
		RAISE EXCEPTION 'graph name, edge table and edge column must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM vecrag.graph_validate(create_graph.name, edges, NULL, NULL, edge, relation, NULL);
	INSERT INTO vecrag.graph_definitions (name, edge_table, edge_column, relation_column)
	VALUES (create_graph.name, edges, edge, relation);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'graph "%" already exists', create_graph.name
		USING ERRCODE = 'duplicate_object',
		HINT = 'Drop it first with vecrag.drop_graph, or choose another name.';
END
$$;

CREATE FUNCTION vecrag.drop_graph(name text, if_exists boolean DEFAULT false)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_owner regrole;
	tbl regclass;
BEGIN
	SELECT g.owner, g.edge_table INTO found_owner, tbl FROM vecrag.graph_definitions g
		WHERE g.name = drop_graph.name;
	IF NOT FOUND THEN
		IF if_exists THEN
			RAISE NOTICE 'graph "%" does not exist, skipping', drop_graph.name;
			RETURN;
		END IF;
		RAISE EXCEPTION 'graph "%" does not exist', drop_graph.name
			USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT pg_has_role(found_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role % to drop graph "%"',
			found_owner, drop_graph.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM vecrag.graph_definitions g WHERE g.name = drop_graph.name;
	-- the last graph on a table takes the table's cache trigger with it
	IF NOT EXISTS (SELECT 1 FROM vecrag.graph_definitions g WHERE g.edge_table = tbl)
			AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
		IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = tbl), 'MEMBER') THEN
			EXECUTE format('DROP TRIGGER vecrag_graph_cache ON %s', tbl);
		ELSE
			RAISE NOTICE 'the adjacency cache trigger on table % stays in place', tbl
				USING DETAIL = 'Only the owner of the table can drop it.',
				HINT = format('The table owner can run DROP TRIGGER vecrag_graph_cache ON %s.', tbl);
		END IF;
	END IF;
	-- also when the table is gone: its version row goes with the graph
	PERFORM vecrag.graph_cache_sync(tbl);
END
$$;

CREATE FUNCTION vecrag.traverse(graph text, seeds bigint[],
		max_depth integer DEFAULT 2, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, max_fanout integer DEFAULT NULL,
		max_nodes integer DEFAULT NULL, count_degree boolean DEFAULT true,
		with_paths boolean DEFAULT true)
	RETURNS TABLE (id bigint, depth integer, path vecrag.edge[],
		path_weight double precision, degree integer, relation_path text[])
	AS 'MODULE_PATHNAME', 'graph_traverse'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;

CREATE FUNCTION vecrag.shortest_path(graph text, source bigint, target bigint,
		weighted boolean DEFAULT false, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL)
	RETURNS TABLE (depth integer, id bigint, edge vecrag.edge, relation text,
		path_weight double precision)
	AS 'MODULE_PATHNAME', 'graph_shortest_path'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;

CREATE FUNCTION vecrag.pagerank(graph text, seeds bigint[] DEFAULT NULL,
		seed_weights double precision[] DEFAULT NULL,
		damping double precision DEFAULT 0.85, max_iterations integer DEFAULT 100,
		tolerance double precision DEFAULT 1e-6, restrict_to bigint[] DEFAULT NULL,
		top_n integer DEFAULT NULL, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, weighted boolean DEFAULT false)
	RETURNS TABLE (id bigint, score double precision, rank integer)
	AS 'MODULE_PATHNAME', 'graph_pagerank'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

CREATE FUNCTION vecrag.communities(graph text, resolution double precision DEFAULT 1.0,
		max_levels integer DEFAULT 10, relations text[] DEFAULT NULL,
		weighted boolean DEFAULT false, method text DEFAULT 'louvain')
	RETURNS TABLE (id bigint, level integer, community bigint)
	AS 'MODULE_PATHNAME', 'graph_communities'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

-------------------------------------------------------------------------------
-- section: hybrid search, fusion and rerank (src/search)
-------------------------------------------------------------------------------

-- Tokenizer and per-document terms (see src/search/search.h for the
-- reference tokenizer and how it differs from the 'simple' configuration).
CREATE FUNCTION vecrag.tokenize(doc text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'vecrag_tokenize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_document_terms(doc text)
	RETURNS TABLE (term text, tf integer, doclen integer)
	AS 'MODULE_PATHNAME', 'vecrag_bm25_document_terms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
CREATE FUNCTION vecrag.bm25_document_terms(doc text, config regconfig)
	RETURNS TABLE (term text, tf integer, doclen integer)
	AS 'MODULE_PATHNAME', 'vecrag_bm25_document_terms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
CREATE FUNCTION vecrag.bm25_document_terms(doc tsvector)
	RETURNS TABLE (term text, tf integer, doclen integer)
	AS 'MODULE_PATHNAME', 'vecrag_bm25_tsvector_terms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;

-- bm25_is_index: whether rel is the metadata table of a BM25 index (its
-- columns are those bm25_create_index gives it); the one test every BM25
-- function and the event trigger use to recognise an index
CREATE FUNCTION vecrag.bm25_is_index(rel regclass) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
				  WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped)
				 IS NOT DISTINCT FROM '{source,text_column,id_column,config,postings,terms,stats}'::text[] $$;

-- bm25_record_dependencies: tie an index's side objects to its source table
-- and to the extension in pg_depend (see src/search/bm25_depend.c).
CREATE FUNCTION vecrag.bm25_record_dependencies(bm25_index regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'vecrag_bm25_record_dependencies'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- The maintenance function finds the indexed columns by attribute number,
-- so that the index follows RENAME COLUMN (see src/search/bm25_columns.c):
-- bm25_index_columns and bm25_index_column_names give {text column, id
-- column} of an index on a table, by number and by current name, and the
-- bm25_row_* functions read one column of a table row by number.
CREATE FUNCTION vecrag.bm25_index_columns(source regclass, bm25_index regclass) RETURNS int2[]
	AS 'MODULE_PATHNAME', 'vecrag_bm25_index_columns'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_index_column_names(source regclass, bm25_index regclass) RETURNS name[]
	AS 'MODULE_PATHNAME', 'vecrag_bm25_index_column_names'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_id(source_row record, id_column int2) RETURNS bigint
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_id'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_text(source_row record, text_column int2) RETURNS text
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_tsvector(source_row record, text_column int2) RETURNS tsvector
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_tsvector'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- bm25_create_maintenance: (re)make the maintenance function
-- <name>_maintain of index bm25_index under the indexed columns' current
-- names, and create whichever of its seven triggers on the source table are
-- missing; with build, also index the rows the table holds.  Used by
-- bm25_create_index, by the update of an index created under 0.1.0, and by
-- the maintenance function itself at the first write after a column rename.
CREATE FUNCTION vecrag.bm25_create_maintenance(bm25_index regclass, build boolean) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	tbl regclass;
	text_column name;
	id_column name;
	config regconfig;
	postings regclass;
	terms regclass;
	stats regclass;
	nsp name;
	base name;
	relowner oid;
	meta text;
	text_type regtype;
	terms_call text;
	row_text text;
	lock_key text;
	into_marker constant text := '/*into*/';
	ins text;
	del text;
	body text;
	current_text name;
	current_id name;
	variant int;
	id_of text;
	text_of text;
	rs text;
	rn text;
	ro text;
	work text[];
	trig record;
BEGIN
	SELECT n.nspname, c.relname INTO nsp, base
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = bm25_index;
	IF NOT vecrag.bm25_is_index(bm25_index) THEN
		RAISE EXCEPTION '"%" is not a vecrag BM25 index', base
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF NOT pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = bm25_index), 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of BM25 index %', bm25_index USING ERRCODE = 'insufficient_privilege';
	END IF;
	EXECUTE format('SELECT source, text_column, id_column, config, postings, terms, stats FROM %s', bm25_index)
		INTO tbl, text_column, id_column, config, postings, terms, stats;
	SELECT c.relowner INTO relowner FROM pg_class c WHERE c.oid = tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'BM25 index "%" has no source table', base
			USING ERRCODE = 'undefined_table',
				  HINT = 'Drop it with vecrag.bm25_drop_index and create it again.';
	END IF;
	IF NOT pg_has_role(relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- after a RENAME COLUMN the current names, by the attribute numbers in
	-- the _apply_update trigger's column list; the metadata row follows
	SELECT ta.attname, ia.attname INTO current_text, current_id
		FROM pg_trigger t
		JOIN pg_attribute ta ON ta.attrelid = t.tgrelid AND ta.attnum = t.tgattr[0]
		JOIN pg_attribute ia ON ia.attrelid = t.tgrelid AND ia.attnum = t.tgattr[1]
		WHERE t.tgrelid = tbl AND t.tgname = base || '_apply_update' AND t.tgnargs = 2
		  AND array_length(t.tgattr, 1) = 2;
	IF FOUND AND (current_text, current_id) IS DISTINCT FROM (text_column, id_column) THEN
		text_column := current_text;
		id_column := current_id;
		EXECUTE format('UPDATE %s SET text_column = $1, id_column = $2', bm25_index) USING text_column, id_column;
	END IF;
	SELECT a.atttypid::regtype INTO text_type FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = text_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = id_column
								AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'BM25 index "%" refers to a column that table % no longer has', base, tbl
			USING ERRCODE = 'undefined_column',
				  HINT = 'Drop it with vecrag.bm25_drop_index and create it again.';
	END IF;
	meta := format('%I.%I', nsp, base);
	lock_key := format('hashtext(''vecrag_bm25''), hashtext(%L)', meta);

	row_text := CASE WHEN text_type = 'tsvector'::regtype
				THEN 'vecrag.bm25_row_tsvector' ELSE 'vecrag.bm25_row_text' END;
	terms_call := CASE WHEN config IS NULL OR text_type = 'tsvector'::regtype
				  THEN 'vecrag.bm25_document_terms(%s)'
				  ELSE format('vecrag.bm25_document_terms(%%s, %s::regconfig)',
							  replace(quote_literal(config::text), '%', '%%')) END;

	-- %1$s: a FROM-item of source rows aliased s; %2$s: their id as bigint;
	-- %3$s: their terms; %4$s: a WHERE clause or nothing
	ins := format($sql$
		WITH d AS MATERIALIZED (
			SELECT %%2$s AS id, t.term, t.tf, t.doclen
			FROM %%1$s LEFT JOIN LATERAL %%3$s t ON true %%4$s),
		p AS (INSERT INTO %1$s (term, id, tf, doclen)
			  SELECT term, id, tf, doclen FROM d WHERE term IS NOT NULL),
		st AS (INSERT INTO %2$s (n, len)
			   SELECT count(*), coalesce(sum(doclen), 0)
			   FROM (SELECT id, max(coalesce(doclen, 0)) AS doclen FROM d GROUP BY id) x
			   HAVING count(*) > 0),
		f AS (INSERT INTO %3$s (term, df)
			  SELECT term, count(*) FROM d WHERE term IS NOT NULL GROUP BY term RETURNING term)
		SELECT array_agg(term) /*into*/ FROM f$sql$, postings, stats, terms);
	del := format($sql$
		WITH s AS MATERIALIZED (SELECT %%2$s AS id FROM %%1$s %%4$s),
		d AS (DELETE FROM %1$s p USING s WHERE p.id = s.id RETURNING p.term, p.id, p.doclen),
		st AS (INSERT INTO %2$s (n, len)
			   SELECT -(SELECT count(*) FROM s),
					  -coalesce((SELECT sum(doclen) FROM (SELECT DISTINCT id, doclen FROM d) x), 0)
			   WHERE EXISTS (SELECT 1 FROM s)),
		f AS (INSERT INTO %3$s (term, df) SELECT term, -count(*) FROM d GROUP BY term RETURNING term)
		SELECT array_agg(term) /*into*/ FROM f$sql$, postings, stats, terms);

	-- The work of one call, twice: reading the columns by the names they
	-- have now (variant 1, the usual path), and by attribute number
	-- (variant 2, cols = {text, id}: a column was renamed since this
	-- function was made) through whole rows (s.*, n.*, o.*: a source column
	-- named s, n or o changes nothing).  id_of and text_of are format
	-- templates of the id (as bigint) and the text of row %1$s.
	FOR variant IN 1..2 LOOP
		IF variant = 1 THEN
			id_of := '%1$s.' || replace(quote_ident(id_column), '%', '%%') || '::bigint';
			text_of := '%1$s.' || replace(quote_ident(text_column), '%', '%%')
					   || CASE WHEN text_type = 'character varying'::regtype THEN '::text' ELSE '' END;
			rs := 's'; rn := 'n'; ro := 'o';
		ELSE
			id_of := 'vecrag.bm25_row_id(%1$s, cols[2])';
			text_of := row_text || '(%1$s, cols[1])';
			rs := 's.*'; rn := 'n.*'; ro := 'o.*';
		END IF;
		work[variant] := format($sql$
		IF TG_LEVEL = 'ROW' THEN
			IF TG_OP = 'INSERT' THEN
				%1$s;
			ELSIF TG_OP = 'DELETE' THEN
				%2$s;
			ELSIF %3$s IS DISTINCT FROM %4$s OR %5$s IS DISTINCT FROM %6$s THEN
				%2$s;
				%7$s;
				touched := touched || more;
			END IF;
		ELSIF TG_OP = 'INSERT' THEN
			%8$s;
		ELSIF TG_OP = 'DELETE' THEN
			%9$s;
		ELSE
			-- an update re-indexes the rows whose id or text changed
			%10$s;
			%11$s;
			touched := touched || more;
		END IF;$sql$,
			replace(format(ins, '(SELECT) s', format(id_of, 'NEW'),
						   format(terms_call, format(text_of, 'NEW')), ''), into_marker, 'INTO touched'),
			replace(format(del, '(SELECT) s', format(id_of, 'OLD'), NULL, ''), into_marker, 'INTO touched'),
			format(id_of, 'OLD'), format(id_of, 'NEW'), format(text_of, 'OLD'), format(text_of, 'NEW'),
			replace(format(ins, '(SELECT) s', format(id_of, 'NEW'),
						   format(terms_call, format(text_of, 'NEW')), ''), into_marker, 'INTO more'),
			replace(format(ins, 'new_rows s', format(id_of, rs),
						   format(terms_call, format(text_of, rs)), ''), into_marker, 'INTO touched'),
			replace(format(del, 'old_rows s', format(id_of, rs), NULL, ''), into_marker, 'INTO touched'),
			replace(format(del, 'old_rows s', format(id_of, rs), NULL,
						   format('WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE %s = %s AND %s IS NOT DISTINCT FROM %s)',
								  format(id_of, rn), format(id_of, rs), format(text_of, rn), format(text_of, rs))),
					into_marker, 'INTO touched'),
			replace(format(ins, 'new_rows s', format(id_of, rs), format(terms_call, format(text_of, rs)),
						   format('WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE %s = %s AND %s IS NOT DISTINCT FROM %s)',
								  format(id_of, ro), format(id_of, rs), format(text_of, ro), format(text_of, rs))),
					into_marker, 'INTO more'));
	END LOOP;

	-- (#variable_conflict: the variables win over source columns of the
	-- same names)
	body := format($sql$
#variable_conflict use_variable
DECLARE
	cols int2[];
	touched text[];
	more text[];
BEGIN
	-- pg_depend records are not dumped: a restored index gets them here
	PERFORM vecrag.bm25_record_dependencies(%1$L::regclass);
	IF TG_LEVEL = 'ROW' THEN
		-- session_replication_role = replica (a subscriber's apply or
		-- initial sync): nothing to do when the side tables are themselves
		-- subscribed, their rows then come from the publisher.  In any
		-- other mode the statement triggers do the work: these row
		-- triggers fire there only when ALTER TABLE ... ENABLE TRIGGER
		-- ALL/USER reset them to ORIGIN, and must not index a row twice
		IF current_setting('session_replication_role') <> 'replica'
		   OR EXISTS (SELECT 1 FROM pg_subscription_rel WHERE srrelid = %2$L::regclass) THEN
			RETURN NULL;
		END IF;
	ELSIF TG_OP = 'TRUNCATE' THEN
		TRUNCATE %2$s, %3$s, %4$s;
		RETURN NULL;
	ELSIF current_setting('session_replication_role') = 'replica' THEN
		-- a statement trigger made to fire under replica (ENABLE ALWAYS or
		-- REPLICA): the row triggers index these rows
		RETURN NULL;
	END IF;
	IF vecrag.bm25_index_column_names(TG_RELID, %1$L::regclass) = ARRAY[%5$L, %6$L]::name[] THEN
%7$s
	ELSE
		-- a column was renamed since this function was made: read the
		-- columns by attribute number, then make the function again under
		-- the new names (it keeps this path until that succeeds)
		cols := vecrag.bm25_index_columns(TG_RELID, %1$L::regclass);
%8$s
		BEGIN
			PERFORM vecrag.bm25_create_maintenance(%1$L::regclass, false);
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'maintenance function of BM25 index %% was not made again after a column rename: %%',
				%1$L, SQLERRM
				USING HINT = 'Run vecrag.bm25_create_maintenance(''<index>'', false) as its owner, with CREATE on its schema.';
		END;
	END IF;
	-- Every 32nd statement (by the count of unfolded stats rows) folds the
	-- deltas of the terms it touched, unless another writer is folding;
	-- frequent terms are touched, hence folded, often.  Not under
	-- REPEATABLE READ, where a fold could fail on rows folded meanwhile.
	IF touched IS NOT NULL AND current_setting('transaction_isolation') = 'read committed'
	   AND (SELECT count(*) FROM (SELECT FROM %4$s LIMIT 32) x) >= 32
	   AND pg_try_advisory_xact_lock(%9$s) THEN
		WITH d AS (DELETE FROM %3$s WHERE term = ANY (touched) RETURNING term, df)
		INSERT INTO %3$s (term, df) SELECT term, sum(df) FROM d GROUP BY term HAVING sum(df) <> 0;
		WITH d AS (DELETE FROM %4$s RETURNING n, len)
		INSERT INTO %4$s (n, len) SELECT sum(n), sum(len) FROM d HAVING count(*) > 0;
	END IF;
	RETURN NULL;
END
$sql$,
		meta, postings, terms, stats, text_column, id_column, work[1], work[2], lock_key);

	-- made again in place (same OID, owner and rights) after a column rename
	EXECUTE format('CREATE OR REPLACE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER '
				   'SET search_path = pg_catalog, pg_temp AS %L', nsp, base || '_maintain', body);
	EXECUTE format('REVOKE ALL ON FUNCTION %I.%I() FROM PUBLIC', nsp, base || '_maintain');
	-- the triggers it lacks (all of them, but when made again after a
	-- rename), each with its firing mode
	FOR trig IN SELECT * FROM (VALUES
		('_insert', 'AFTER INSERT', 'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT', NULL),
		('_update', 'AFTER UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT', NULL),
		('_delete', 'AFTER DELETE', 'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT', NULL),
		('_truncate', 'AFTER TRUNCATE', 'FOR EACH STATEMENT', 'ALWAYS'),
		('_apply_insert', 'AFTER INSERT', 'FOR EACH ROW', 'REPLICA'),
		-- its column list is how the maintenance function and searches
		-- find the indexed columns (src/search/bm25_columns.c)
		('_apply_update', format('AFTER UPDATE OF %I, %I', text_column, id_column), 'FOR EACH ROW', 'REPLICA'),
		('_apply_delete', 'AFTER DELETE', 'FOR EACH ROW', 'REPLICA')) v(suffix, event, kind, mode)
	LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl AND t.tgname = base || trig.suffix);
		EXECUTE format('CREATE TRIGGER %I %s ON %s %s EXECUTE FUNCTION %I.%I(''vecrag_bm25'', %L)',
					   base || trig.suffix, trig.event, tbl, trig.kind, nsp, base || '_maintain', meta);
		IF trig.mode IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', tbl, trig.mode, base || trig.suffix);
		END IF;
	END LOOP;

	IF build THEN
		EXECUTE format(ins, format('ONLY %s s', tbl), format('s.%I::bigint', id_column),
					   format(terms_call, CASE WHEN text_type = 'character varying'::regtype
									  THEN format('s.%I::text', text_column) ELSE format('s.%I', text_column) END), '');
	END IF;
	IF (SELECT p.proowner FROM pg_proc p WHERE p.oid = format('%I.%I()', nsp, base || '_maintain')::regprocedure)
	   <> relowner THEN
		EXECUTE format('ALTER FUNCTION %I.%I() OWNER TO %I', nsp, base || '_maintain', pg_get_userbyid(relowner));
	END IF;
	-- CREATE OR REPLACE FUNCTION dropped the function's pg_depend records
	-- (bm25_create_index records them once the index is complete)
	IF NOT build THEN
		PERFORM vecrag.bm25_record_dependencies(bm25_index);
	END IF;
END
$function$;

-- bm25_create_index: register a column for BM25.  Creates, in the table's
-- schema and owned by the table's owner, the metadata table <name>, the
-- tables <name>_postings, <name>_terms, <name>_stats and the maintenance
-- trigger function <name>_maintain with four statement triggers on the table
-- (the truncate one ENABLE ALWAYS) and three row triggers that fire only
-- under session_replication_role = replica (ENABLE REPLICA: logical
-- replication's apply and initial sync fire row triggers only), all
-- recorded in pg_depend as depending on the table and the extension.
CREATE FUNCTION vecrag.bm25_create_index(
	tbl regclass,
	text_column text,
	id_column text DEFAULT 'id',
	config regconfig DEFAULT NULL,
	name text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	nsp name;
	relname name;
	relowner oid;
	relkind "char";
	text_type regtype;
	id_type regtype;
	id_notnull boolean;
	id_attnum int2;
	meta text;
	postings text;
	terms text;
	stats text;
BEGIN
	IF tbl IS NULL OR text_column IS NULL OR id_column IS NULL THEN
		RAISE EXCEPTION 'tbl, text_column and id_column must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- nspname, not relnamespace::regnamespace: that text is already quoted,
	-- and every use below quotes it with %I
	SELECT n.nspname, c.relname, c.relowner, c.relkind
		INTO nsp, relname, relowner, relkind
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
	IF relkind <> 'r' THEN
		RAISE EXCEPTION '"%" is not a table', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'BM25 indexes are maintained by statement triggers, which only ordinary tables fire for every write.';
	END IF;
	IF NOT pg_has_role(relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	SELECT a.atttypid::regtype INTO text_type FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = text_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', text_column, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
	IF text_type NOT IN ('text'::regtype, 'character varying'::regtype, 'tsvector'::regtype) THEN
		RAISE EXCEPTION 'column "%" of table % has type %, not text, varchar or tsvector',
			text_column, tbl, text_type USING ERRCODE = 'datatype_mismatch';
	END IF;
	SELECT a.atttypid::regtype, a.attnotnull, a.attnum INTO id_type, id_notnull, id_attnum
		FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = id_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
	IF id_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
		RAISE EXCEPTION 'id column "%" of table % has type %, not smallint, integer or bigint',
			id_column, tbl, id_type USING ERRCODE = 'datatype_mismatch';
	END IF;
	IF NOT id_notnull OR NOT EXISTS (
		SELECT 1 FROM pg_index i
		WHERE i.indrelid = tbl AND i.indisunique AND i.indisvalid AND i.indimmediate
		  AND i.indnkeyatts = 1 AND i.indkey[0] = id_attnum AND i.indpred IS NULL) THEN
		RAISE EXCEPTION 'id column "%" of table % must be NOT NULL and have a unique index', id_column, tbl
			USING ERRCODE = 'invalid_table_definition',
				  HINT = 'A primary key on the column is enough.';
	END IF;
	name := coalesce(name, relname || '_' || text_column || '_bm25');
	IF length(name) > 49 THEN
		RAISE EXCEPTION 'BM25 index name "%" is too long', name
			USING ERRCODE = 'name_too_long',
				  DETAIL = 'Names of at most 49 characters leave room for the suffixes of its tables.',
				  HINT = 'Pass a shorter name => ''...''.';
	END IF;
	meta := format('%I.%I', nsp, name);
	IF to_regclass(meta) IS NOT NULL THEN
		RAISE EXCEPTION 'relation "%" already exists', name
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Pass another name => ''...'', or drop the old index with vecrag.bm25_drop_index.';
	END IF;
	postings := format('%I.%I', nsp, name || '_postings');
	terms := format('%I.%I', nsp, name || '_terms');
	stats := format('%I.%I', nsp, name || '_stats');

	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
	EXECUTE format('CREATE TABLE %s (term text COLLATE "C" NOT NULL, id bigint NOT NULL, '
				   'tf integer NOT NULL, doclen integer NOT NULL)', postings);
	EXECUTE format('CREATE TABLE %s (term text COLLATE "C" NOT NULL, df bigint NOT NULL)', terms);
	EXECUTE format('CREATE TABLE %s (n bigint NOT NULL, len bigint NOT NULL)', stats);
	EXECUTE format('CREATE TABLE %s (source regclass NOT NULL, text_column name NOT NULL, '
				   'id_column name NOT NULL, config regconfig, postings regclass NOT NULL, '
				   'terms regclass NOT NULL, stats regclass NOT NULL)', meta);
	-- a publication FOR ALL TABLES replicates them too; their deletes need a replica identity
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', postings);
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', terms);
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', stats);
	EXECUTE format('COMMENT ON TABLE %s IS %L', meta,
				   format('vecrag BM25 index on %s (%s); see vecrag.bm25_create_index', tbl, text_column));

	EXECUTE format('INSERT INTO %s VALUES (%L, %L, %L, %L, %L, %L, %L)', meta,
				   tbl, text_column, id_column, config, postings, terms, stats);
	-- the maintenance function and triggers, then index what is there now
	-- (writers are locked out until commit), then build the btrees in one
	-- pass each rather than row by row
	PERFORM vecrag.bm25_create_maintenance(meta::regclass, true);
	EXECUTE format('CREATE INDEX %I ON %s (term, id) INCLUDE (tf, doclen)', name || '_postings_term', postings);
	EXECUTE format('CREATE INDEX %I ON %s (id)', name || '_postings_id', postings);
	EXECUTE format('CREATE INDEX %I ON %s (term)', name || '_terms_term', terms);

	IF (SELECT c.relowner FROM pg_class c WHERE c.oid = meta::regclass) <> relowner THEN
		EXECUTE format('ALTER TABLE %s OWNER TO %I', meta, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', postings, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', terms, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', stats, pg_get_userbyid(relowner));
	END IF;
	PERFORM vecrag.bm25_record_dependencies(meta::regclass);
	RETURN meta::regclass;
END
$function$;

-- bm25_drop_index: drop an index's triggers, function and tables; works on
-- a stale index too (source table or some of its tables already dropped)
CREATE FUNCTION vecrag.bm25_drop_index(bm25_index regclass) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	src oid;
	parts oid[];
	base name;
	nsp name;
	owner oid;
	part oid;
	trig name;
BEGIN
	SELECT c.relname, n.nspname, c.relowner INTO base, nsp, owner
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = bm25_index;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', bm25_index::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF NOT vecrag.bm25_is_index(bm25_index) THEN
		RAISE EXCEPTION '"%" is not a vecrag BM25 index', base
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF NOT pg_has_role(owner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of BM25 index %', bm25_index USING ERRCODE = 'insufficient_privilege';
	END IF;
	EXECUTE format('SELECT source::oid, ARRAY[postings::oid, terms::oid, stats::oid] FROM %s LIMIT 1', bm25_index)
		INTO src, parts;
	FOR trig IN SELECT t.tgname FROM pg_trigger t
				WHERE t.tgrelid = src AND NOT t.tgisinternal
				  AND t.tgname IN (base || '_insert', base || '_update', base || '_delete', base || '_truncate',
								   base || '_apply_insert', base || '_apply_update', base || '_apply_delete') LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', trig, src::regclass);
	END LOOP;
	IF to_regprocedure(format('%I.%I()', nsp, base || '_maintain')) IS NOT NULL THEN
		EXECUTE format('DROP FUNCTION %I.%I()', nsp, base || '_maintain');
	END IF;
	-- only the index's own tables: same schema, owner and name
	FOR part IN SELECT c.oid FROM pg_class c
				WHERE c.oid = ANY (parts) AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = bm25_index)
				  AND c.relowner = owner AND c.relkind = 'r'
				  AND c.relname IN (base || '_postings', base || '_terms', base || '_stats') LOOP
		EXECUTE format('DROP TABLE %s', part::regclass);
	END LOOP;
	EXECUTE format('DROP TABLE %s', bm25_index);
END
$function$;

-- bm25_alter_table: at the end of every ALTER TABLE,
-- - give the table's BM25 indexes (metadata table, side tables, maintenance
--   function) to the table's new owner after OWNER TO, as PostgreSQL does
--   the table's own indexes.  It runs with the rights of whoever ran the
--   ALTER TABLE (ALTER ... OWNER checks them), and moves only an index tied
--   to the table in pg_depend, which bm25_record_dependencies records only
--   while their owners are equal;
-- - refuse RENAME and SET SCHEMA of an index's own tables, which its
--   maintenance function and triggers name.
CREATE FUNCTION vecrag.bm25_alter_table() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	r record;
	part regclass;
	fn regprocedure;
BEGIN
	FOR r IN SELECT DISTINCT m.oid::regclass AS meta, m.relowner AS old_owner, c.relowner AS new_owner
			 FROM pg_event_trigger_ddl_commands() cmd
			 JOIN pg_class c ON c.oid = cmd.objid
			 JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
				AND d.refobjsubid = 0 AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
			 JOIN pg_class m ON m.oid = d.objid
			 WHERE cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0
			   AND m.relkind = 'r' AND m.relowner <> c.relowner
			   AND vecrag.bm25_is_index(m.oid) LOOP
		BEGIN
			FOR part IN SELECT p.oid::regclass FROM pg_depend pd JOIN pg_class p ON p.oid = pd.objid
						WHERE pd.classid = 'pg_class'::regclass AND pd.refclassid = 'pg_class'::regclass
						  AND pd.refobjid = r.meta AND pd.deptype = 'a' AND p.relkind = 'r'
						  AND p.relowner = r.old_owner LOOP
				EXECUTE format('ALTER TABLE %s OWNER TO %I', part, pg_get_userbyid(r.new_owner));
			END LOOP;
			FOR fn IN SELECT p.oid::regprocedure FROM pg_depend pd JOIN pg_proc p ON p.oid = pd.objid
					  WHERE pd.classid = 'pg_proc'::regclass AND pd.refclassid = 'pg_class'::regclass
						AND pd.refobjid = r.meta AND pd.deptype = 'a' AND p.proowner = r.old_owner LOOP
				EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn, pg_get_userbyid(r.new_owner));
			END LOOP;
			EXECUTE format('ALTER TABLE %s OWNER TO %I', r.meta, pg_get_userbyid(r.new_owner));
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE WARNING 'BM25 index % keeps its owner %: %', r.meta, pg_get_userbyid(r.old_owner), SQLERRM
				USING HINT = 'Give its tables and maintenance function to the table''s owner, for example with REASSIGN OWNED.';
		END;
	END LOOP;
	FOR r IN SELECT DISTINCT m.oid::regclass AS meta, m.relname, m.relnamespace, n.nspname
			 FROM pg_event_trigger_ddl_commands() cmd
			 JOIN pg_class m ON m.oid = cmd.objid
				OR m.oid IN (SELECT d.refobjid FROM pg_depend d
							 WHERE d.classid = 'pg_class'::regclass AND d.objid = cmd.objid
							   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a')
			 JOIN pg_namespace n ON n.oid = m.relnamespace
			 WHERE cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0 AND m.relkind = 'r'
			   AND vecrag.bm25_is_index(m.oid) LOOP
		IF EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class p ON p.oid = d.objid
				   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
					 AND d.refobjid = r.meta AND d.deptype = 'a' AND p.relkind = 'r'
					 AND (p.relnamespace <> r.relnamespace
						  OR p.relname NOT IN (r.relname || '_postings', r.relname || '_terms', r.relname || '_stats')))
		   OR EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass
						AND d.objid = t.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid = r.meta
						AND d.deptype = 'a'
					  WHERE t.tgargs <> convert_to('vecrag_bm25', getdatabaseencoding()) || decode('00', 'hex')
						  || convert_to(format('%I.%I', r.nspname, r.relname), getdatabaseencoding())
						  || decode('00', 'hex')) THEN
			RAISE EXCEPTION 'cannot rename or move the tables of a BM25 index'
				USING ERRCODE = 'feature_not_supported',
					  DETAIL = 'The maintenance function and triggers of the index name them.',
					  HINT = 'Create the index again under another name with vecrag.bm25_create_index.';
		END IF;
	END LOOP;
END
$function$;
CREATE EVENT TRIGGER vecrag_bm25_alter_table ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION vecrag.bm25_alter_table();

-- bm25_compact: fold the statistics deltas into one row per term
CREATE FUNCTION vecrag.bm25_compact(bm25_index regclass) RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	t regclass;
	s regclass;
	before bigint;
	after bigint;
BEGIN
	PERFORM vecrag.bm25_index_info(bm25_index);
	EXECUTE format('SELECT terms, stats FROM %s', bm25_index) INTO t, s;
	PERFORM pg_advisory_xact_lock(hashtext('vecrag_bm25'), hashtext(bm25_index::text));
	EXECUTE format('SELECT count(*) FROM %s', t) INTO before;
	EXECUTE format('WITH d AS (DELETE FROM %1$s RETURNING term, df) '
				   'INSERT INTO %1$s (term, df) SELECT term, sum(df) FROM d GROUP BY term HAVING sum(df) <> 0', t);
	EXECUTE format('WITH d AS (DELETE FROM %1$s RETURNING n, len) '
				   'INSERT INTO %1$s (n, len) SELECT sum(n), sum(len) FROM d HAVING count(*) > 0', s);
	EXECUTE format('SELECT count(*) FROM %s', t) INTO after;
	RETURN before - after;
END
$function$;

-- bm25_index_info: what an index covers and its corpus statistics
CREATE FUNCTION vecrag.bm25_index_info(bm25_index regclass,
	OUT source regclass, OUT text_column name, OUT id_column name, OUT config regconfig,
	OUT documents bigint, OUT avg_length double precision)
	AS 'MODULE_PATHNAME', 'vecrag_bm25_index_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vecrag.bm25_search(
	bm25_index regclass,
	query text,
	k integer DEFAULT 10,
	k1 double precision DEFAULT 1.2,
	b double precision DEFAULT 0.75)
RETURNS TABLE (id bigint, score double precision, rank integer)
	AS 'MODULE_PATHNAME', 'vecrag_bm25_search'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;

CREATE FUNCTION vecrag.bm25_score(
	bm25_index regclass,
	query text,
	id bigint,
	k1 double precision DEFAULT 1.2,
	b double precision DEFAULT 0.75)
RETURNS double precision
	AS 'MODULE_PATHNAME', 'vecrag_bm25_score'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;

-- Fusion over ranked id lists (best first); up to four lists.
CREATE FUNCTION vecrag.rrf(
	list1 bigint[],
	list2 bigint[],
	list3 bigint[] DEFAULT NULL,
	list4 bigint[] DEFAULT NULL,
	k integer DEFAULT 60,
	weights double precision[] DEFAULT NULL,
	top_k integer DEFAULT NULL)
RETURNS TABLE (id bigint, score double precision, rank integer, ranks integer[])
	AS 'MODULE_PATHNAME', 'vecrag_rrf'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION vecrag.weighted_fusion(
	list1 bigint[], scores1 double precision[],
	list2 bigint[], scores2 double precision[],
	list3 bigint[] DEFAULT NULL, scores3 double precision[] DEFAULT NULL,
	list4 bigint[] DEFAULT NULL, scores4 double precision[] DEFAULT NULL,
	weights double precision[] DEFAULT NULL,
	normalization text[] DEFAULT '{minmax}',
	top_k integer DEFAULT NULL)
RETURNS TABLE (id bigint, score double precision, rank integer, ranks integer[],
			   normalized double precision[])
	AS 'MODULE_PATHNAME', 'vecrag_weighted_fusion'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION vecrag.hybrid_search(
	tbl regclass,
	query_text text,
	query_vector vector,
	k integer DEFAULT 10,
	vector_column text DEFAULT 'embedding',
	bm25_index regclass DEFAULT NULL,
	candidates integer DEFAULT NULL,
	fusion text DEFAULT 'rrf',
	rrf_k integer DEFAULT 60,
	weights double precision[] DEFAULT '{1,1}',
	normalization text[] DEFAULT '{minmax,distance}',
	distance text DEFAULT 'cosine',
	k1 double precision DEFAULT 1.2,
	b double precision DEFAULT 0.75)
RETURNS TABLE (id bigint, score double precision, rank integer,
			   bm25_rank integer, bm25_score double precision,
			   vector_rank integer, vector_distance double precision)
	AS 'MODULE_PATHNAME', 'vecrag_hybrid_search'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 10;

-- Rerank scoring
CREATE FUNCTION vecrag.mmr(
	query vector,
	ids bigint[],
	embeddings vector[],
	k integer DEFAULT 10,
	lambda double precision DEFAULT 0.5,
	scores double precision[] DEFAULT NULL)
RETURNS TABLE (id bigint, score double precision, rank integer)
	AS 'MODULE_PATHNAME', 'vecrag_mmr'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;

CREATE FUNCTION vecrag.maxsim(query vector[], document vector[]) RETURNS double precision
	AS 'MODULE_PATHNAME', 'vecrag_maxsim' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vecrag.feature_score(features double precision[], weights double precision[])
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'vecrag_feature_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- rerank: score candidates with a user's model function, one call per batch.
-- rerank and hyde_vector(text) run with the caller's search_path, so the
-- user's functions resolve and run as they would when called directly.
CREATE FUNCTION vecrag.rerank(
	query text,
	ids bigint[],
	documents text[],
	k integer DEFAULT 10,
	reranker regproc DEFAULT NULL,
	batch_size integer DEFAULT 0)
RETURNS TABLE (id bigint, score double precision, rank integer)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS $function$
DECLARE
	fn regproc := reranker;
	n integer;
	bs integer;
	all_scores double precision[] := '{}';
	batch double precision[];
	sig record;
BEGIN
	IF query IS NULL OR ids IS NULL OR documents IS NULL OR k IS NULL OR batch_size IS NULL THEN
		RAISE EXCEPTION 'query, ids, documents, k and batch_size must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF k <= 0 THEN
		RAISE EXCEPTION 'k must be greater than zero' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF batch_size < 0 THEN
		RAISE EXCEPTION 'batch_size must not be negative' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Use 0 to score all candidates in one call.';
	END IF;
	n := coalesce(cardinality(ids), 0);
	IF n <> coalesce(cardinality(documents), 0) THEN
		RAISE EXCEPTION '% ids but % documents', n, coalesce(cardinality(documents), 0)
			USING ERRCODE = 'array_subscript_error';
	END IF;
	IF fn IS NULL THEN
		fn := nullif(current_setting('vecrag.reranker', true), '')::regproc;
	END IF;
	IF fn IS NULL THEN
		RAISE EXCEPTION 'no reranker function configured'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass reranker => ''my_function'' or SET vecrag.reranker = ''my_function''; '
						 'it must take (query text, documents text[]) and return float8[], one score per document.';
	END IF;
	SELECT p.pronargs, p.proargtypes, p.prorettype, p.proretset INTO sig FROM pg_proc p WHERE p.oid = fn;
	IF sig.pronargs <> 2 OR sig.proargtypes[0] <> 'text'::regtype OR sig.proargtypes[1] <> 'text[]'::regtype
	   OR sig.prorettype <> 'double precision[]'::regtype OR sig.proretset THEN
		RAISE EXCEPTION 'reranker % must take (text, text[]) and return double precision[]', fn
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	bs := CASE WHEN batch_size = 0 THEN greatest(n, 1) ELSE batch_size END;
	FOR i IN 1 .. n BY bs LOOP
		EXECUTE format('SELECT %s($1, $2)', fn) INTO batch
			USING query, documents[i : least(i + bs - 1, n)];
		IF coalesce(cardinality(batch), 0) <> least(i + bs - 1, n) - i + 1 THEN
			RAISE EXCEPTION 'reranker % returned % scores for % documents', fn,
				coalesce(cardinality(batch), 0), least(i + bs - 1, n) - i + 1
				USING ERRCODE = 'data_exception';
		END IF;
		IF array_position(batch, NULL) IS NOT NULL OR 'NaN'::float8 = ANY (batch) THEN
			RAISE EXCEPTION 'reranker % returned a NULL or NaN score', fn USING ERRCODE = 'data_exception';
		END IF;
		all_scores := all_scores || batch;
	END LOOP;
	RETURN QUERY
		SELECT x.i, x.s, (row_number() OVER (ORDER BY x.s DESC, x.o))::integer
		FROM unnest(ids, all_scores) WITH ORDINALITY AS x(i, s, o)
		ORDER BY x.s DESC, x.o
		LIMIT k;
END
$function$;

-- HyDE
CREATE FUNCTION vecrag.hyde_vector(
	query vector,
	hypothetical vector[],
	include_query boolean DEFAULT true)
RETURNS vector
	AS 'MODULE_PATHNAME', 'vecrag_hyde_vector'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION vecrag.hyde_vector(
	question text,
	generator regproc DEFAULT NULL,
	embedder regproc DEFAULT NULL)
RETURNS @extschema@.vector
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS $function$
DECLARE
	gen regproc := coalesce(generator, nullif(current_setting('vecrag.hyde_generator', true), '')::regproc);
	emb regproc := coalesce(embedder, nullif(current_setting('vecrag.hyde_embedder', true), '')::regproc);
	docs text[];
	qv @extschema@.vector;
	dv @extschema@.vector[] := '{}';
	v @extschema@.vector;
BEGIN
	IF question IS NULL OR question = '' THEN
		RAISE EXCEPTION 'question must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF gen IS NULL OR emb IS NULL THEN
		RAISE EXCEPTION 'HyDE needs a generator and an embedder function'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN gen IS NULL AND emb IS NULL THEN 'Neither the generator nor the embedder is configured.'
								WHEN gen IS NULL THEN 'The generator is not configured.'
								ELSE 'The embedder is not configured.' END,
				  HINT = 'SET vecrag.hyde_generator = ''f'' (a function (question text) returning text[] of hypothetical documents) '
						 'and vecrag.hyde_embedder = ''g'' (a function (text) returning vector), '
						 'or pass generator => and embedder =>.';
	END IF;
	EXECUTE format('SELECT %s($1)', gen) INTO docs USING question;
	IF coalesce(cardinality(docs), 0) = 0 THEN
		RAISE EXCEPTION 'HyDE generator % returned no documents', gen USING ERRCODE = 'data_exception';
	END IF;
	EXECUTE format('SELECT %s($1)', emb) INTO qv USING question;
	IF qv IS NULL THEN
		RAISE EXCEPTION 'HyDE embedder % returned NULL for the question', emb USING ERRCODE = 'data_exception';
	END IF;
	FOR i IN 1 .. cardinality(docs) LOOP
		EXECUTE format('SELECT %s($1)', emb) INTO v USING docs[i];
		IF v IS NULL THEN
			RAISE EXCEPTION 'HyDE embedder % returned NULL for hypothetical document %', emb, i
				USING ERRCODE = 'data_exception';
		END IF;
		dv := dv || v;
	END LOOP;
	RETURN vecrag.hyde_vector(qv, dv, true);
END
$function$;
