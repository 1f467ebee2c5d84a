namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A fact that needs a Compose command line; skipped, saying so, when none is on PATH.</summary>
public sealed class ComposeCliFactAttribute : FactAttribute
{
    public ComposeCliFactAttribute()
    {
        if (ComposeCli.Found is null)
        {
            Skip = "No Compose command line on PATH (neither docker-compose nor `docker compose`): install it with " +
                   "`apt-get install -y --no-install-recommends docker-compose` to validate docker-compose.yml as Compose reads it. " +
                   "The YAML-level checks ran anyway.";
        }
    }
}
