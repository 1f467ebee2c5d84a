namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// A file in the data folder could not be written (read-only or full disk, an immutable file, a folder that went
/// away). The write did not happen: the previous file is intact and nothing in memory changed. The message names the
/// folder and the operating system's error, never the content. An <see cref="IOException"/>, so background loops that
/// already survive I/O errors survive this one too.
/// </summary>
public sealed class StorageUnavailableException(string fileName, string folder, string osError, Exception inner)
    : IOException($"Cannot save {fileName} in {folder}: {osError}. The change was not made; the previous {fileName} is intact.", inner)
{
    public string FileName { get; } = fileName;

    public string Folder { get; } = folder;

    /// <summary>The operating system's words for <paramref name="e"/>, without the file path .NET appends.</summary>
    public static string OsError(Exception e)
    {
        var message = e.GetBaseException().Message;
        var path = message.IndexOf(" : '", StringComparison.Ordinal);
        if (path > 0)
        {
            return message[..path];
        }
        return e is UnauthorizedAccessException || message.StartsWith("Access to the path", StringComparison.Ordinal) ? "permission denied" : message.TrimEnd('.');
    }
}
