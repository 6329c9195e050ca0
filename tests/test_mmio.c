/*
 * test_mmio.c -- MatrixMarket reader and writer (src/mmio.c).
 *
 * Round trips must be bit-exact; every supported format/field/symmetry is
 * read from a hand-written file and compared entry by entry; every malformed
 * input must give EXPM_EINVAL (or ENOMEM), a zeroed matrix, and a message
 * "NAME:LINE: reason" with the exact line and a word telling the reason.
 */
#include <criterion/criterion.h>

#include "expmkit.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* Feed bytes (NULs included) to the reader through a real stream. */
static expm_status read_bytes(const char *data, size_t len, expm_matrix_t *M,
                              char *err, size_t errlen)
{
    FILE *fp = tmpfile();
    cr_assert_not_null(fp, "tmpfile: %s", strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    rewind(fp);
    expm_status st = expm_mm_read_stream(fp, "t.mtx", M, err, errlen);
    fclose(fp);
    return st;
}

static void check_failure(expm_status st, const expm_matrix_t *M, const char *err,
                          const char *name, expm_status want_st, long long line,
                          const char *word)
{
    cr_assert_eq(st, want_st, "status %d, want %d; err: %s", st, want_st, err);
    cr_assert_eq(M->rows, 0, "M not zeroed on error");
    cr_assert_eq(M->cols, 0, "M not zeroed on error");
    cr_assert_null(M->data, "M not zeroed on error");
    cr_assert_eq(M->size_line, 0, "M not zeroed on error");
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s:%lld: ", name, line);
    size_t n = strlen(prefix);
    cr_assert(strncmp(err, prefix, n) == 0, "want prefix '%s', got '%s'", prefix, err);
    cr_assert_gt(strlen(err), n, "empty reason: '%s'", err);
    cr_assert(strstr(err + n, word) != NULL, "'%s' not in '%s'", word, err);
    cr_assert_null(strchr(err, '\n'), "newline in '%s'", err);
}

static void check_bad(const char *data, size_t len, expm_status want_st, long long line,
                      const char *word)
{
    static double sentinel;
    /* must come back zeroed */
    expm_matrix_t M = {.rows = 3, .cols = 3, .data = &sentinel, .size_line = 3};
    char err[512];
    memset(err, 'x', sizeof err);
    expm_status st = read_bytes(data, len, &M, err, sizeof err);
    check_failure(st, &M, err, "t.mtx", want_st, line, word);
}

/* One Test per malformed input, so that a crash names its case. sizeof keeps
 * embedded NUL bytes. */
#define BAD(id, line, word, text)                                   \
    Test(mm_bad, id)                                                \
    {                                                               \
        check_bad(text, sizeof(text) - 1, EXPM_EINVAL, line, word); \
    }

/* Read a file that must be valid and compare with the expected column-major
 * entries bit for bit (so -0.0 and 0.0 differ). */
static void check_good(const char *text, int rows, int cols, const double *want)
{
    expm_matrix_t M = {0};
    char err[512] = "untouched";
    expm_status st = read_bytes(text, strlen(text), &M, err, sizeof err);
    cr_assert_eq(st, EXPM_OK, "status %d: %s", st, err);
    cr_assert_str_empty(err);
    cr_assert_eq(M.rows, rows);
    cr_assert_eq(M.cols, cols);
    cr_assert_not_null(M.data);
    cr_assert_geq(M.size_line, 2);
    for (int k = 0; k < rows * cols; k++)
        cr_assert(memcmp(&M.data[k], &want[k], sizeof(double)) == 0,
                  "entry %d (row %d, col %d): got %.17g, want %.17g", k, k % rows + 1,
                  k / rows + 1, M.data[k], want[k]);
    expm_matrix_free(&M);
    cr_assert_null(M.data);
    cr_assert_eq(M.rows, 0);
}

#define AG "%%MatrixMarket matrix array real general\n"
#define AI "%%MatrixMarket matrix array integer general\n"
#define AS "%%MatrixMarket matrix array real symmetric\n"
#define AK "%%MatrixMarket matrix array real skew-symmetric\n"
#define CG "%%MatrixMarket matrix coordinate real general\n"
#define CI "%%MatrixMarket matrix coordinate integer general\n"
#define CS "%%MatrixMarket matrix coordinate real symmetric\n"
#define CK "%%MatrixMarket matrix coordinate real skew-symmetric\n"

/* ------------------------------------------------------------------------ */
/* Valid inputs: every format / field / symmetry                             */
/* ------------------------------------------------------------------------ */

Test(mm_read, array_real_general)
{
    const double want[] = {1, 2, -2.5e-3, 4, 0.5, -0.0};
    check_good(AG "% a comment\n2 3\n1\n2\n-2.5e-3\n4\n.5\n-0\n", 2, 3, want);
}

Test(mm_read, array_double_general)
{
    const double want[] = {1.25, -3};
    check_good("%%MatrixMarket matrix array double general\n2 1\n1.25\n-3\n", 2, 1, want);
}

Test(mm_read, array_integer_general)
{
    const double want[] = {-3, 4, 0, 12};
    check_good(AI "2 2\n-3\n+4\n0\n0012\n", 2, 2, want);
}

Test(mm_read, array_real_symmetric)
{
    /* lower triangle column-major: a11 a21 a31 a22 a32 a33 */
    const double want[] = {1, 2, 3, 2, 4, 5, 3, 5, 6};
    check_good(AS "3 3\n1\n2\n3\n4\n5\n6\n", 3, 3, want);
}

Test(mm_read, array_integer_symmetric)
{
    const double want[] = {7, -1, -1, 9};
    check_good("%%MatrixMarket matrix array integer symmetric\n2 2\n7\n-1\n9\n", 2, 2, want);
}

Test(mm_read, array_real_skew_symmetric)
{
    /* strict lower triangle column-major: a21 a31 a32 */
    const double want[] = {0, 1, 2, -1, 0, 3, -2, -3, 0};
    check_good(AK "3 3\n1\n2\n3\n", 3, 3, want);
}

Test(mm_read, array_integer_skew_symmetric)
{
    const double want[] = {0, -4, 4, 0};
    check_good("%%MatrixMarket matrix array integer skew-symmetric\n2 2\n-4\n", 2, 2, want);
}

Test(mm_read, array_skew_1x1_has_no_values)
{
    const double want[] = {0};
    check_good(AK "1 1\n", 1, 1, want);
}

Test(mm_read, coordinate_real_general)
{
    const double want[] = {0, 0, 1.5, -2, 0, 0};
    check_good(CG "3 2 2\n3 1 1.5\n1 2 -2\n", 3, 2, want);
}

/* "+3" is a non-negative integer (strtol, the NIST reader): sizes, counts
 * and indices with a sign were refused as "not a non-negative integer"
 * (an outside audit); "+" alone and "++3" are still refused. */
Test(mm_read, plus_signed_sizes_and_indices)
{
    const double want[] = {0, 0, 1.5, -2, 0, 0};
    check_good(CG "+3 +2 +2\n+3 +1 1.5\n1 +2 -2\n", 3, 2, want);
}
BAD(dim_plus_alone, 2, "row count '+' is not a non-negative integer", AG "+ 3\n")
BAD(dim_plus_plus, 2, "row count '++3' is not a non-negative integer", AG "++3 3\n")

Test(mm_read, coordinate_integer_general)
{
    const double want[] = {5, 0, 0, -7};
    check_good(CI "2 2 2\n2 2 -7\n1 1 5\n", 2, 2, want);
}

Test(mm_read, coordinate_double_general)
{
    const double want[] = {0, 0.25};
    check_good("%%MatrixMarket matrix coordinate double general\n1 2 1\n1 2 0.25\n", 1, 2,
               want);
}

Test(mm_read, coordinate_real_symmetric)
{
    const double want[] = {1, 2, 0, 2, 0, 3, 0, 3, 4};
    check_good(CS "3 3 4\n1 1 1\n2 1 2\n3 2 3\n3 3 4\n", 3, 3, want);
}

Test(mm_read, coordinate_integer_symmetric)
{
    const double want[] = {0, 6, 6, 0};
    check_good("%%MatrixMarket matrix coordinate integer symmetric\n2 2 1\n2 1 6\n", 2, 2,
               want);
}

Test(mm_read, coordinate_real_skew_symmetric)
{
    const double want[] = {0, 1.5, 0, -1.5, 0, -2, 0, 2, 0};
    check_good(CK "3 3 2\n2 1 1.5\n3 2 -2\n", 3, 3, want);
}

Test(mm_read, coordinate_integer_skew_symmetric)
{
    const double want[] = {0, 3, -3, 0};
    check_good("%%MatrixMarket matrix coordinate integer skew-symmetric\n2 2 1\n2 1 3\n",
               2, 2, want);
}

Test(mm_read, coordinate_no_entries)
{
    const double want[] = {0, 0, 0, 0, 0, 0};
    check_good(CG "2 3 0\n% nothing\n\n", 2, 3, want);
}

Test(mm_read, banner_case_insensitive)
{
    const double want[] = {0, 0, 0, 2};
    check_good("%%matrixmarket MATRIX Coordinate Real GENERAL\n2 2 1\n2 2 2\n", 2, 2, want);
    check_good("%%MATRIXMARKET matrix ARRAY real Skew-Symmetric\n2 2\n-2\n",
               2, 2, (const double[]){0, -2, 2, 0});
}

Test(mm_read, crlf_and_missing_final_newline)
{
    const double want[] = {1, 2, 3, 4};
    check_good("%%MatrixMarket matrix array real general\r\n% c\r\n2 2\r\n1\r\n2\r\n3\r\n4",
               2, 2, want);
    check_good(CG "2 2 1\r\n1 1 1\r\n\r\n", 2, 2, (const double[]){1, 0, 0, 0});
}

Test(mm_read, free_layout_comments_and_blank_lines)
{
    const double want[] = {1, 2, 3, 4, 5, 6};
    check_good(AG "\n% header comment\n\n  2\t3  \n1 2\t3\n\n% mid\n   4\n5 6   \n\n% end\n\n",
               2, 3, want);
    check_good(CG "%\n2 2 2\n\n 1 1 1 \n% between\n\t2\t2\t2\t\n\n", 2, 2,
               (const double[]){1, 0, 0, 2});
}

Test(mm_read, underflow_is_accepted)
{
    const double want[] = {0.0, strtod("1e-320", NULL), -0.0, 4.9406564584124654e-324};
    cr_assert_gt(want[1], 0.0);
    check_good(AG "4 1\n1e-400\n1e-320\n-1e-400\n4.9406564584124654e-324\n", 4, 1, want);
}

Test(mm_read, extreme_but_finite_values)
{
    const double want[] = {DBL_MAX, -DBL_MAX, DBL_MIN, 1e308};
    check_good(AG "4 1\n1.7976931348623157e308\n-1.7976931348623157e+308\n"
                  "2.2250738585072014e-308\n1e308\n", 4, 1, want);
}

Test(mm_read, largest_dimension)
{
    const double want[] = {0, 0};
    expm_matrix_t M = {0};
    char err[256];
    const char *text = CG "65536 2 1\n65536 2 7\n";
    cr_assert_eq(read_bytes(text, strlen(text), &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert_eq(M.rows, EXPM_MM_MAX_DIM);
    cr_assert_eq(M.cols, 2);
    cr_assert_eq(M.data[2 * 65536 - 1], 7.0);
    cr_assert_eq(M.data[0], want[0]);
    expm_matrix_free(&M);
}

/* A valid value on a 1 MB line: long lines are read whole. */
Test(mm_read, one_megabyte_line)
{
    size_t n = 1 << 20;
    const char *head = AG "1 2\n";
    char *text = malloc(strlen(head) + n + 16);
    cr_assert_not_null(text);
    strcpy(text, head);
    char *p = text + strlen(head);
    p[0] = '1';
    p[1] = '.';
    memset(p + 2, '0', n);
    strcpy(p + 2 + n, " -2\n");
    check_good(text, 1, 2, (const double[]){1, -2});
    free(text);
}

/* The CLI names the size line when it rejects a shape. */
Test(mm_read, size_line_number)
{
    const char *text = AG "% a\n\n% b\n2 1\n1\n2\n";
    expm_matrix_t M = {0};
    char err[256];
    cr_assert_eq(read_bytes(text, strlen(text), &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert_eq(M.size_line, 5);
    expm_matrix_free(&M);
    cr_assert_eq(M.size_line, 0);
}

Test(mm_read, matrix_free_is_idempotent)
{
    expm_matrix_t M = {0};
    expm_matrix_free(&M);
    expm_matrix_free(&M);
    expm_matrix_free(NULL);
    cr_assert_null(M.data);
}

/* ------------------------------------------------------------------------ */
/* Malformed inputs                                                          */
/* ------------------------------------------------------------------------ */

/* banner */
BAD(empty_file, 1, "empty file, expected a %%MatrixMarket banner", "")
BAD(banner_only, 2, "missing size line 'rows cols'", AG)
BAD(banner_and_comments_only, 4, "missing size line 'rows cols nnz'", CG "% a\n\n")
BAD(no_banner, 1, "expected a %%MatrixMarket banner, found '2'", "2 2\n1\n2\n3\n4\n")
BAD(misspelled_banner, 1, "'%%MatrixMarkt'", "%%MatrixMarkt matrix array real general\n1 1\n1\n")
BAD(blank_first_line, 1, "banner", "\n" AG "1 1\n1\n")
BAD(complex_field, 1, "complex matrices are not supported",
    "%%MatrixMarket matrix array complex general\n1 1\n1 0\n")
BAD(pattern_field, 1, "pattern matrices have no values",
    "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n")
BAD(hermitian_symmetry, 1, "hermitian", "%%MatrixMarket matrix array real hermitian\n1 1\n1\n")
BAD(object_vector, 1, "'vector'", "%%MatrixMarket vector array real general\n1\n1\n")
BAD(unknown_format, 1, "'dense'", "%%MatrixMarket matrix dense real general\n1 1\n1\n")
BAD(unknown_field, 1, "'float'", "%%MatrixMarket matrix array float general\n1 1\n1\n")
BAD(unknown_symmetry, 1, "'upper'", "%%MatrixMarket matrix array real upper\n1 1\n1\n")
BAD(missing_object, 1, "missing object", "%%MatrixMarket\n1 1\n1\n")
BAD(missing_field, 1, "missing field", "%%MatrixMarket matrix coordinate\n1 1 0\n")
BAD(missing_symmetry, 1, "missing symmetry", "%%MatrixMarket matrix array real\n1 1\n1\n")
BAD(extra_banner_token, 1, "unexpected token 'extra'",
    "%%MatrixMarket matrix array real general extra\n1 1\n1\n")
/* CR-only (classic Mac) line endings make the file one line: said so (it
 * was "unexpected token '1'" after the symmetry; an outside audit). */
BAD(old_mac_line_ends, 1, "CR-only line endings are not supported",
    "%%MatrixMarket matrix array real general\r1 1\r1\r")

/* size line */
BAD(dim_fraction, 2, "row count '3.5' is not a non-negative integer", AG "3.5 3\n")
BAD(dim_negative, 3, "column count '-1'", AG "% c\n2 -1\n")
BAD(dim_zero, 2, "row count '0' is out of range 1..65536", AG "0 2\n")
BAD(dim_exponent, 2, "'1e3'", AG "1e3 1\n")
BAD(dim_overflow, 2, "out of range", AG "99999999999999999999 1\n")
BAD(dim_trailing_garbage, 2, "'2x'", AG "2 2x\n")
BAD(dim_above_limit, 2, "out of range", AG "65537 1\n")
BAD(dim_int_max, 2, "out of range", AG "2147483647 2147483647\n")
BAD(size_extra_token, 2, "unexpected token '4'", AG "2 2 4\n1\n2\n3\n4\n")
BAD(size_missing_cols, 2, "missing column count", AG "2\n1\n2\n")
BAD(size_missing_nnz, 2, "missing entry count", CG "2 2\n1 1 1\n")
BAD(nnz_negative, 2, "entry count '-1'", CG "2 2 -1\n")
/* beyond LLONG_MAX: the token is quoted, not the clamped 9223372036854775807
 * ("entry count 9223372036854775807 exceeds ..."; an outside audit) */
BAD(nnz_beyond_llong, 2, "entry count '99999999999999999999' is out of range",
    CG "2 2 99999999999999999999\n1 1 1\n")
BAD(index_beyond_llong, 3, "row index '99999999999999999999' is out of range 1..2",
    CG "2 2 1\n99999999999999999999 1 1\n")
BAD(nnz_too_large, 2, "exceeds", CG "2 2 5\n")
BAD(nnz_too_large_symmetric, 2, "exceeds", CS "2 2 4\n1 1 1\n2 1 1\n2 2 1\n1 2 1\n")
BAD(symmetric_not_square, 2, "square", AS "2 3\n1\n2\n3\n4\n5\n6\n")
BAD(skew_not_square, 2, "square", CK "3 2 1\n2 1 1\n")
BAD(too_large_65536, 2, "too large (65536 x 65536", AG "65536 65536\n")
BAD(too_large_just_over_1gib, 2, "too large", CG "16385 8192 0\n")

/* entry counts */
BAD(truncated_array, 6, "expected 4 entries, found 3", AG "2 2\n1\n2\n3\n")
BAD(truncated_array_no_newline, 6, "expected 4 entries, found 3", AG "2 2\n1\n2\n3")
BAD(truncated_array_trailing_blanks, 8, "expected 4 entries, found 3", AG "2 2\n1\n2\n3\n\n\n")
BAD(truncated_symmetric, 4, "expected 3 entries, found 1", AS "2 2\n1\n")
BAD(truncated_coordinate, 5, "expected 3 entries, found 2", CG "2 2 3\n1 1 1\n2 2 2\n")
BAD(truncated_crlf, 4, "expected 2 entries, found 1",
    "%%MatrixMarket matrix array real general\r\n2 1\r\n1\r\n")
BAD(extra_array, 7, "unexpected data after the last entry", AG "2 2\n1\n2\n3\n4\n5\n")
BAD(extra_array_same_line, 3, "unexpected data after the last entry", AG "1 2\n1 2 3\n")
BAD(extra_symmetric, 6, "unexpected data after the last entry", AS "2 2\n1\n2\n3\n4\n")
BAD(extra_skew_1x1, 3, "unexpected data after the last entry", AK "1 1\n0\n")
BAD(extra_coordinate, 5, "unexpected data after the last entry",
    CG "2 2 1\n1 1 1\n% ok\n2 2 2\n")
BAD(extra_after_no_entries, 4, "unexpected data after the last entry", CG "2 2 0\n\n1 1 1\n")
BAD(trailing_inline_comment, 3, "unexpected data", AG "1 1\n1 % one\n")

/* values */
BAD(not_a_number, 4, "value 'abc' is not a number", AG "2 1\n1\nabc\n")
BAD(value_trailing_garbage, 3, "'1.5x'", AG "1 1\n1.5x\n")
BAD(value_decimal_comma, 3, "'1,5'", AG "1 1\n1,5\n")
BAD(value_nan, 3, "value 'nan' is not a finite number", AG "1 1\nnan\n")
BAD(value_nan_payload, 3, "finite", AG "1 1\n-NaN(123)\n")
BAD(value_inf, 3, "finite", AG "1 1\ninf\n")
BAD(value_minus_infinity, 4, "finite", AG "2 1\n1\n-Infinity\n")
BAD(value_overflow, 3, "value '1e999' is not a finite number", AG "1 1\n1e999\n")
BAD(value_overflow_negative, 4, "finite", CG "2 2 2\n1 1 1\n2 2 -1.8e308\n")
BAD(integer_field_fraction, 3, "not an integer", AI "1 1\n1.5\n")
BAD(integer_field_exponent, 3, "not an integer", AI "1 1\n1e3\n")
BAD(integer_field_overflow, 3, "finite", AI "1 1\n1" "0000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n")

/* coordinate entries */
BAD(index_zero, 3, "row index '0' is out of range 1..2", CG "2 2 1\n0 1 1\n")
BAD(col_index_zero, 3, "column index '0' is out of range", CG "2 2 1\n1 0 1\n")
BAD(row_index_too_big, 3, "row index '3' is out of range 1..2", CG "2 2 1\n3 1 1\n")
BAD(col_index_too_big, 4, "column index '4' is out of range 1..3", CG "2 3 2\n1 1 1\n1 4 1\n")
BAD(index_overflow, 3, "out of range", CG "2 2 1\n1 18446744073709551617 1\n")
BAD(index_negative, 3, "row index '-1'", CG "2 2 1\n-1 1 1\n")
BAD(index_fraction, 3, "column index '1.0'", CG "2 2 1\n1 1.0 1\n")
BAD(entry_missing_value, 3, "missing value", CG "2 2 1\n1 1\n")
BAD(entry_missing_col, 3, "missing column index", CG "2 2 1\n1\n")
BAD(entry_extra_token, 3, "unexpected token '9'", CG "2 2 1\n1 1 1 9\n")
BAD(symmetric_upper_entry, 4, "entry (1,2) is above the diagonal", CS "2 2 2\n1 1 1\n1 2 5\n")
BAD(skew_diagonal_entry, 3, "entry (1,1) is not below the diagonal", CK "2 2 1\n1 1 0\n")
BAD(skew_upper_entry, 3, "not below the diagonal", CK "3 3 1\n2 3 1\n")
BAD(duplicate_entry, 5, "duplicate entry (1,2), first given on line 3",
    CG "2 2 3\n1 2 1\n2 2 1\n1 2 7\n")
BAD(duplicate_after_comments, 8, "duplicate entry (2,1), first given on line 7",
    CG "% c\n2 2 3\n1 2 1\n\n% x\n2 1 1\n2 1 7\n")
BAD(duplicate_symmetric_diagonal, 4, "duplicate entry (2,2), first given on line 3",
    CS "2 2 2\n2 2 1\n2 2 1\n")

/* binary input */
BAD(nul_bytes_in_data, 3, "NUL byte", AG "1 1\n" "\x01\x02" "\0" "\xff\n")
BAD(nul_byte_in_banner, 1, "NUL byte", "%%MatrixMarket matrix\0 array real general\n1 1\n1\n")
BAD(elf_header, 1, "NUL byte in column 8", "\x7f" "ELF\x02\x01\x01" "\0\0\0\0\n")
BAD(high_bytes_value, 3, "value '?\?' is not a number", AG "1 1\n\xff\xfe\n")
BAD(utf8_bom, 1, "banner", "\xef\xbb\xbf" AG "1 1\n1\n")

/* Lines of a megabyte: a value that overflows and a dimension that does;
 * the token is cut in the message. */
static void check_long_line(const char *head, long long line, const char *word)
{
    size_t n = 1 << 20;
    char *text = malloc(strlen(head) + n + 8);
    cr_assert_not_null(text);
    strcpy(text, head);
    memset(text + strlen(head), '9', n);
    strcpy(text + strlen(head) + n, " 1\n");
    static double sentinel;
    expm_matrix_t M = {.rows = 1, .cols = 1, .data = &sentinel, .size_line = 1};
    char err[512];
    expm_status st = read_bytes(text, strlen(text), &M, err, sizeof err);
    check_failure(st, &M, err, "t.mtx", EXPM_EINVAL, line, word);
    cr_assert(strstr(err, "...") != NULL, "long token not cut: %.100s", err);
    cr_assert_lt(strlen(err), 200);
    free(text);
}

Test(mm_bad, megabyte_of_digits_as_value)
{
    check_long_line(AG "1 2\n", 3, "not a finite number");
}

Test(mm_bad, megabyte_of_digits_as_dimension)
{
    check_long_line(AG, 2, "out of range");
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* Huge but well-formed headers must be answered at once, not allocated. */
Test(mm_bad, huge_headers_fail_fast)
{
    const char *heads[] = {AG "65536 65536\n", CG "65536 65536 0\n", CG "65536 65536 5\n",
                           CS "65536 65536 1\n1 1 1\n", AK "65536 65536\n"};
    for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        check_bad(heads[h], strlen(heads[h]), EXPM_EINVAL, 2, "too large");
        cr_assert_lt(seconds_since(&t0), 1.0, "header %zu took too long", h);
    }
}

/* A 512 MiB header with the address space capped: calloc fails, ENOMEM. */
Test(mm_bad, out_of_memory)
{
    struct rlimit old, lim;
    cr_assert_eq(getrlimit(RLIMIT_AS, &old), 0);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f || fscanf(f, "%lu", &pages) != 1)
        cr_skip_test("no /proc/self/statm");
    fclose(f);
    lim.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)64 << 20);
    lim.rlim_max = old.rlim_max;
    if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < lim.rlim_cur)
        cr_skip_test("address space already limited");
    cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);

    static double sentinel;
    expm_matrix_t M = {.rows = 1, .cols = 1, .data = &sentinel, .size_line = 1};
    char err[512];
    const char *text = CG "8192 8192 0\n";
    expm_status st = read_bytes(text, strlen(text), &M, err, sizeof err);
    setrlimit(RLIMIT_AS, &old);
    check_failure(st, &M, err, "t.mtx", EXPM_ENOMEM, 2, "out of memory for 8192x8192 matrix");
}

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

