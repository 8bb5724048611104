/*
 * The shape tests of the writer's strict casts (src/engine/writer/columnCasts.ts), as a DuckDB
 * extension built against DuckDB's stable C extension API (v1.2.0). Each function decides exactly the
 * language of one regular expression the casts would otherwise run through RE2, named beside it;
 * test/engine/nativeShapes.test.ts compares each with DuckDB's own regexp_full_match / regexp_matches
 * of that expression over generated texts. Why: one RE2 call costs about 0.15 us per value whatever
 * its pattern (BENCHMARKS.md), which was the whole of the runner's CPU above DuckDB's own COPY; these
 * loops cost a tenth of that. They only pick the values the cheaper branch may take: the cast that
 * follows, and the full checks for the rest, are unchanged, so a text is decided the same either way.
 *
 * Table lookups and `&`, not `&&`, over the characters: random hex or digits make a branch per
 * character mispredict half the time (the first GUID loop cost as much as the regex).
 */
#include "duckdb_extension.h"

#include <string.h>

DUCKDB_EXTENSION_EXTERN

typedef int (*shape_fn)(const unsigned char *p, uint32_t n, int32_t arg);

static unsigned char DIGIT[256];     /* [0-9] */
static unsigned char ZERO_TO_5[256]; /* [0-5] */
static unsigned char NOT_INTEGER[256]; /* [.eExXbBoO_] */

static void init_tables(void) {
	for (int c = 0; c < 256; c++) {
		DIGIT[c] = c >= '0' && c <= '9';
		ZERO_TO_5[c] = c >= '0' && c <= '5';
	}
	const char *not_integer = ".eExXbBoO_";
	for (const char *s = not_integer; *s; s++) NOT_INTEGER[(unsigned char)*s] = 1;
}

/* duckdb_string_t: 12 bytes or fewer are inlined after the length, longer ones are behind a pointer. */
static inline const unsigned char *text_of(duckdb_string_t *s, uint32_t *n) {
	*n = s->value.inlined.length;
	return (const unsigned char *)(*n <= 12 ? s->value.inlined.inlined : s->value.pointer.ptr);
}

