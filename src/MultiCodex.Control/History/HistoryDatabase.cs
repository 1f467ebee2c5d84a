using Microsoft.Data.Sqlite;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.History;

/// <summary>
/// The embedded SQLite file that keeps the request log and usage samples across restarts (<c>DATA_DIR/history.db</c>).
/// Created at start with mode 0600 (SQLite gives its <c>-wal</c> and <c>-shm</c> files the same mode), in WAL mode
/// so that reads never wait for the one writer, and with a schema version (<c>PRAGMA user_version</c>) migrated
/// forward here. A file that is not a database is moved aside, not deleted: history is a convenience, the pool must
/// start anyway, and the operator may still want the old file.
/// </summary>
public sealed partial class HistoryDatabase : IDisposable
{
    public const string FileName = "history.db";
    private const int CurrentSchemaVersion = 2;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _connectionString;
    private readonly IReadOnlyList<ApiKeyRecord> _keys;

    public HistoryDatabase(DataDirectory dataDirectory, ApiKeyStore keys, TimeProvider time, ILogger<HistoryDatabase> logger)
    {
        _keys = keys.All;
        Path = dataDirectory.PathOf(FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
        try
        {
            Initialize();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */)
        {
            SqliteConnection.ClearAllPools();
            var aside = $"{Path}.damaged-{time.GetUtcNow():yyyyMMddHHmmss}";
            File.Move(Path, aside);
            foreach (var suffix in new[] { "-wal", "-shm" })
            {
                File.Delete(Path + suffix);
            }
            Log.MovedAside(logger, Path, aside, e.Message);
            Initialize();
        }
    }

    public string Path { get; }

    /// <summary>Opens a new connection (pooled); reads may run beside the writer.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Closes the pooled connections to the file when Control stops.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void Initialize()
    {
        CreateOwnerOnly(Path);
        using var connection = Open();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"{Path} has history schema {version}, newer than this MultiCodex knows ({CurrentSchemaVersion}); run the newer version or move the file away.");
        }
        Execute(connection, "PRAGMA journal_mode = WAL");
        if (version < 1)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, HistorySchema.Version1, transaction);
            Execute(connection, "PRAGMA user_version = 1", transaction);
            transaction.Commit();
        }
        if (version < 2)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, HistorySchema.Version2, transaction);
            foreach (var key in _keys)
            {
                HistoryBatch.Run(connection, transaction, HistorySchema.BackfillKeyId, ("$id", key.Id), ("$name", key.Name),
                    ("$created", HistoryBatch.Ms(key.CreatedAt)));
            }
            Execute(connection, "PRAGMA user_version = 2", transaction);
            transaction.Commit();
        }
    }

    // SQLite would create the file with the process umask; the history names accounts and keys, so owner only.
    private static void CreateOwnerOnly(string path)
    {
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }
        using var _ = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly,
        });
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static partial class Log
    {
        [LoggerMessage(1601, LogLevel.Warning, "{Path} could not be read as a database ({Error}); moved it to {Aside} and started a new history")]
        public static partial void MovedAside(ILogger logger, string path, string aside, string error);
    }
}
