"""Canonical tables as CSV, JSON (array or lines) or Parquet: the universal adapter, validated in DuckDB."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flowgauge import time_bounds
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import CODECS, Upload, first_line, normal, sniff_delimiter
from flowgauge.loaders.imports.tables import TableSpec, table_specs
from flowgauge.loaders.imports.validation import Problems, counted
from flowgauge.rules.code_origin import ORIGINS

KIND = "canonical"
LABEL = "Flowgauge canonical table (CSV, JSON or Parquet)"
EXAMPLES_PER_COLUMN = 3

# What a bad value should have looked like, per schema type.
EXPECTED = {
    "INTEGER": "is not a whole number",
    "BIGINT": "is not a whole number",
    "DOUBLE": "is not a number",
    "BOOLEAN": "is not true or false",
    "TIMESTAMP": "is not a timestamp (expected e.g. 2024-03-01T14:05:00Z or 2024-03-01 14:05)",
    "DATE": "is not a date (expected YYYY-MM-DD)",
    "VARCHAR[]": "is not a JSON array or a ;-separated list",
}


def detect(upload: Upload) -> bool:
    """A file whose rows say their table in a `table` column or key, or named after a table with only its columns."""
    specs = table_specs()
    if upload.is_parquet:
        try:
            names = set(pq.read_schema(io.BytesIO(upload.data)).names)
        except (pa.ArrowInvalid, OSError):
            return detect_by_name(upload)  # parse() then says the file is unreadable
    elif upload.looks_like_json:
        doc = upload.json
        if isinstance(doc, dict):
            return bool(doc) and all(key in specs and isinstance(v, list) for key, v in doc.items())
        if not (isinstance(doc, list) and doc and isinstance(doc[0], dict)):
            return False
        names = set(doc[0])
    else:
        names = upload.header
    names = {normal(n) for n in names}
    if "table" in names:
        return True
    spec = specs.get(upload.stem.lower())
    return spec is not None and names <= {normal(c) for c in spec.column_names}


def detect_by_name(upload: Upload) -> bool:
    """A file named after a canonical table, whatever its columns (so wrong columns get a precise message)."""
    return upload.stem.lower() in table_specs()


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Every row of the file typed per schema; problems name the row and column of each bad value."""
    problems = Problems(upload.name)
    progress(f"Reading {upload.name}", 0.0)
    frames = _frames(upload, problems)
    parsed = Parsed(notes=upload.encoding_notes() if not upload.is_parquet else [])
    parsed.main_tables = frozenset(table for table, _ in frames)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        frames = [part for table, frame in frames for part in _with_origins(upload.name, table, frame, problems)]
        parsed.main_tables |= {table for table, _ in frames}
        for step, (table, frame) in enumerate(frames):
            progress(f"Checking {upload.name}: {table}", (step + 0.5) / len(frames))
            typed, dropped, naive = _typed(con, table_specs()[table], frame, problems)
            if typed is None:
                continue
            parsed.tables[table] = typed
            if dropped:
                parsed.duplicates_dropped[table] = dropped
            if naive:
                parsed.notes.append(f"{table}: {counted(naive, 'time')} without a UTC offset, taken as UTC")
    finally:
        con.close()
    problems.raise_if_any()
    return parsed


def _with_origins(name: str, table: str, frame: pa.Table, problems: Problems) -> list[tuple[str, pa.Table]]:
    """A pull_requests frame's `origin` column (agentic, ai_assisted, unassisted or unknown) split out as
    pr_code_origins rows, evidence naming the file; the origin of a pr_code_origins file checked the same way."""
    if table not in ("pull_requests", "pr_code_origins") or "origin" not in frame.column_names:
        return [(table, frame)]
    origins = frame.column("origin").cast(pa.string())
    rows = frame.column("_row").to_pylist()
    for row, value in zip(rows, origins.to_pylist(), strict=True):
        if value is not None and value not in ORIGINS:
            problems.add(row, "origin", f"{value!r} is not a code origin; use one of {', '.join(ORIGINS)}")
    if table == "pr_code_origins":
        return [(table, frame)]
    pr_ids = frame.column("pr_id") if "pr_id" in frame.column_names else pa.nulls(frame.num_rows, pa.string())
    given = pc.invert(pc.is_null(origins))
    origin_rows = pa.table(
        {
            "pr_id": pr_ids,
            "origin": origins,
            "evidence_kind": pa.array(["import"] * frame.num_rows, pa.string()),
            "evidence": pa.array([f"origin column of {name}"] * frame.num_rows, pa.string()),
            "_row": frame.column("_row"),
        }
    ).filter(given)
    return [(table, frame.drop_columns(["origin"])), ("pr_code_origins", origin_rows)]


