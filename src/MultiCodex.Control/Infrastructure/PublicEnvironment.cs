namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// The one place that maps the public environment names of design.md (ADMIN_TOKEN, DATA_DIR, …) onto options.
/// The names are read from configuration, so the environment, command-line switches and tests all reach them.
/// </summary>
internal static class PublicEnvironment
{
    public static void Bind(IConfiguration config, ControlOptions options)
    {
        options.AdminToken = NonEmpty(config["ADMIN_TOKEN"]) ?? options.AdminToken;
        options.DataDir = NonEmpty(config["DATA_DIR"]) ?? options.DataDir;
        options.ListenUrl = NonEmpty(config["CONTROL_URL"]) ?? options.ListenUrl;
        if (long.TryParse(config["CONTROL_MAX_BODY_BYTES"], out var maxBody))
        {
            options.MaxRequestBodyBytes = maxBody;
        }
    }

    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