static inline int two_digits(const unsigned char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* (000[2-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}
 * at p, which has at least 10 bytes: a year of four digits from 0002 to 9998, then -MM-DD. */
static inline int date_at(const unsigned char *p) {
	int digits = DIGIT[p[0]] & DIGIT[p[1]] & DIGIT[p[2]] & DIGIT[p[3]] & DIGIT[p[5]] & DIGIT[p[6]] &
	             DIGIT[p[8]] & DIGIT[p[9]] & (p[4] == '-') & (p[7] == '-');
	if (!digits) return 0;
	int year = two_digits(p) * 100 + two_digits(p + 2);
	return year >= 2 && year <= 9998;
}

/* FAST_DATE_TEXT, whole. */
static int fast_date(const unsigned char *p, uint32_t n, int32_t arg) {
	(void)arg;
	return n == 10 && date_at(p);
}

/* Where FAST_LOCAL_TEXT ends in p if it starts there and nothing else can follow it but the end or an
 * offset (which starts with Z, + or -): the date, [T ], ([01][0-9]|2[0-3]):[0-5][0-9], then
 * optionally :[0-5][0-9] and optionally [.][0-9]{1,6}; 0 when p does not start with it. A ':' or '.'
 * that does not start its part leaves the shape unmatched: no offset starts with either. */
static uint32_t local_end(const unsigned char *p, uint32_t n) {
	if (n < 16 || !date_at(p) || (p[10] != 'T' && p[10] != ' ')) return 0;
	if (!(DIGIT[p[11]] & DIGIT[p[12]] & (p[13] == ':') & ZERO_TO_5[p[14]] & DIGIT[p[15]])) return 0;
	if (two_digits(p + 11) > 23) return 0;
	uint32_t i = 16;
	if (i == n || p[i] != ':') return i;
	if (n < i + 3 || !(ZERO_TO_5[p[i + 1]] & DIGIT[p[i + 2]])) return 0;
	i += 3;
	if (i == n || p[i] != '.') return i;
	uint32_t first = ++i;
	while (i < n && i - first < 6 && DIGIT[p[i]]) i++;
	return i == first ? 0 : i;
}

/* FAST_LOCAL_TEXT, whole. */
static int fast_local(const unsigned char *p, uint32_t n, int32_t arg) {
	(void)arg;
	uint32_t end = local_end(p, n);
	return end != 0 && end == n;
}

/* (Z|[+-](0[0-9]|1[0-3])(:?[0-5][0-9])?|[+-]14(:?00)?), whole. */
static int offset_whole(const unsigned char *p, uint32_t n) {
	if (n == 1) return p[0] == 'Z';
	if (n < 3 || (p[0] != '+' && p[0] != '-') || !(DIGIT[p[1]] & DIGIT[p[2]])) return 0;
	int hours = two_digits(p + 1);
	const unsigned char *m = p + 3;
	uint32_t rest = n - 3;
	if (rest == 0) return hours <= 14;
	if (m[0] == ':') {
		m++;
		rest--;
	}
	if (rest != 2) return 0;
	if (hours <= 13) return ZERO_TO_5[m[0]] & DIGIT[m[1]];
	return hours == 14 && m[0] == '0' && m[1] == '0';
}

/* FAST_OFFSET_TEXT, whole: FAST_LOCAL_TEXT then the offset. */
static int fast_offset(const unsigned char *p, uint32_t n, int32_t arg) {
	(void)arg;
	uint32_t end = local_end(p, n);
	return end != 0 && end < n && offset_whole(p + end, n - end);
}

/* Eight bytes at once (SWAR): each byte's high bit is set where lo <= byte <= hi, for bytes below 0x80
 * (neither the addition nor the subtraction then carries or borrows into the next byte). */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static inline uint64_t bytes_in(uint64_t x, uint64_t lo, uint64_t hi) {
	return (x + (0x80 - lo) * ONES) & ((0x80 + hi) * ONES - x) & HIGHS;
}
static inline int lower_hex_word(const unsigned char *p) {
	uint64_t x;
	memcpy(&x, p, 8);
	return (x & HIGHS) == 0 && (bytes_in(x, '0', '9') | bytes_in(x, 'a', 'f')) == HIGHS;
}

/* CANONICAL_GUID_TEXT, whole: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}. The 32
 * digits are gathered without the hyphens and tested eight at a time. */
static int canonical_guid(const unsigned char *p, uint32_t n, int32_t arg) {
	(void)arg;
	if (n != 36 || p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-') return 0;
	unsigned char digits[32];
	memcpy(digits, p, 8);
	memcpy(digits + 8, p + 9, 4);
	memcpy(digits + 12, p + 14, 4);
	memcpy(digits + 16, p + 19, 4);
	memcpy(digits + 20, p + 24, 12);
	return lower_hex_word(digits) & lower_hex_word(digits + 8) & lower_hex_word(digits + 16) &
	       lower_hex_word(digits + 24);
}

/* NOT_PLAIN_INTEGER, anywhere in the text (regexp_matches, not a full match): [.eExXbBoO_]. */
static int not_plain_integer(const unsigned char *p, uint32_t n, int32_t arg) {
	(void)arg;
	unsigned found = 0;
	for (uint32_t i = 0; i < n; i++) found |= NOT_INTEGER[p[i]];
	return (int)found;
}

/* [+-]?[0-9]+([.][0-9]{0,scale})?, whole (fastDecimal's shape; scale >= 0). */
static int plain_decimal(const unsigned char *p, uint32_t n, int32_t scale) {
	uint32_t i = 0;
	if (i < n && (p[i] == '+' || p[i] == '-')) i++;
	uint32_t first = i;
	while (i < n && DIGIT[p[i]]) i++;
	if (i == first) return 0;
	if (i == n) return 1;
	if (p[i] != '.') return 0;
	uint32_t point = ++i;
	while (i < n && DIGIT[p[i]]) i++;
	return i == n && scale >= 0 && i - point <= (uint32_t)scale;
}

/* NULL in, NULL out, as RE2's functions answer; the optional second argument is an INTEGER. */
/* Inlined into each function below, so that `shape` is a direct (inlinable) call. */
static inline __attribute__((always_inline)) void run_shape(duckdb_data_chunk input, duckdb_vector output, shape_fn shape) {
	idx_t size = duckdb_data_chunk_get_size(input);
	duckdb_vector texts = duckdb_data_chunk_get_vector(input, 0);
	duckdb_string_t *data = (duckdb_string_t *)duckdb_vector_get_data(texts);
	uint64_t *valid = duckdb_vector_get_validity(texts);
	int32_t *args = NULL;
	uint64_t *args_valid = NULL;
	if (duckdb_data_chunk_get_column_count(input) > 1) {
		duckdb_vector second = duckdb_data_chunk_get_vector(input, 1);
		args = (int32_t *)duckdb_vector_get_data(second);
		args_valid = duckdb_vector_get_validity(second);
	}
	bool *out = (bool *)duckdb_vector_get_data(output);
	uint64_t *out_valid = NULL;
	if (valid || args_valid) {
		duckdb_vector_ensure_validity_writable(output);
		out_valid = duckdb_vector_get_validity(output);
	}
	for (idx_t row = 0; row < size; row++) {
		/* The validity masks are bits of uint64_t words, one per row (duckdb.h, duckdb_vector_get_validity):
		 * read here rather than through the API's function pointers, twice per row. */
		uint64_t bit = (uint64_t)1 << (row & 63);
		int is_null = (valid && !(valid[row >> 6] & bit)) || (args_valid && !(args_valid[row >> 6] & bit));
		if (is_null) {
			out_valid[row >> 6] &= ~bit;
			out[row] = false;
			continue;
		}
		uint32_t n;
		const unsigned char *p = text_of(&data[row], &n);
		out[row] = shape(p, n, args ? args[row] : 0) != 0;
	}
}

#define SHAPE_FUNCTION(name)                                                                         \
	static void name##_function(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) { \
		(void)info;                                                                                  \
		run_shape(input, output, name);                                                              \
	}
SHAPE_FUNCTION(fast_date)
SHAPE_FUNCTION(fast_local)
SHAPE_FUNCTION(fast_offset)
SHAPE_FUNCTION(canonical_guid)
SHAPE_FUNCTION(not_plain_integer)
SHAPE_FUNCTION(plain_decimal)

static void register_shape(duckdb_connection connection, const char *name, int with_integer,
                           duckdb_scalar_function_t function) {
	duckdb_scalar_function f = duckdb_create_scalar_function();
	duckdb_scalar_function_set_name(f, name);
	duckdb_logical_type text = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
	duckdb_logical_type integer = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
	duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
	duckdb_scalar_function_add_parameter(f, text);
	if (with_integer) duckdb_scalar_function_add_parameter(f, integer);
	duckdb_scalar_function_set_return_type(f, boolean);
	duckdb_destroy_logical_type(&text);
	duckdb_destroy_logical_type(&integer);
	duckdb_destroy_logical_type(&boolean);
	duckdb_scalar_function_set_function(f, function);
	duckdb_register_scalar_function(connection, f);
	duckdb_destroy_scalar_function(&f);
}

DUCKDB_EXTENSION_ENTRYPOINT(duckdb_connection connection, duckdb_extension_info info,
                            struct duckdb_extension_access *access) {
	(void)info;
	(void)access;
	init_tables();
	register_shape(connection, "sx_fast_date", 0, fast_date_function);
	register_shape(connection, "sx_fast_local", 0, fast_local_function);
	register_shape(connection, "sx_fast_offset", 0, fast_offset_function);
	register_shape(connection, "sx_canonical_guid", 0, canonical_guid_function);
	register_shape(connection, "sx_not_plain_integer", 0, not_plain_integer_function);
	register_shape(connection, "sx_plain_decimal", 1, plain_decimal_function);
	return true;
}