def _frames(upload: Upload, problems: Problems) -> list[tuple[str, pa.Table]]:
    """(table, columns as read plus a `_row` column) for each target table in the file."""
    if upload.is_parquet:
        try:
            data = pq.read_table(io.BytesIO(upload.data))
        except (pa.ArrowInvalid, OSError):
            raise problems.reject(
                None, None, "is not a readable Parquet file: it may be truncated or damaged"
            ) from None
        first_row = 1
    elif upload.looks_like_json:
        return _json_frames(upload, problems)
    else:
        data = _read_csv(upload, problems)
        first_row = 2
    data = data.append_column("_row", pa.array(range(first_row, first_row + data.num_rows), pa.int64()))
    return _split_by_table(upload, data, problems)


def _read_csv(upload: Upload, problems: Problems) -> pa.Table:
    text = upload.text
    if not text.strip():
        raise problems.reject(None, None, "the file is empty")
    header_line = first_line(text)
    delimiter = sniff_delimiter(header_line)
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise problems.reject(1, repeated[0], "appears more than once in the header")
    body = upload.data
    encoding = CODECS[upload.encoding]
    if upload.encoding == "UTF-8 with BOM":
        body = body[3:]
    names = [f"c{i}" for i in range(len(header))]
    ragged = []

    def count_ragged(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    try:
        try:
            data = _arrow_csv(body, names, encoding, delimiter, count_ragged)
        except pa.ArrowInvalid as error:
            if "straddl" not in str(error):
                raise
            # A value longer than Arrow's 1 MB block (a pasted log in a description): read the file as one block.
            ragged.clear()
            data = _arrow_csv(body, names, encoding, delimiter, count_ragged, block_size=len(body) + 1)
    except pa.ArrowInvalid as error:
        raise problems.reject(None, None, f"is not readable as CSV ({str(error).splitlines()[0]})") from None
    for row in ragged:
        # The parallel reader cannot say which line a bad row is on, so the message quotes it.
        text = row.text if len(row.text) <= 80 else row.text[:77] + "..."
        problems.add(
            row.number, None, f"a row has {row.actual_columns} cells but the header has {len(header)}: {text!r}"
        )
    problems.raise_if_any()
    if data.num_rows == 0:
        raise problems.reject(None, None, "has a header row but no data rows")
    return data.rename_columns(header)


def _arrow_csv(
    body: bytes, names: list[str], encoding: str, delimiter: str, on_invalid, block_size: int | None = None
) -> pa.Table:
    read_options = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding)
    if block_size is not None:
        read_options.block_size = min(block_size, 2**31 - 1)
    return pacsv.read_csv(
        io.BytesIO(body),
        read_options=read_options,
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, null_values=[""], strings_can_be_null=True
        ),
    )


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _json_frames(upload: Upload, problems: Problems) -> list[tuple[str, pa.Table]]:
    doc = upload.json
    groups: dict[str, list[tuple[int, dict]]] = {}
    if isinstance(doc, dict) and all(isinstance(v, list) for v in doc.values()):
        for table, records in doc.items():
            groups[table] = list(enumerate(records, start=1))
    elif isinstance(doc, list):
        for number, record in enumerate(doc, start=1):
            if not isinstance(record, dict):
                raise problems.reject(number, None, "is not a JSON object with one key per column")
            groups.setdefault(str(record.get("table") or upload.stem), []).append((number, record))
    else:
        raise problems.reject(None, None, "is not a JSON array of rows, JSON Lines, or an object of table -> rows")
    if not any(groups.values()):
        raise problems.reject(None, None, "has no rows")
    frames = []
    for table, records in groups.items():
        if _check_table(table, problems) is None:
            continue
        names: dict[str, None] = {}
        for _, record in records:
            names.update(dict.fromkeys(k for k in record if k != "table"))
        columns = {n: pa.array([_json_text(r.get(n)) for _, r in records], pa.string()) for n in names}
        columns["_row"] = pa.array([number for number, _ in records], pa.int64())
        frames.append((table, pa.table(columns)))
    problems.raise_if_any()
    return frames


