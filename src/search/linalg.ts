/**
 * The little linear algebra the corpus-trained embedder needs: sparse rows, a seeded random
 * generator, orthonormalisation, a symmetric eigensolver and a randomized truncated SVD
 * (Halko, Martinsson, Tropp 2011). Dense matrices are row-major Float64Arrays. Deterministic:
 * the same input and seed give the same output on every machine.
 */

/** A sparse matrix in compressed rows: row i holds cols[rowStart[i]..rowStart[i+1]) and their values. */
export interface SparseRows {
  rows: number;
  cols: number;
  rowStart: Uint32Array;
  colIndex: Uint32Array;
  values: Float32Array;
}

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller) from a uniform generator. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Y (rows x l) = A (rows x cols) * X (cols x l). */
export function sparseTimesDense(a: SparseRows, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = a.rowStart[i]!; p < a.rowStart[i + 1]!; p++) {
      const v = a.values[p]!;
      const xo = a.colIndex[p]! * l;
      for (let c = 0; c < l; c++) y[yo + c] = y[yo + c]! + v * x[xo + c]!;
    }
  }
  return y;
}

/** Z (cols x l) = A^T (cols x rows) * X (rows x l). */
export function sparseTransposeTimesDense(a: SparseRows, x: Float64Array, l: number): Float64Array {
  const z = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const xo = i * l;
    for (let p = a.rowStart[i]!; p < a.rowStart[i + 1]!; p++) {
      const v = a.values[p]!;
      const zo = a.colIndex[p]! * l;
      for (let c = 0; c < l; c++) z[zo + c] = z[zo + c]! + v * x[xo + c]!;
    }
  }
  return z;
}

/**
 * Orthonormalises the l columns of X (n x l) in place (Cholesky QR twice, which is as stable as
 * Gram-Schmidt here and does its work in one pass over X). Columns that are numerically dependent
 * come out as zeros.
 */
export function orthonormalizeColumns(x: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const g = new Float64Array(l * l);
    for (let r = 0; r < n; r++) {
      const o = r * l;
      for (let i = 0; i < l; i++) {
        const xi = x[o + i]!;
        if (xi === 0) continue;
        const go = i * l;
        for (let j = i; j < l; j++) g[go + j] = g[go + j]! + xi * x[o + j]!;
      }
    }
    for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) g[i * l + j] = g[j * l + i]!;
    // Cholesky G = R^T R (upper R), skipping columns that vanish.
    const rm = new Float64Array(l * l);
    const scale = Math.max(1e-300, ...Array.from({ length: l }, (_, i) => g[i * l + i]!));
    for (let j = 0; j < l; j++) {
      let d = g[j * l + j]!;
      for (let k = 0; k < j; k++) d -= rm[k * l + j]! * rm[k * l + j]!;
      if (d <= scale * 1e-14) continue; // dependent column: leave its row of R zero
      const rjj = Math.sqrt(d);
      rm[j * l + j] = rjj;
      for (let i = j + 1; i < l; i++) {
        let s = g[j * l + i]!;
        for (let k = 0; k < j; k++) s -= rm[k * l + j]! * rm[k * l + i]!;
        rm[j * l + i] = s / rjj;
      }
    }
    // X <- X R^-1, row by row (forward substitution); a zero diagonal zeroes that column.
    const row = new Float64Array(l);
    for (let r = 0; r < n; r++) {
      const o = r * l;
      for (let j = 0; j < l; j++) {
        const rjj = rm[j * l + j]!;
        if (rjj === 0) { row[j] = 0; continue; }
        let s = x[o + j]!;
        for (let k = 0; k < j; k++) s -= row[k]! * rm[k * l + j]!;
        row[j] = s / rjj;
      }
      x.set(row, o);
    }
  }
}

/**
 * Eigen-decomposition of a symmetric n x n matrix (cyclic Jacobi). Returns the eigenvalues in
 * descending order and the eigenvectors as the columns of a row-major n x n matrix.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! * a[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    }
    if (off <= 1e-22 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

export interface TruncatedSvd {
  k: number;
  /** Singular values, descending. */
  s: Float64Array;
  /** Right singular vectors: cols x k, row-major (one row per column of A). */
  v: Float64Array;
}

/**
 * The top-k right singular vectors and values of a sparse matrix, by randomized range finding
 * with `powerIterations` rounds of subspace iteration. Seeded: deterministic.
 */
export function randomizedSvd(
  a: SparseRows, k: number, opts: { oversample?: number; powerIterations?: number; seed?: number } = {},
): TruncatedSvd {
  const l = Math.min(k + (opts.oversample ?? 10), a.rows, a.cols);
  const kk = Math.min(k, l);
  const rand = seededRandom(opts.seed ?? 42);
  const omega = new Float64Array(a.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(rand);
  let y = sparseTimesDense(a, omega, l); // rows x l
  orthonormalizeColumns(y, a.rows, l);
  for (let it = 0; it < (opts.powerIterations ?? 2); it++) {
    const z = sparseTransposeTimesDense(a, y, l); // cols x l
    orthonormalizeColumns(z, a.cols, l);
    y = sparseTimesDense(a, z, l);
    orthonormalizeColumns(y, a.rows, l);
  }
  // B = Q^T A (l x cols), held as its transpose Bt = A^T Q (cols x l).
  const bt = sparseTransposeTimesDense(a, y, l);
  // B B^T (l x l) = Bt^T Bt.
  const bbt = new Float64Array(l * l);
  for (let r = 0; r < a.cols; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const bi = bt[o + i]!;
      if (bi === 0) continue;
      for (let j = i; j < l; j++) bbt[i * l + j] = bbt[i * l + j]! + bi * bt[o + j]!;
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) bbt[i * l + j] = bbt[j * l + i]!;
  const { values, vectors } = symmetricEigen(bbt, l);
  const s = new Float64Array(kk);
  for (let i = 0; i < kk; i++) s[i] = Math.sqrt(Math.max(0, values[i]!));
  // V = B^T Ub / s: (cols x l)(l x k).
  const v = new Float64Array(a.cols * kk);
  for (let r = 0; r < a.cols; r++) {
    const o = r * l;
    for (let c = 0; c < kk; c++) {
      if (s[c] === 0) continue;
      let sum = 0;
      for (let i = 0; i < l; i++) sum += bt[o + i]! * vectors[i * l + c]!;
      v[r * kk + c] = sum / s[c]!;
    }
  }
  return { k: kk, s, v };
}
