using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>The folder Control keeps its files in (DATA_DIR), created on start.</summary>
public sealed class DataDirectory
{
    public DataDirectory(IOptions<ControlOptions> options)
    {
        Root = Path.GetFullPath(options.Value.DataDir);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string fileName) => Path.Combine(Root, fileName);
}