def _check_table(table: str, problems: Problems) -> str | None:
    if table in table_specs():
        return table
    problems.add(
        None,
        None,
        f"'{table}' is not a Flowgauge table; name the file after one "
        f"(e.g. pull_requests.csv) or add a `table` column: {', '.join(sorted(table_specs()))}",
    )
    return None


def _split_by_table(upload: Upload, data: pa.Table, problems: Problems) -> list[tuple[str, pa.Table]]:
    if "table" not in data.column_names:
        table = _check_table(upload.stem.lower(), problems)
        problems.raise_if_any()
        return [(table, data)]
    frames = []
    targets = data.column("table")
    for value in pc.unique(targets).to_pylist():
        if value is None or _check_table(value, problems) is None:
            continue
        part = data.filter(pc.equal(targets, value)).drop_columns(["table"])
        # A file mixing tables leaves the other tables' columns empty: those are not this table's.
        keep = [n for n in part.column_names if n == "_row" or part.column(n).null_count < part.num_rows]
        frames.append((value, part.select(keep)))
    problems.raise_if_any()
    return frames


def _has_offset(column: str) -> str:
    """SQL: does a timestamp text end with a UTC offset (Z, +02:00, -0500, +02)? String tests, cheaper than a regex."""
    t = f'trim("{column}")'
    tail = f"right({t}, 6)"
    return f"(length({t}) > 10 AND (right({t}, 1) = 'Z' OR contains({tail}, '+') OR contains({tail}, '-')))"


def _cast(column: str, sql_type: str, is_text: bool, required: bool) -> str:
    """SQL turning one source column into its schema type; NULL where the value does not fit."""
    c = f'"{column}"'
    if not is_text:
        return f"TRY_CAST({c} AS {sql_type})"
    t = f"NULLIF(trim({c}), '')"
    if sql_type == "VARCHAR":
        return c
    if sql_type == "BOOLEAN":
        return (
            f"CASE WHEN lower({t}) IN ('true', 't', 'yes', 'y', '1') THEN true "
            f"WHEN lower({t}) IN ('false', 'f', 'no', 'n', '0') THEN false END"
        )
    if sql_type == "TIMESTAMP":
        # A TIMESTAMPTZ is microseconds since 1970 UTC; rebuilding the naive UTC timestamp from them
        # skips the per-value ICU calendar lookup a TIMESTAMPTZ -> TIMESTAMP cast does.
        return f"make_timestamp(epoch_us(TRY_CAST({t} AS TIMESTAMPTZ)))"
    if sql_type == "VARCHAR[]":
        tidy = f"list_filter(list_transform(string_split({t}, ';'), lambda x: trim(x)), lambda x: x <> '')"
        # Most cells are already tidy ('a;b'): splitting them needs no per-item lambdas.
        messy = f"contains({t}, ' ') OR contains({t}, ';;') OR ends_with({t}, ';') OR starts_with({t}, ';')"
        split = f"CASE WHEN {messy} THEN {tidy} ELSE string_split({t}, ';') END"
        parsed = (
            f"CASE WHEN {t} IS NULL THEN NULL WHEN starts_with({t}, '[') THEN "
            f"CASE WHEN json_valid({t}) THEN TRY_CAST(from_json({t}, '[\"VARCHAR\"]') AS VARCHAR[]) END "
            f"ELSE {split} END"
        )
        return f"coalesce({parsed}, CASE WHEN {t} IS NULL THEN []::VARCHAR[] END)" if required else parsed
    return f"TRY_CAST({t} AS {sql_type})"


def _typed(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pa.Table, problems: Problems
) -> tuple[pa.Table | None, int, int]:
    """The frame cast to the table's types, de-duplicated by key (last row wins); with drop and naive counts."""
    present = [n for n in frame.column_names if n != "_row"]
    unknown = [n for n in present if n not in spec.column_names]
    missing = [n for n in spec.required if n not in present]
    expected = ", ".join(spec.column_names)
    for name in unknown:
        problems.add(1, name, f"is not a column of {spec.name}; expected columns: {expected}")
    if missing:
        problems.add(
            None, None, f"missing required column(s) {', '.join(missing)} for {spec.name}; expected columns: {expected}"
        )
    if unknown or missing:
        return None, 0, 0
    con.register("src", frame)
    try:
        return _cast_and_check(con, spec, frame, present, problems)
    finally:
        con.unregister("src")
        con.execute("DROP TABLE IF EXISTS typed")