static void make_dir(char *dir, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/test_mmio.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    cr_assert_eq(fputs(text, fp) >= 0, 1);
    cr_assert_eq(fclose(fp), 0);
}

Test(mm_path, read_file_by_path)
{
    char dir[4096], path[4200];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.mtx", dir);
    write_file(path, AG "1 2\n3\n4\n");
    expm_matrix_t M = {0};
    char err[256];
    cr_assert_eq(expm_mm_read(path, &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert_eq(M.rows, 1);
    cr_assert_eq(M.cols, 2);
    cr_assert_eq(M.data[1], 4.0);
    expm_matrix_free(&M);

    /* errors carry the path as given */
    write_file(path, AG "1 2\n3\n");
    static double sentinel;
    M = (expm_matrix_t){.rows = 1, .cols = 1, .data = &sentinel, .size_line = 1};
    expm_status st = expm_mm_read(path, &M, err, sizeof err);
    check_failure(st, &M, err, path, EXPM_EINVAL, 4, "expected 2 entries, found 1");
    unlink(path);
    rmdir(dir);
}

Test(mm_path, directory)
{
    char dir[4096], err[4400];
    make_dir(dir, sizeof dir);
    static double sentinel;
    expm_matrix_t M = {.rows = 1, .cols = 1, .data = &sentinel, .size_line = 1};
    expm_status st = expm_mm_read(dir, &M, err, sizeof err);
    rmdir(dir);
    check_failure(st, &M, err, dir, EXPM_EINVAL, 0, "is a directory");
    char want[4200];
    snprintf(want, sizeof want, "%s:0: is a directory", dir);
    cr_assert_str_eq(err, want);
}

Test(mm_path, missing_file)
{
    char dir[4096], path[4200], err[4400];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/nope.mtx", dir);
    static double sentinel;
    expm_matrix_t M = {.rows = 1, .cols = 1, .data = &sentinel, .size_line = 1};
    expm_status st = expm_mm_read(path, &M, err, sizeof err);
    rmdir(dir);
    check_failure(st, &M, err, path, EXPM_EINVAL, 0, "cannot open: ");
    char want[4400];
    snprintf(want, sizeof want, "%s:0: cannot open: %s", path, strerror(ENOENT));
    cr_assert_str_eq(err, want);
}

Test(mm_path, stdin_dash)
{
    char dir[4096], path[4200], err[256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/in.mtx", dir);
    write_file(path, CG "2 2 1\n2 1 -1\n");
    cr_assert_not_null(freopen(path, "r", stdin));
    expm_matrix_t M = {0};
    cr_assert_eq(expm_mm_read("-", &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert_eq(M.data[1], -1.0);
    expm_matrix_free(&M);

    write_file(path, CG "2 2 1\n2 1 x\n");
    cr_assert_not_null(freopen(path, "r", stdin));
    expm_status st = expm_mm_read("-", &M, err, sizeof err);
    unlink(path);
    rmdir(dir);
    check_failure(st, &M, err, "<stdin>", EXPM_EINVAL, 3, "'x' is not a number");
}

/* A directory on stdin cannot be detected by path: the read fails. */
Test(mm_path, stdin_read_error)
{
    char dir[4096], err[256];
    make_dir(dir, sizeof dir);
    cr_assert_not_null(freopen(dir, "r", stdin));
    expm_matrix_t M = {.rows = 1, .cols = 1, .data = NULL, .size_line = 1};
    expm_status st = expm_mm_read("-", &M, err, sizeof err);
    rmdir(dir);
    check_failure(st, &M, err, "<stdin>", EXPM_EINVAL, 1, "read error: ");
}

Test(mm_path, small_or_null_error_buffer)
{
    const char *text = AG "1 1\nnan\n";
    expm_matrix_t M = {0};
    char err[8];
    memset(err, 'x', sizeof err);
    cr_assert_eq(read_bytes(text, strlen(text), &M, err, sizeof err), EXPM_EINVAL);
    cr_assert_str_eq(err, "t.mtx:3");
    cr_assert_eq(read_bytes(text, strlen(text), &M, NULL, 0), EXPM_EINVAL);
    cr_assert_eq(read_bytes(text, strlen(text), &M, err, 0), EXPM_EINVAL);
    cr_assert_null(M.data);
    cr_assert_eq(expm_mm_read_stream(NULL, "x", &M, err, sizeof err), EXPM_EINVAL);
    cr_assert_eq(expm_mm_read(NULL, &M, NULL, 0), EXPM_EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Writer and round trips                                                    */
/* ------------------------------------------------------------------------ */

/* Write A with expm_mm_write into a string (caller frees). */
static char *write_string(int rows, int cols, const double *A, int lda, const char *comment)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    cr_assert_not_null(fp);
    expm_status st = expm_mm_write(fp, rows, cols, A, lda, comment);
    cr_assert_eq(fclose(fp), 0);
    cr_assert_eq(st, EXPM_OK);
    return buf;
}

static void round_trip(int rows, int cols, const double *A, int lda)
{
    char *text = write_string(rows, cols, A, lda, "round trip\nsecond line");
    expm_matrix_t M = {0};
    char err[256];
    cr_assert_eq(read_bytes(text, strlen(text), &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert_eq(M.rows, rows);
    cr_assert_eq(M.cols, cols);
    for (int j = 0; j < cols; j++)
        for (int i = 0; i < rows; i++) {
            const double *a = &A[(size_t)j * (size_t)lda + (size_t)i];
            const double *m = &M.data[(size_t)j * (size_t)rows + (size_t)i];
            cr_assert(memcmp(a, m, sizeof *a) == 0, "(%d,%d): wrote %a, read %a", i, j, *a,
                      *m);
        }
    expm_matrix_free(&M);
    free(text);
}

Test(mm_write, exact_text)
{
    const double A[] = {1, -0.0, 99, 0.1, 2.5, 99};
    char *text = write_string(2, 2, A, 3, "precision 256\n\nlast\n");
    cr_assert_str_eq(text, "%%MatrixMarket matrix array real general\n"
                           "% precision 256\n%\n% last\n"
                           "2 2\n1\n-0\n0.10000000000000001\n2.5\n");
    free(text);
    text = write_string(1, 1, A, 1, NULL);
    cr_assert_str_eq(text, "%%MatrixMarket matrix array real general\n1 1\n1\n");
    free(text);
}

Test(mm_write, special_values_round_trip)
{
    const double v[] = {0.0, -0.0, 0.1, -0.1, 1e308, -1e308, DBL_MAX, -DBL_MAX, DBL_MIN,
                        4.9406564584124654e-324, -4.9406564584124654e-324,
                        2.2250738585072009e-308, 1e-320, -1e-310, 1.0 / 3.0,
                        3.141592653589793, 9007199254740993.0, 123456789012345678.0,
                        DBL_EPSILON, 1 + DBL_EPSILON, 0.30000000000000004};
    int n = (int)(sizeof v / sizeof *v);
    round_trip(n, 1, v, n);
    round_trip(1, n, v, 1);
    round_trip(3, 7, v, 3);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random bit patterns cover every exponent, subnormals included. */
Test(mm_write, random_round_trip)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    const int shapes[][3] = {{1, 1, 1}, {7, 1, 7}, {1, 9, 2}, {37, 23, 40}, {64, 64, 64}};
    for (size_t t = 0; t < sizeof shapes / sizeof *shapes; t++) {
        int rows = shapes[t][0], cols = shapes[t][1], lda = shapes[t][2];
        double *A = malloc(sizeof(double) * (size_t)lda * (size_t)cols);
        cr_assert_not_null(A);
        for (int k = 0; k < lda * cols; k++) {
            uint64_t bits = xorshift(&s);
            memcpy(&A[k], &bits, sizeof bits);
            if (!isfinite(A[k]))
                A[k] = (double)(int64_t)bits * 1e-300;
            if (k % 5 == 0) /* and ordinary numbers */
                A[k] = (double)(int64_t)(bits >> 11) / 3.0e6;
        }
        round_trip(rows, cols, A, lda);
        free(A);
    }
}

Test(mm_write, rejects_bad_arguments_and_values)
{
    double A[] = {1, 2, 3, 4};
    FILE *fp = tmpfile();
    cr_assert_not_null(fp);
    cr_assert_eq(expm_mm_write(NULL, 2, 2, A, 2, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_mm_write(fp, 2, 2, NULL, 2, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_mm_write(fp, 0, 2, A, 1, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_mm_write(fp, 2, -1, A, 2, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_mm_write(fp, 2, 2, A, 1, NULL), EXPM_EINVAL);
    A[3] = NAN;
    cr_assert_eq(expm_mm_write(fp, 2, 2, A, 2, NULL), EXPM_EINVAL);
    A[3] = -INFINITY;
    cr_assert_eq(expm_mm_write(fp, 2, 2, A, 2, NULL), EXPM_EINVAL);
    /* nothing was written by the rejected calls */
    cr_assert_eq(ftell(fp), 0L);
    fclose(fp);
}

Test(mm_write, write_errors)
{
    double A[] = {1, 2, 3, 4};
    FILE *fp = fopen("/dev/full", "w");
    if (fp) {
        cr_assert_eq(expm_mm_write(fp, 2, 2, A, 2, "c"), EXPM_EINVAL);
        fclose(fp);
    }
    /* a stream opened for reading only */
    fp = tmpfile();
    cr_assert_not_null(fp);
    FILE *ro = fdopen(dup(fileno(fp)), "r");
    cr_assert_not_null(ro);
    cr_assert_eq(expm_mm_write(ro, 2, 2, A, 2, NULL), EXPM_EINVAL);
    fclose(ro);
    fclose(fp);
}

/* A program that sets a locale with a decimal comma still gets standard
 * files (skipped where no such locale is installed). */
Test(mm_write, independent_of_locale)
{
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    int found = 0;
    for (size_t k = 0; k < sizeof names / sizeof *names && !found; k++)
        found = setlocale(LC_ALL, names[k]) != NULL;
    if (!found)
        cr_skip_test("no locale with a decimal comma installed");
    const double A[] = {0.5, -1.25};
    char *text = write_string(2, 1, A, 2, NULL);
    cr_assert_str_eq(text, "%%MatrixMarket matrix array real general\n2 1\n0.5\n-1.25\n");
    round_trip(2, 1, A, 2);
    free(text);
    setlocale(LC_ALL, "C");
}

/* ------------------------------------------------------------------------ */
/* Thread safety                                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *text;
    expm_status want;
    double first;
    int failures;
} job_t;

static void *reader_thread(void *arg)
{
    job_t *job = arg;
    for (int rep = 0; rep < 200; rep++) {
        FILE *fp = fmemopen((void *)job->text, strlen(job->text), "r");
        if (!fp) {
            job->failures++;
            continue;
        }
        expm_matrix_t M = {0};
        char err[256];
        expm_status st = expm_mm_read_stream(fp, "m", &M, err, sizeof err);
        fclose(fp);
        if (st != job->want || (st == EXPM_OK && M.data[0] != job->first) ||
            (st != EXPM_OK && strncmp(err, "m:", 2) != 0))
            job->failures++;
        expm_matrix_free(&M);
    }
    return NULL;
}

Test(mm_read, concurrent_readers)
{
    job_t jobs[] = {{AG "2 1\n1.5\n2\n", EXPM_OK, 1.5, 0},
                    {CS "3 3 2\n1 1 -4\n3 1 2\n", EXPM_OK, -4, 0},
                    {CG "2 2 2\n1 1 1\n1 1 1\n", EXPM_EINVAL, 0, 0},
                    {AG "1 1\nnan\n", EXPM_EINVAL, 0, 0}};
    pthread_t th[4];
    for (int k = 0; k < 4; k++)
        cr_assert_eq(pthread_create(&th[k], NULL, reader_thread, &jobs[k]), 0);
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        cr_assert_eq(jobs[k].failures, 0, "thread %d failed %d times", k, jobs[k].failures);
    }
}
