namespace MultiCodex.Control.History;

/// <summary>The tables of <c>history.db</c>, one constant per schema version (each applied once, in order).</summary>
internal static class HistorySchema
{
    /// <summary>
    /// Version 1. Times are Unix milliseconds. <c>requests</c> holds one row per client request: what the Edge said
    /// the client got (<c>answer_*</c>) and columns derived from its attempts (recomputed whenever one arrives), so
    /// that listing and summing never join. <c>attempts</c> holds each upstream attempt. <c>usage_samples</c> holds
    /// one row per account, time and meter (every meter, by its key: <c>5h</c>, <c>weekly</c>, <c>credits</c>, <c>reserve:gpt-reserve</c>, …).
    /// </summary>
    public const string Version1 = """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL UNIQUE,
            time_ms INTEGER NOT NULL,
            endpoint TEXT NOT NULL DEFAULT '',
            transport TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            key_name TEXT NOT NULL DEFAULT '',
            answered INTEGER NOT NULL DEFAULT 0,
            answer_status INTEGER NOT NULL DEFAULT 0,
            answer_error TEXT NOT NULL DEFAULT '',
            answer_start_ms INTEGER,
            answer_duration_ms INTEGER,
            status INTEGER NOT NULL DEFAULT 0,
            error_code TEXT NOT NULL DEFAULT '',
            is_error INTEGER NOT NULL DEFAULT 0,
            account_id TEXT NOT NULL DEFAULT '',
            account_email TEXT NOT NULL DEFAULT '',
            attempt_count INTEGER NOT NULL DEFAULT 0,
            ttfb_ms INTEGER,
            duration_ms INTEGER,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            cached_input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            reasoning_tokens INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX requests_by_time ON requests (time_ms DESC, id DESC);
        CREATE INDEX requests_by_key ON requests (key_name, time_ms);
        CREATE TABLE attempts (
            request_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            account_id TEXT NOT NULL,
            account_email TEXT NOT NULL,
            key_name TEXT NOT NULL,
            model TEXT NOT NULL,
            status INTEGER NOT NULL,
            error_code TEXT NOT NULL,
            is_error INTEGER NOT NULL,
            blocked INTEGER NOT NULL,
            ttfb_ms INTEGER,
            duration_ms INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            PRIMARY KEY (request_id, attempt)
        ) WITHOUT ROWID;
        CREATE INDEX attempts_by_time ON attempts (time_ms);
        CREATE INDEX attempts_by_account ON attempts (account_id, time_ms);
        CREATE TABLE usage_samples (
            account_id TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            meter TEXT NOT NULL,
            used_percent REAL NOT NULL,
            window_seconds INTEGER,
            reset_ms INTEGER,
            PRIMARY KEY (account_id, time_ms, meter)
        ) WITHOUT ROWID;
        CREATE INDEX usage_samples_by_time ON usage_samples (time_ms);
        """;

    /// <summary>
    /// Version 2: requests and attempts name their client key by id too (<c>key_id</c>), so that figures and budgets
    /// follow the key, not its name: a revoked key and a new one with the same name never share them. Rows written
    /// before have an empty <c>key_id</c>; <see cref="HistoryDatabase"/> fills it in for keys that still exist.
    /// </summary>
    public const string Version2 = """
        ALTER TABLE requests ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE attempts ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
        CREATE INDEX requests_by_key_id ON requests (key_id, time_ms);
        """;

    /// <summary>Gives a key's rows from before version 2 its id: those with its name, from its creation on.</summary>
    public const string BackfillKeyId = """
        UPDATE requests SET key_id = $id WHERE key_id = '' AND key_name = $name AND time_ms >= $created;
        UPDATE attempts SET key_id = $id WHERE key_id = '' AND key_name = $name AND time_ms >= $created;
        """;
}
