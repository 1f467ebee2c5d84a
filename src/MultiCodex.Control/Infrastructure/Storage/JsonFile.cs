using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// Reads and atomically writes one versioned JSON document in the data folder. An <c>upgrade</c> step, when given,
/// rewrites a document of an older schema into the current one before it is read (the file itself changes only
/// with the next save).
/// </summary>
internal sealed class JsonFile<T>(DataDirectory directory, string fileName, JsonTypeInfo<T> typeInfo, Func<JsonObject, JsonObject>? upgrade = null)
    where T : class
{
    public string Path { get; } = directory.PathOf(fileName);

    public string FileName => fileName;

    public DataDirectory Directory => directory;

    /// <summary>Loads the document, or returns null when the file does not exist yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid document; it is left untouched.</exception>
    public T? Load()
    {
        AtomicFile.DeleteLeftovers(Path);
        if (!File.Exists(Path))
        {
            return null;
        }
        try
        {
            using var stream = File.OpenRead(Path);
            if (upgrade is null)
            {
                return JsonSerializer.Deserialize(stream, typeInfo) ?? throw new InvalidDataException($"{Path} holds no document.");
            }
            var node = JsonNode.Parse(stream) as JsonObject ?? throw new InvalidDataException($"{Path} holds no document.");
            return upgrade(node).Deserialize(typeInfo) ?? throw new InvalidDataException($"{Path} holds no document.");
        }
        catch (JsonException e)
        {
            // The message names the file and the position, never the content (it holds tokens).
            throw new InvalidDataException($"{Path} is not valid JSON (line {e.LineNumber + 1}); fix or move it away.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{Path} cannot be read: {StorageUnavailableException.OsError(e)}.", e);
        }
    }

    /// <exception cref="StorageUnavailableException">The folder refused the write; the previous file is intact.</exception>
    public async Task SaveAsync(T document, CancellationToken cancellationToken = default)
    {
        try
        {
            await AtomicFile.WriteAsync(Path, JsonSerializer.SerializeToUtf8Bytes(document, typeInfo), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException(fileName, directory.Root, StorageUnavailableException.OsError(e), e);
        }
    }
}
