-- distances, norms and dimensions with known values
SELECT l2_distance('[0,0]'::vector, '[3,4]'::vector), '[0,0]'::vector <-> '[3,4]';
SELECT l2_distance('[1,1,1]'::vector, '[1,1,1]'::vector);
SELECT inner_product('[1,2]'::vector, '[3,4]'::vector), '[1,2]'::vector <#> '[3,4]';
SELECT inner_product('[1,-1]'::vector, '[1,1]'::vector);
SELECT cosine_distance('[1,2]'::vector, '[2,4]'::vector), '[1,2]'::vector <=> '[2,4]';
SELECT cosine_distance('[1,0]'::vector, '[0,1]'::vector);
SELECT cosine_distance('[1,1]'::vector, '[-1,-1]'::vector);
SELECT cosine_distance('[3,4]'::vector, '[4,3]'::vector);
-- a zero vector has no direction: NaN, as in pgvector
SELECT cosine_distance('[0,0]'::vector, '[1,2]'::vector);
SELECT l1_distance('[0,0]'::vector, '[3,-4]'::vector), '[0,0]'::vector <+> '[3,-4]';
SELECT l1_distance('[1.5,2.5]'::vector, '[1.5,2.5]'::vector);
SELECT vector_norm('[3,4]'::vector), vector_norm('[0]'::vector), vector_norm('[-2]'::vector);
SELECT vector_dims('[1,2,3]'::vector), vector_dims('[1]'::vector);
-- angular distance of unit vectors (index support): acos(a . b) / pi
SELECT vector_spherical_distance('[1,0]'::vector, '[0,1]'::vector),
       vector_spherical_distance('[1,0]'::vector, '[1,0]'::vector),
       vector_spherical_distance('[1,0]'::vector, '[-1,0]'::vector);
-- support functions for indexes
SELECT vector_l2_squared_distance('[0,0]'::vector, '[3,4]'::vector),
       vector_negative_inner_product('[1,2]'::vector, '[3,4]'::vector);

-- the norm sums in double precision, so it is finite for any vector
SELECT vector_norm('[3e38,3e38]'::vector);
-- 16000 dimensions
SELECT array_fill(1::real, ARRAY[16000])::vector <-> array_fill(0::real, ARRAY[16000])::vector = sqrt(16000) AS l2,
       inner_product(array_fill(2::real, ARRAY[16000])::vector, array_fill(0.5::real, ARRAY[16000])::vector) AS ip,
       array_fill(1::real, ARRAY[16000])::vector <+> array_fill(-1::real, ARRAY[16000])::vector AS l1;

-- dimension mismatch
SELECT '[1,2]'::vector <-> '[1,2,3]';
SELECT '[1,2]'::vector <#> '[1,2,3]';
SELECT '[1,2]'::vector <=> '[1,2,3]';
SELECT '[1,2]'::vector <+> '[1,2,3]';
SELECT inner_product('[1,2]'::vector, '[3]'::vector);
SELECT vector_spherical_distance('[1]'::vector, '[1,0]'::vector);

-- NULL
SELECT '[1]'::vector <-> NULL, l2_distance(NULL::vector, '[1]'::vector), vector_dims(NULL::vector), vector_norm(NULL::vector);

-- operators commute, so either side can be the indexed column
SELECT oprname, oprcom = oid AS self_commutator, oprcode::regprocedure FROM pg_operator
WHERE oprleft = 'vector'::regtype AND oprname IN ('<->', '<#>', '<=>', '<+>')
ORDER BY 1;

-- nearest neighbours by exact scan
CREATE TABLE vector_distance_t (id int, v vector(3));
INSERT INTO vector_distance_t VALUES
	(1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]'), (4, '[1,1,1]'), (5, NULL);
SELECT id, round((v <-> '[1,0.1,0]')::numeric, 4) AS dist FROM vector_distance_t ORDER BY v <-> '[1,0.1,0]', id;
SELECT id FROM vector_distance_t ORDER BY v <#> '[1,2,3]', id LIMIT 3;
SELECT id FROM vector_distance_t ORDER BY v <=> '[1,1,0.9]', id LIMIT 2;
SELECT id FROM vector_distance_t ORDER BY v <+> '[0,0,0.9]', id LIMIT 2;
DROP TABLE vector_distance_t;
