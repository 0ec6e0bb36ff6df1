/**
 * What Postgres's functions return, for the types of a view's columns: those
 * a view's query commonly calls (aggregates, text, time, json and array
 * functions). A function that is not listed here is typed `unknown`.
 */

/** `type` for each of the space-separated function names. */
const returning = (type: string, functions: string): [string, string][] => functions.split(' ').map((f) => [f, type]);

/** Functions whose result type is fixed whatever their arguments (catalog type names). */
export const FIXED_RESULTS: ReadonlyMap<string, string> = new Map([
  ...returning('int8', 'count row_number rank dense_rank'),
  ...returning('int4', 'length char_length character_length octet_length bit_length strpos position ascii ntile array_length cardinality'),
  ...returning('int4', 'json_array_length jsonb_array_length'),
  ...returning('numeric', 'extract stddev stddev_samp stddev_pop variance var_samp var_pop div'),
  ...returning('float8', 'date_part percent_rank cume_dist random corr'),
  ...returning(
    'text',
    'lower upper initcap btrim ltrim rtrim substr substring replace concat concat_ws left right lpad rpad repeat reverse format to_char md5 ' +
      'string_agg split_part regexp_replace regexp_substr translate quote_ident quote_literal quote_nullable overlay encode chr ' +
      'array_to_string normalize json_typeof jsonb_typeof',
  ),
  ...returning('timestamptz', 'now transaction_timestamp statement_timestamp clock_timestamp to_timestamp make_timestamptz'),
  ...returning('timestamp', 'make_timestamp'),
  ...returning('date', 'make_date to_date'),
  ...returning('interval', 'age make_interval justify_days justify_hours justify_interval'),
  ...returning('json', 'json_build_object json_build_array json_agg json_object_agg json_object to_json row_to_json array_to_json'),
  ...returning('jsonb', 'jsonb_build_object jsonb_build_array jsonb_agg jsonb_object_agg jsonb_object to_jsonb jsonb_set jsonb_insert jsonb_strip_nulls'),
  ...returning('bool', 'bool_and bool_or every starts_with isfinite'),
  ...returning('uuid', 'gen_random_uuid uuid_generate_v4'),
]);

/** Functions that return their first argument's type. */
export const SAME_AS_ARGUMENT: ReadonlySet<string> = new Set(
  'min max any_value abs ceil ceiling floor sign lag lead first_value last_value nth_value'.split(' '),
);

/** Functions that return the type of their array argument. */
export const SAME_AS_ARRAY: ReadonlySet<string> = new Set('array_append array_prepend array_cat array_remove array_replace'.split(' '));

/** CURRENT_DATE and its kind, by the parser's name for them. */
export const SQL_VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'date',
  SVFOP_CURRENT_TIME: 'timetz',
  SVFOP_CURRENT_TIME_N: 'timetz',
  SVFOP_CURRENT_TIMESTAMP: 'timestamptz',
  SVFOP_CURRENT_TIMESTAMP_N: 'timestamptz',
  SVFOP_LOCALTIME: 'time',
  SVFOP_LOCALTIME_N: 'time',
  SVFOP_LOCALTIMESTAMP: 'timestamp',
  SVFOP_LOCALTIMESTAMP_N: 'timestamp',
};