def _cast_and_check(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pa.Table, present: list[str], problems: Problems
) -> tuple[pa.Table | None, int, int]:
    # One pass casts every column into a temp table (v0, v1, ...) next to per-value flags, so each
    # cast runs once; the checks then count booleans and the result is read from the same table.
    values, flags, checks = [], [], []
    for i, name in enumerate(present):
        col = spec.column(name)
        field_type = frame.schema.field(name).type
        is_text = pa.types.is_string(field_type) or pa.types.is_null(field_type)
        blank = f"NULLIF(trim(\"{name}\"), '') IS NULL" if is_text else f'"{name}" IS NULL'
        values.append(f"{_cast(name, col.sql_type, is_text, col.required)} AS v{i}, {blank} AS b{i}")
        if col.required and col.sql_type != "VARCHAR[]":  # an empty list cell is an empty list
            flags.append(f"b{i} AS f{len(checks)}")
            checks.append((name, "missing"))
        if col.sql_type != "VARCHAR":
            flags.append(f"(NOT b{i} AND v{i} IS NULL) AS f{len(checks)}")
            checks.append((name, "bad"))
        if col.sql_type in ("TIMESTAMP", "DATE"):
            flags.append(f"(v{i} IS NOT NULL AND (v{i} < $earliest OR v{i} >= $end)) AS f{len(checks)}")
            checks.append((name, "range"))
        if col.sql_type == "TIMESTAMP" and is_text:
            values.append(f"{_has_offset(name)} AS o{i}")
            flags.append(f"(NOT b{i} AND NOT o{i}) AS f{len(checks)}")
            checks.append((name, "naive"))
    # Column names come from schema.sql (checked above), never from values in the file.
    inner = f"SELECT _row, {', '.join(values)} FROM src"
    statement = f"CREATE TEMP TABLE typed AS SELECT *, {', '.join(flags) or 'NULL AS f_none'} FROM ({inner})"
    bounds = {"earliest": time_bounds.EARLIEST, "end": time_bounds.END}
    con.execute(statement, bounds if "$earliest" in statement else None)
    aggregates = ", ".join(f"count_if(f{j})" for j in range(len(checks)))
    counts = con.execute(f"SELECT {aggregates} FROM typed").fetchall()[0] if checks else ()
    naive = 0
    for j, ((name, what), count) in enumerate(zip(checks, counts, strict=True)):
        if what == "naive":
            naive += count
        elif count:
            _report(con, spec, name, what, f"f{j}", count, problems)
    if problems:
        return None, 0, 0
    outputs = ", ".join(f'v{i} AS "{name}"' for i, name in enumerate(present))
    query = f"SELECT {outputs} FROM typed"
    if spec.key:
        key = ", ".join(f"v{present.index(k)}" for k in spec.key)
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT ({key})) FROM typed").fetchall()[0]
        if distinct < total:  # the window sort is paid only by files that have duplicates
            latest = f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _row DESC) = 1"
            query = f"SELECT {outputs} FROM typed {latest} ORDER BY _row"
    typed = con.sql(query).to_arrow_table()
    schema = pa.schema([spec.arrow_schema.field(n).with_nullable(True) for n in present])
    return typed.cast(schema), frame.num_rows - typed.num_rows, naive


def _report(con, spec: TableSpec, name: str, what: str, flag: str, count: int, problems: Problems) -> None:
    examples = con.execute(
        f'SELECT _row, src."{name}" FROM typed JOIN src USING (_row) WHERE {flag} ORDER BY _row '
        f"LIMIT {EXAMPLES_PER_COLUMN}"
    ).fetchall()
    for i, (row, value) in enumerate(examples):
        if what == "missing":
            message = f"is empty, but {spec.name}.{name} is required"
        elif what == "range":
            message = time_bounds.out_of_range(value)
        else:
            message = f"'{value}' {EXPECTED[spec.column(name).sql_type]}"
        # The last example carries the rest of the count, so "(and N more)" stays exact.
        problems.add(row, name, message, count=1 if i < len(examples) - 1 else count - len(examples) + 1)
