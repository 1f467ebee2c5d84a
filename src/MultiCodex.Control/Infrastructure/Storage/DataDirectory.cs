using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// The folder Control keeps its files in (DATA_DIR). Created on start, readable by its owner only (0700): it holds
/// the ChatGPT sessions. A folder that cannot be created stops the start with a message naming it.
/// </summary>
public sealed class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public DataDirectory(IOptions<ControlOptions> options, ILogger<DataDirectory> logger)
    {
        Root = Path.GetFullPath(options.Value.DataDir);
        Logger = logger;
        try
        {
            if (!Directory.Exists(Root))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(Root);
                }
                else
                {
                    Directory.CreateDirectory(Root, OwnerOnly);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"DATA_DIR {Root} cannot be created: {StorageUnavailableException.OsError(e)}.", e);
        }
    }

    public string Root { get; }

    /// <summary>Where storage faults are logged (once per failed write, see <see cref="PersistentState{T}"/>).</summary>
    internal ILogger Logger { get; }

    public string PathOf(string fileName) => Path.Combine(Root, fileName);
}
