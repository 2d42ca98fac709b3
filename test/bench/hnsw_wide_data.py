#!/usr/bin/env python3
# test/bench/hnsw_wide_data.py: wide vectors for test/bench/hnsw_wide, made
# from real GloVe-100 vectors.
#
#   hnsw_wide_data.py DATA DIM ROWS QUERIES OUTDIR
#
# Each 100-d GloVe vector x becomes R x, with R a DIM x 100 matrix of
# orthogonal columns (QR of a seeded Gaussian matrix, scaled so coordinates
# keep GloVe's magnitude).  R is an isometry up to one scale factor: every
# distance and inner product between wide vectors is the GloVe one times a
# constant (up to float rounding), so the neighbour order is GloVe's,
# spread over DIM dense dimensions.  It is not a native
# high-dimensional embedding: the wide vectors span only 100 dimensions,
# which is kind to no quantizer in particular (each coordinate is a random
# mix of all 100).  Writes OUTDIR/wide{DIM}-base.tsv (the first ROWS base
# words) and OUTDIR/wide{DIM}-query.tsv (the first QUERIES dev queries) in
# COPY text format.
import sys

import numpy as np


def read(path, n):
    ids, vecs = [], []
    with open(path) as f:
        for line in f:
            if len(ids) >= n:
                break
            i, v = line.rstrip('\n').split('\t')
            ids.append(int(i))
            vecs.append(np.array(v.strip('[]').split(','), dtype=np.float64))
    return ids, np.vstack(vecs)


def write(path, ids, mat):
    with open(path, 'w') as f:
        for i, row in zip(ids, mat):
            f.write('%d\t[%s]\n' % (i, ','.join('%.6g' % x for x in row)))


def main():
    data, dim, rows, queries, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    rng = np.random.default_rng(20261126)
    r, _ = np.linalg.qr(rng.standard_normal((dim, 100)))
    # scale so the wide coordinates have GloVe's typical magnitude
    r *= np.sqrt(dim / 100.0)
    ids, base = read(data + '/glove100-base.tsv', rows)
    write('%s/wide%d-base.tsv' % (out, dim), ids, (base @ r.T).astype(np.float32))
    qids, q = read(data + '/glove100-query.tsv', queries)
    write('%s/wide%d-query.tsv' % (out, dim), qids, (q @ r.T).astype(np.float32))


if __name__ == '__main__':
    main()
