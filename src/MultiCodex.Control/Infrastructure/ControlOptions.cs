using System.ComponentModel.DataAnnotations;

namespace MultiCodex.Control.Infrastructure;

/// <summary>Settings of the Control service, read from the public environment names (README.md, "Configuration").</summary>
public sealed class ControlOptions
{
    /// <summary>Required value of the <c>x-admin-token</c> header (env <c>ADMIN_TOKEN</c>); unset means no check.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Folder of accounts.json and oauth-state.json (env <c>DATA_DIR</c>; default <c>./data</c>).</summary>
    [Required]
    public string DataDir { get; set; } = "data";

    /// <summary>Where Control listens for gRPC (h2c), gRPC-Web and transcoded REST (env <c>CONTROL_URL</c>; default http://127.0.0.1:4011).</summary>
    [Required]
    public string ListenUrl { get; set; } = "http://127.0.0.1:4011";

    /// <summary>Largest request body Control accepts (env <c>CONTROL_MAX_BODY_BYTES</c>; default 1 MiB).</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
